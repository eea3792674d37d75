r"""Rank tests per feature, vectorised over features: Mann–Whitney, Kruskal–Wallis, Spearman.

Every function takes a samples × features ``float64`` array and tests all
features at once; ``NaN`` marks a missing value, which leaves that sample out
of that feature's test only.

*Ranks* are mid-ranks (ties get the average of the ranks they span) and the
tie term of a feature is :math:`T = \sum_g (t_g^3 - t_g)` over its groups of
tied values.

* :func:`mann_whitney` — two groups, normal approximation with tie and
  continuity corrections (R ``wilcox.test(exact = FALSE, correct = TRUE)``,
  SciPy ``mannwhitneyu(method = "asymptotic")``). R uses an exact p-value by
  default only for two groups both under 50 samples *without* ties; microbiome
  features almost always have ties (zeros), and this module never uses it.
* :func:`kruskal_wallis` — more than two groups, :math:`\chi^2_{k-1}`
  approximation with the tie correction (R ``kruskal.test``, SciPy ``kruskal``).
* :func:`spearman` — rank correlation with a numeric variable, two-sided
  p-value from :math:`t = \rho\sqrt{(n-2)/(1-\rho^2)}` on :math:`n-2` df
  (SciPy ``spearmanr``).

Effect sizes (the ``coef`` column of :func:`fit_rank_tests`), chosen so that all
rows share one scale, :math:`[-1, 1]`, with the sign saying which way:

* two groups: the **rank-biserial correlation** :math:`r = 2U/(n_1 n_0) - 1`,
  with :math:`U` the Mann–Whitney statistic of the level against the reference:
  :math:`P(X_1 > X_0) - P(X_1 < X_0)` (Kerby 2014, Compr Psychol 3:11.IT.3.1);
* more than two groups: :math:`\varepsilon^2 = H/(n-1)`, in :math:`[0, 1]`,
  without sign (Tomczak & Tomczak 2014, Trends Sport Sci 21:19–25);
* numeric variable: Spearman's :math:`\rho`.

``stderr`` is not defined for these and is left missing (``NA``).

Empty input: a feature with fewer than two samples in a group (or fewer than
three samples for Spearman) gets ``NaN`` results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from gutbrain.core.stats.design import build_design, parse_reference, r_sorted
from gutbrain.core.stats.fdr import benjamini_hochberg
from gutbrain.core.stats.maaslin2 import MAASLIN2_COLUMNS, check_numeric, orient_features
from gutbrain.core.stats.transforms import (
    Normalization,
    Transform,
    check_combination,
    filter_features,
    make_names,
    normalize,
)
from gutbrain.core.stats.transforms import transform as apply_transform
from gutbrain.errors import InputError, OptionError

__all__ = [
    "RankResult",
    "fit_rank_tests",
    "kruskal_wallis",
    "mann_whitney",
    "rank_columns",
    "spearman",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class RankResult:
    """Per-feature results of one rank test: effect size, statistic, p-value, samples used."""

    coef: FloatArray
    statistic: FloatArray
    pval: FloatArray
    n: FloatArray


def rank_columns(x: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Mid-ranks of every column, the tie term :math:`\sum(t^3 - t)` and the count.

    ``NaN`` values get a ``NaN`` rank and are not counted.

    >>> r, ties, n = rank_columns(np.array([[3.0], [1.0], [3.0], [np.nan]]))
    >>> r.ravel().tolist(), ties.tolist(), n.tolist()
    ([2.5, 1.0, 2.5, nan], [6.0], [3.0])
    """
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError("rank_columns expects a 2-D array")
    n_rows, n_cols = a.shape
    ranks = np.full(a.shape, np.nan)
    if n_rows == 0 or n_cols == 0:
        return ranks, np.zeros(n_cols), np.zeros(n_cols)
    order = np.argsort(a, axis=0, kind="stable")  # NaN last
    s = np.take_along_axis(a, order, axis=0)
    finite = ~np.isnan(s)
    idx = np.broadcast_to(np.arange(n_rows)[:, None], a.shape)
    new = np.ones(a.shape, dtype=bool)
    new[1:] = s[1:] != s[:-1]
    start = np.maximum.accumulate(np.where(new, idx, 0), axis=0)
    last = np.ones(a.shape, dtype=bool)
    last[:-1] = new[1:]
    end = np.minimum.accumulate(np.where(last, idx, n_rows - 1)[::-1], axis=0)[::-1]
    mid = (start + end) / 2.0 + 1.0
    size = (end - start + 1).astype(np.float64)
    np.put_along_axis(ranks, order, np.where(finite, mid, np.nan), axis=0)
    ties = np.where(finite, size**2 - 1.0, 0.0).sum(axis=0)  # Σ_g t_g (t_g² − 1)
    count = finite.sum(axis=0).astype(np.float64)
    return ranks, ties, count


def mann_whitney(x: npt.ArrayLike, level: npt.ArrayLike) -> RankResult:
    r"""Two-sided Mann–Whitney U test of each column, ``level`` samples against the others.

    With :math:`R_1` the rank sum of the :math:`n_1` level samples among
    :math:`n = n_1 + n_0`, :math:`U = R_1 - n_1(n_1+1)/2`,
    :math:`\sigma^2 = \frac{n_1 n_0}{12}\bigl(n + 1 - \frac{T}{n(n-1)}\bigr)` and

    .. math:: z = \frac{|U - n_1 n_0/2| - \tfrac12}{\sigma},\qquad p = \min(1, 2\,\bar\Phi(z)).

    ``coef`` is the rank-biserial correlation :math:`2U/(n_1 n_0) - 1`.

    >>> res = mann_whitney(np.array([[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]]),
    ...                    np.array([False, False, False, True, True, True]))
    >>> res.coef.tolist(), res.statistic.tolist(), round(float(res.pval[0]), 6)
    ([1.0], [9.0], 0.080856)
    """
    a = np.asarray(x, dtype=np.float64)
    g = np.asarray(level, dtype=bool)
    ranks, ties, n = rank_columns(a)
    present = ~np.isnan(a)
    n1 = (present & g[:, None]).sum(axis=0).astype(np.float64)
    n0 = n - n1
    r1 = np.where(g[:, None], np.nan_to_num(ranks), 0.0).sum(axis=0)
    u = r1 - n1 * (n1 + 1.0) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        var = n1 * n0 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)))
        z = (np.abs(u - n1 * n0 / 2.0) - 0.5) / np.sqrt(var)
        pval = np.minimum(1.0, 2.0 * stats.norm.sf(z))
        coef = 2.0 * u / (n1 * n0) - 1.0
    bad = (n1 < 1) | (n0 < 1) | ~(var > 0)
    pval = np.where(bad, np.nan, pval)
    coef = np.where((n1 < 1) | (n0 < 1), np.nan, coef)
    return RankResult(coef, np.where(bad, np.nan, u), pval, n)


def kruskal_wallis(x: npt.ArrayLike, codes: npt.ArrayLike, k: int) -> RankResult:
    r"""Kruskal–Wallis H test of each column over groups ``0 … k-1`` (``codes`` per sample).

    .. math:: H = \frac{\frac{12}{n(n+1)}\sum_g R_g^2/n_g - 3(n+1)}{1 - T/(n^3-n)},
              \qquad p = P(\chi^2_{k'-1} > H)

    with :math:`k'` the groups present in the column. ``coef`` is
    :math:`\varepsilon^2 = H/(n-1)`.

    >>> res = kruskal_wallis(np.array([[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]]),
    ...                      np.array([0, 0, 1, 1, 2, 2]), 3)
    >>> round(float(res.statistic[0]), 6), round(float(res.pval[0]), 6)
    (4.571429, 0.101701)
    """
    a = np.asarray(x, dtype=np.float64)
    c = np.asarray(codes, dtype=np.intp)
    ranks, ties, n = rank_columns(a)
    present = ~np.isnan(a)
    total = np.zeros(a.shape[1])
    groups = np.zeros(a.shape[1])
    for level in range(k):
        mask = (c == level)[:, None]
        ng = (present & mask).sum(axis=0).astype(np.float64)
        rg = np.where(mask, np.nan_to_num(ranks), 0.0).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            total += np.where(ng > 0, rg**2 / ng, 0.0)
        groups += ng > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        h = 12.0 / (n * (n + 1.0)) * total - 3.0 * (n + 1.0)
        h = h / (1.0 - ties / (n**3 - n))
        pval = stats.chi2.sf(h, groups - 1.0)
        coef = h / (n - 1.0)
    bad = (groups < 2) | ~np.isfinite(h)
    return RankResult(
        np.where(bad, np.nan, coef), np.where(bad, np.nan, h), np.where(bad, np.nan, pval), n
    )


def spearman(x: npt.ArrayLike, v: npt.ArrayLike) -> RankResult:
    r"""Spearman's :math:`\rho` of each column with ``v`` and its two-sided p-value.

    :math:`\rho` is Pearson's correlation of the mid-ranks (over the samples
    where both are present);
    :math:`t = \rho\sqrt{(n-2)/(1-\rho^2)}` on :math:`n-2` df. A constant
    column gives ``NaN``.

    >>> res = spearman(np.array([[1.0, 4.0], [2.0, 3.0], [3.0, 2.0], [4.0, 5.0]]),
    ...                np.array([1.0, 2.0, 3.0, 4.0]))
    >>> res.coef.round(6).tolist(), res.pval.round(6).tolist()
    ([1.0, 0.2], [0.0, 0.8])
    """
    a = np.asarray(x, dtype=np.float64)
    w = np.asarray(v, dtype=np.float64)
    keep = ~np.isnan(w)
    a, w = a[keep], w[keep]
    m = a.shape[1]
    complete = ~np.isnan(a).any(axis=0)
    rho = np.full(m, np.nan)
    count = np.zeros(m)
    if complete.any():
        rho[complete], count[complete] = _spearman_complete(a[:, complete], w)
    for j in np.flatnonzero(~complete):
        rows = ~np.isnan(a[:, j])
        r, c = _spearman_complete(a[rows, j : j + 1], w[rows])
        rho[j], count[j] = r[0], c[0]
    df = count - 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = rho * np.sqrt(df / ((1.0 - rho) * (1.0 + rho)))
        pval = 2.0 * stats.t.sf(np.abs(t), df)
    pval = np.where(df > 0, pval, np.nan)
    return RankResult(rho, t, pval, count)


def _spearman_complete(a: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    n = a.shape[0]
    ra, _, _ = rank_columns(a)
    rw, _, _ = rank_columns(w[:, None])
    ra = ra - ra.mean(axis=0)
    rw = rw - rw.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = (ra * rw).sum(axis=0) / np.sqrt((ra**2).sum(axis=0) * (rw**2).sum())
    rho = np.clip(rho, -1.0, 1.0)
    return rho, np.full(a.shape[1], float(n))


def _levels(column: pd.Series, reference: str | None) -> list[str]:
    labels = sorted({str(v) for v in column.dropna()})
    order = r_sorted(labels)
    if reference is not None:
        if reference not in order:
            raise OptionError(
                "reference level not found",
                where=f"fixed effect {column.name!r}",
                found=repr(reference),
                expected="one of the levels " + ", ".join(order),
                fix="correct the reference level (it is case-sensitive)",
            )
        order.remove(reference)
        order.insert(0, reference)
    return order


def fit_rank_tests(
    features: pd.DataFrame,
    metadata: pd.DataFrame,
    fixed: Sequence[str],
    reference: str | Mapping[str, str] | None = None,
    normalization: Normalization = "TSS",
    transform: Transform = "LOG",
    min_prevalence: float = 0.1,
    min_abundance: float = 0.0,
    min_variance: float = 0.0,
    max_significance: float | None = None,
) -> pd.DataFrame:
    """Rank tests of every feature against each fixed effect, in MaAsLin2's table layout.

    Filtering, normalisation and transform follow MaAsLin2 exactly
    (:func:`~gutbrain.core.stats.maaslin2.fit_maaslin2`); each fixed effect is
    then tested **on its own** (rank tests do not adjust for covariates) over
    the samples where it is not missing: a numeric variable by Spearman, a
    two-level factor by Mann–Whitney (``value`` = the non-reference level), a
    factor with more levels by Kruskal–Wallis (``value`` = the variable name).
    One Benjamini–Hochberg adjustment over all rows; rows sorted by q.

    Returns
    -------
    DataFrame
        Columns :data:`~gutbrain.core.stats.maaslin2.MAASLIN2_COLUMNS`
        (``stderr`` missing; ``coef`` the effect size of the module docstring).

    Examples
    --------
    >>> md = pd.DataFrame({"grp": ["a"] * 4 + ["b"] * 4, "age": [1., 2, 3, 4, 5, 6, 7, 8]},
    ...                   index=[f"s{i}" for i in range(8)])
    >>> ft = pd.DataFrame({"f1": [1., 2, 3, 4, 5, 6, 7, 8]}, index=md.index)
    >>> res = fit_rank_tests(ft, md, ["grp", "age"], normalization="NONE", transform="NONE")
    >>> res[["metadata", "value", "coef"]].values.tolist()
    [['age', 'age', 1.0], ['grp', 'b', 1.0]]
    """
    norm, trans = check_combination(normalization, transform)
    features = orient_features(features, metadata)
    check_numeric(features)
    names = make_names([str(c) for c in features.columns])
    sample_ids = [str(i) for i in features.index]
    meta = metadata.copy()
    meta.index = pd.Index([str(i) for i in metadata.index])
    common = set(sample_ids) & set(meta.index)
    if not common:
        raise InputError(
            "no sample in common between the feature table and the metadata",
            found=f"{len(sample_ids)} feature-table samples, {len(meta)} metadata samples",
            expected="the same sample ids in both tables",
            fix="check the sample id column / orientation of both tables",
        )
    keep_rows = np.array([s in common for s in sample_ids])
    order = [s for s in sample_ids if s in common]
    meta = meta.loc[order]
    raw = features.to_numpy(dtype=np.float64, na_value=np.nan)[keep_rows]
    refs = parse_reference(reference)
    for name in refs:
        if name not in fixed:
            raise OptionError(
                "reference given for a variable that is not a fixed effect",
                found=repr(name),
                expected="one of the fixed effects: " + ", ".join(fixed),
                fix="name the reference after a categorical fixed effect",
            )
    kept = filter_features(
        raw, min_abundance=min_abundance, min_prevalence=min_prevalence, min_variance=min_variance
    )
    normed = np.asarray(normalize(raw[:, kept], norm), dtype=np.float64)
    kept_names = [n for n, k in zip(names, kept, strict=True) if k]
    values = apply_transform(normed, trans, names=kept_names)
    tests: list[tuple[str, str, RankResult]] = []
    for var in fixed:
        levels = None
        if var in meta.columns and not pd.api.types.is_numeric_dtype(meta[var]):
            levels = {var: _levels(meta[var], refs.get(var))}
        ref = {var: refs[var]} if var in refs else None
        design = build_design(meta, [var], (), ref, levels=levels)
        y = values[design.rows]
        x = design.matrix[:, 1:]
        if not design.factors:
            tests.append((var, var, spearman(y, x[:, 0])))
        elif x.shape[1] == 1:
            tests.append((var, design.terms[0][1], mann_whitney(y, x[:, 0] > 0.5)))
        else:
            codes = (x * np.arange(1, x.shape[1] + 1)).sum(axis=1).astype(np.intp)
            tests.append((var, var, kruskal_wallis(y, codes, x.shape[1] + 1)))
    if not kept.any() or not tests:
        return pd.DataFrame({c: [] for c in MAASLIN2_COLUMNS})
    not_zero = (raw[:, kept] > 0).sum(axis=0)
    n_feat = len(kept_names)
    # feature-major rows, then fixed-effect order (as MaAsLin2's coefficient rows)
    coef = np.column_stack([t.coef for _, _, t in tests]).ravel()
    pval = np.column_stack([t.pval for _, _, t in tests]).ravel()
    table = pd.DataFrame(
        {
            "feature": np.repeat(kept_names, len(tests)),
            "metadata": [m for _ in range(n_feat) for m, _v, _t in tests],
            "value": [v for _ in range(n_feat) for _m, v, _t in tests],
            "coef": coef,
            "stderr": np.nan,
            "N": len(order),
            "N.not.0": np.repeat(not_zero, len(tests)),
            "pval": pval,
            "qval": benjamini_hochberg(pval),
        }
    )
    table = table[table["qval"].notna()]
    table = table.sort_values("qval", kind="stable").reset_index(drop=True)
    if max_significance is not None:
        table = table[table["qval"] <= max_significance].reset_index(drop=True)
    return table
