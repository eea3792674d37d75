"""MaAsLin2-compatible multivariable association of features with metadata.

:func:`fit_maaslin2` follows MaAsLin2 1.15.1 (Mallick et al. 2021, PLoS Comput
Biol 17:e1009442) for the ``LM`` analysis method, in its order of operations:

1. feature names through R ``make.names``; samples present in both tables, in
   the feature table's order;
2. filter the **raw** table (prevalence, then variance; strict ``>``);
3. normalise the kept features (TSS, CLR or NONE);
4. build the design (factor levels, reference, optional standardisation);
5. transform (LOG, LOGIT, AST or NONE);
6. fit every feature: OLS without random effects, REML random intercepts with
   Satterthwaite t-tests with them (R ``lmerTest``);
7. one Benjamini–Hochberg adjustment over all feature × coefficient rows;
   rows sorted by q-value (stable), rows without a q-value dropped.

Empty input: no sample in common, or no feature passing the filter, gives a
table with the MaAsLin2 columns and no rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from gutbrain.core.stats.design import build_design
from gutbrain.core.stats.fdr import benjamini_hochberg
from gutbrain.core.stats.lm import ols
from gutbrain.core.stats.mixed import fit_reml_many
from gutbrain.core.stats.transforms import (
    Normalization,
    Transform,
    check_combination,
    filter_features,
    make_names,
    normalize,
)
from gutbrain.core.stats.transforms import transform as apply_transform
from gutbrain.errors import GutBrainError, InputError, OptionError

__all__ = [
    "MAASLIN2_COLUMNS",
    "LMProblem",
    "ProblemFitter",
    "assemble_maaslin2",
    "check_numeric",
    "fit_lm_block",
    "fit_maaslin2",
    "orient_features",
    "prepare_maaslin2",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

#: Columns of MaAsLin2's ``all_results.tsv`` / ``significant_results.tsv``, in order.
MAASLIN2_COLUMNS = (
    "feature",
    "metadata",
    "value",
    "coef",
    "stderr",
    "N",
    "N.not.0",
    "pval",
    "qval",
)


def orient_features(features: pd.DataFrame, metadata: pd.DataFrame) -> pd.DataFrame:
    """Samples × features, transposing when the samples are the columns (as MaAsLin2).

    >>> md = pd.DataFrame({"x": [1, 2]}, index=["s1", "s2"])
    >>> orient_features(pd.DataFrame({"s1": [1.0], "s2": [2.0]}, index=["f"]), md).shape
    (2, 1)
    """
    samples = set(map(str, metadata.index))
    by_rows = len(samples & set(map(str, features.index)))
    by_cols = len(samples & set(map(str, features.columns)))
    return features.T if by_cols > by_rows else features


def check_numeric(features: pd.DataFrame) -> None:
    """Every feature column must be numeric (missing values allowed)."""
    bad = [str(c) for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    if bad:
        raise InputError(
            "non-numeric feature column(s)",
            found=", ".join(GutBrainError.quote(b) for b in bad[:5])
            + (f" and {len(bad) - 5} more" if len(bad) > 5 else ""),
            expected="numbers (abundances) in every feature column",
            fix="check the feature table's orientation and remove annotation columns",
        )


@dataclass(frozen=True)
class LMProblem:
    """A prepared MaAsLin2 LM problem: design, responses and what the table needs.

    ``x`` is the n × p design (intercept first), ``y`` the n × m transformed
    responses of the kept features, ``groups`` the level codes of each random
    effect (empty without random effects).
    """

    x: FloatArray
    y: FloatArray
    groups: tuple[IntArray, ...]
    features: tuple[str, ...]
    terms: tuple[tuple[str, str], ...]
    n_samples: int
    not_zero: npt.NDArray[np.intp]


class ProblemFitter(Protocol):
    """Fits every feature of a prepared problem: a 3 × p × m array (coef, SE, p)."""

    def __call__(self, problem: LMProblem, /) -> FloatArray: ...


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype=object if i < 3 else float) for i, c in enumerate(MAASLIN2_COLUMNS)}
    )


def prepare_maaslin2(
    features: pd.DataFrame,
    metadata: pd.DataFrame,
    fixed: Sequence[str] | None = None,
    random: Sequence[str] = (),
    reference: str | Mapping[str, str] | None = None,
    normalization: Normalization = "TSS",
    transform: Transform = "LOG",
    standardize: bool = True,
    min_prevalence: float = 0.1,
    min_abundance: float = 0.0,
    min_variance: float = 0.0,
    max_significance: float | None = None,
) -> LMProblem | None:
    """Steps 1–5 of :func:`fit_maaslin2` (same parameters): the problem to fit.

    ``None`` when no feature passes the filter.
    """
    norm, trans = check_combination(normalization, transform)
    for name, value in (("min_prevalence", min_prevalence), ("max_significance", max_significance)):
        if value is not None and not 0.0 <= value <= 1.0:
            raise OptionError(
                f"{name} out of range",
                found=repr(value),
                expected="a number in [0, 1]",
                fix=f"give {name} as a fraction",
            )
    features = orient_features(features, metadata)
    check_numeric(features)
    names = make_names([str(c) for c in features.columns])
    sample_ids = [str(i) for i in features.index]
    meta_ids = [str(i) for i in metadata.index]
    common = set(sample_ids) & set(meta_ids)
    if not common:
        raise InputError(
            "no sample in common between the feature table and the metadata",
            found=f"{len(sample_ids)} feature-table samples (e.g. {sample_ids[:1]}), "
            f"{len(meta_ids)} metadata samples (e.g. {meta_ids[:1]})",
            expected="the same sample ids in both tables",
            fix="check the sample id column / orientation of both tables",
        )
    keep_rows = np.array([s in common for s in sample_ids])
    order = [s for s in sample_ids if s in common]
    meta = metadata.copy()
    meta.index = pd.Index(meta_ids)
    meta = meta.loc[order]
    raw = features.to_numpy(dtype=np.float64, na_value=np.nan)[keep_rows]

    random = list(random)
    fixed = [c for c in meta.columns if c not in random] if fixed is None else list(fixed)

    kept = filter_features(
        raw, min_abundance=min_abundance, min_prevalence=min_prevalence, min_variance=min_variance
    )
    design = build_design(meta, fixed, random, reference, standardize=standardize)
    if not kept.any():
        return None
    filtered = raw[:, kept]
    kept_names = [n for n, k in zip(names, kept, strict=True) if k]
    normed = np.asarray(normalize(filtered, norm), dtype=np.float64)
    y = apply_transform(normed, trans, names=kept_names)[design.rows]
    return LMProblem(
        x=design.matrix,
        y=y,
        groups=tuple(design.groups) if random else (),
        features=tuple(kept_names),
        terms=design.terms,
        n_samples=len(order),
        not_zero=(filtered > 0).sum(axis=0),
    )


def fit_lm_block(x: FloatArray, y: FloatArray, groups: Sequence[IntArray] = ()) -> FloatArray:
    """Coefficients, SEs and p-values (3 × p × m) of every column of ``y``.

    OLS (:func:`~gutbrain.core.stats.lm.ols`) without grouping factors, REML random
    intercepts with Satterthwaite tests (:func:`~gutbrain.core.stats.mixed.fit_reml_many`)
    with them. Each feature's fit uses only its own column, so the columns may be
    fitted in chunks (the figures may then differ in the last bits, from the BLAS).

    >>> x = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> fit_lm_block(x, np.array([[1.0], [3.0], [5.0], [7.5]]))[0].ravel().round(3).tolist()
    [0.9, 2.15]
    """
    if groups:
        mixed = fit_reml_many(x, y, groups)
        return np.stack([mixed.coef, mixed.stderr, mixed.pval])
    fit = ols(x, y)
    return np.stack([fit.coef, fit.stderr, fit.pval])


def assemble_maaslin2(
    problem: LMProblem, fits: FloatArray, max_significance: float | None = None
) -> pd.DataFrame:
    """The results table from the fits (3 × p × m) of all the problem's features.

    The intercept is dropped, one Benjamini–Hochberg adjustment runs over all
    feature × coefficient rows, rows are sorted by q (stable), rows without q dropped.
    """
    n_coef = problem.x.shape[1] - 1
    n_feat = len(problem.features)
    # feature-major rows, intercept dropped
    coef, stderr, pval = (a[1:].T.ravel() for a in fits)
    table = pd.DataFrame(
        {
            "feature": np.repeat(problem.features, n_coef),
            "metadata": [m for _ in range(n_feat) for m, _v in problem.terms],
            "value": [v for _ in range(n_feat) for _m, v in problem.terms],
            "coef": coef,
            "stderr": stderr,
            "N": problem.n_samples,
            "N.not.0": np.repeat(problem.not_zero, n_coef),
            "pval": pval,
            "qval": benjamini_hochberg(pval),
        }
    )
    table = table[table["qval"].notna()]
    table = table.sort_values("qval", kind="stable").reset_index(drop=True)
    if max_significance is not None:
        table = table[table["qval"] <= max_significance].reset_index(drop=True)
    return table


def fit_maaslin2(
    features: pd.DataFrame,
    metadata: pd.DataFrame,
    fixed: Sequence[str] | None = None,
    random: Sequence[str] = (),
    reference: str | Mapping[str, str] | None = None,
    normalization: Normalization = "TSS",
    transform: Transform = "LOG",
    standardize: bool = True,
    min_prevalence: float = 0.1,
    min_abundance: float = 0.0,
    min_variance: float = 0.0,
    max_significance: float | None = None,
    fit_problem: ProblemFitter | None = None,
) -> pd.DataFrame:
    """MaAsLin2 (``analysis_method = "LM"``) results table.

    Parameters
    ----------
    features:
        Samples × features (or features × samples: detected from the names).
    metadata:
        Samples × variables, indexed by sample id.
    fixed:
        Fixed effects; ``None`` = every metadata column that is not random.
    random:
        Grouping columns for random intercepts (``(1 | g)`` terms).
    reference:
        Reference levels, ``"var,level;var2,level2"``; required for factors
        with more than two levels.
    normalization, transform, standardize, min_prevalence, min_abundance, min_variance:
        As MaAsLin2 (defaults TSS, LOG, TRUE, 0.1, 0, 0).
    max_significance:
        ``None`` returns every row (``all_results.tsv``); a number returns the
        rows with q ≤ it (``significant_results.tsv``; MaAsLin2's default 0.25).
    fit_problem:
        Fits the prepared problem (3 × p × m array, as :func:`fit_lm_block`); ``None``
        fits all features at once in this process. :mod:`gutbrain.distributed`
        passes one that fits chunks of features on a Dask cluster.

    Returns
    -------
    DataFrame
        Columns :data:`MAASLIN2_COLUMNS`, sorted by q-value.

    Examples
    --------
    >>> md = pd.DataFrame({"grp": ["a", "a", "a", "b", "b", "b"]},
    ...                   index=[f"s{i}" for i in range(6)])
    >>> ft = pd.DataFrame({"taxon one": [1, 2, 1, 5, 6, 5], "t2": [3, 3, 4, 3, 2, 3]},
    ...                   index=md.index, dtype=float)
    >>> res = fit_maaslin2(ft, md, ["grp"], normalization="NONE", transform="NONE")
    >>> res[["feature", "metadata", "value", "N", "N.not.0"]].values.tolist()
    [['taxon.one', 'grp', 'b', 6, 6], ['t2', 'grp', 'b', 6, 6]]
    >>> round(float(res["coef"].iloc[0]), 12)
    4.0
    """
    problem = prepare_maaslin2(
        features, metadata, fixed, random, reference, normalization, transform,
        standardize, min_prevalence, min_abundance, min_variance, max_significance,
    )  # fmt: skip
    if problem is None:
        return _empty()
    if fit_problem is None:
        fits = fit_lm_block(problem.x, problem.y, problem.groups)
    else:
        fits = fit_problem(problem)
    return assemble_maaslin2(problem, fits, max_significance)
