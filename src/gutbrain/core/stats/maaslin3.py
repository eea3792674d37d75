r"""MaAsLin3-compatible abundance and prevalence association (fixed effects).

:func:`fit_maaslin3` follows MaAsLin 3 0.99.1 (Nickols et al. 2024) for fixed
effects, in its order of operations:

1. **normalise** every sample over all features (TSS or NONE), then mark every
   value at or below ``zero_threshold`` as absent (``NaN``);
2. **filter** the normalised table: keep features present above
   ``min_abundance`` in more than :math:`n\,\pi` samples whose present values
   have a sample variance above ``min_variance`` (strict);
3. **transform** the present values (LOG: :math:`\log_2`, no pseudo-count);
4. z-score numeric metadata (``standardize``), build the design;
5. **abundance model**: per feature, OLS on the samples where it is present.
   Unused factor levels are dropped (as R's ``lm``); a feature whose factor
   lost its reference level, or kept a single level, is an error; an aliased
   coefficient makes the median comparison fail for the feature;
6. **median comparison** (:func:`median_comparison`): each coefficient is
   tested against the median of that coefficient over features, with a
   Monte-Carlo correction drawn from R's ``set.seed(seed)`` stream;
7. **prevalence model**: augmented weighted logistic regression of presence
   on the design over all samples (:mod:`gutbrain.core.stats.logistic`);
8. q-values (one BH over both models), prevalence flags, joint p
   :math:`m(2-m)` with :math:`m` the smaller p of the two models, joint q,
   significance and MaAsLin3's row order.

Empty input: no feature passing the filter gives a table with the columns of
:data:`MAASLIN3_COLUMNS` and no rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from gutbrain.core.stats.design import Design, build_design
from gutbrain.core.stats.fdr import benjamini_hochberg
from gutbrain.core.stats.lm import ols
from gutbrain.core.stats.logistic import augment as augment_rows
from gutbrain.core.stats.logistic import logistic_irls
from gutbrain.core.stats.maaslin2 import check_numeric, orient_features
from gutbrain.core.stats.rng import RStream
from gutbrain.errors import InputError, OptionError

__all__ = ["MAASLIN3_COLUMNS", "fit_maaslin3", "median_comparison"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Columns of MaAsLin3's ``all_results.tsv``, in order.
MAASLIN3_COLUMNS = (
    "feature", "metadata", "value", "name", "coef", "stderr", "pval_individual",
    "qval_individual", "pval_joint", "qval_joint", "error", "model", "N", "N_not_zero",
)  # fmt: skip

ERR_BASELINE = "No data points have the baseline factor level"
ERR_SINGLE = "contrasts can be applied only to factors with 2 or more levels"
ERR_MEDIAN = "P-value became NA in median comparison"
ERR_EXTREME = "Prevalence model unreliable: extreme prevalence and extreme coefficient or p-value"
WARN_INDUCED = "Prevalence association possibly induced by stronger abundance association"

#: Monte-Carlo draws of the median comparison and the p-value cut for the median.
N_DRAWS = 10_000
MEDIAN_P_CUT = 0.95


def median_comparison(
    coef: FloatArray, stderr: FloatArray, pval: FloatArray, df: FloatArray, stream: RStream
) -> FloatArray:
    r"""p-values of each coefficient against the median over features (one coefficient name).

    With :math:`U` the features whose ordinary p is below 0.95, :math:`m` the
    median and :math:`s^2` the sample variance of their coefficients,
    :math:`\mathrm{sd}_m^2 = \frac{\pi}{2}\,s^2/|U|`; each of 10,000 draws is
    :math:`c_f + \mathrm{se}_f z_f` for every feature (normals from ``stream``,
    one feature after another within a draw), :math:`\tilde m` the draw's median
    over :math:`U`, :math:`\mathrm{cov}_f` the sample covariance of feature
    :math:`f`'s draws with :math:`\tilde m`, and

    .. math:: t_f = \frac{|c_f - m|}{\sqrt{\mathrm{se}_f^2 + \mathrm{sd}_m^2 - 2\,\mathrm{cov}_f}}

    is referred to :math:`t` with the feature's residual df, two-sided.

    >>> p = median_comparison(np.array([0.1, 0.5, 0.2]), np.full(3, 0.1),
    ...                       np.array([0.3, 0.001, 0.5]), np.full(3, 20.0), RStream(1))
    >>> p.round(3).tolist()
    [0.556, 0.11, 1.0]
    """
    used = pval < MEDIAN_P_CUT
    n = coef.size
    out = np.full(n, np.nan)
    if not used.any() or n == 0:
        return out
    med = float(np.median(coef[used]))
    var_m = float(np.var(coef[used], ddof=1)) if used.sum() > 1 else 0.0
    sd2_m = np.pi / 2.0 * var_m / used.sum()
    z = stream.normal(N_DRAWS * n).reshape(N_DRAWS, n)
    draws = coef + stderr * z
    medians = np.median(draws[:, used], axis=1)
    cov = (draws - draws.mean(axis=0)).T @ (medians - medians.mean()) / (N_DRAWS - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.abs(coef - med) / np.sqrt(stderr**2 + sd2_m - 2.0 * cov)
    out[:] = 2.0 * stats.t.sf(t, df)
    return out


def _abundance(
    design: Design, y: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, list[str]]:
    """Per-feature OLS on the present samples, with R's level and alias rules."""
    x = design.matrix
    p, m = x.shape[1], y.shape[1]
    coef, se, pval = (np.full((p, m), np.nan) for _ in range(3))
    df = np.full(m, np.nan)
    errors = [""] * m
    for j in range(m):
        rows = np.isfinite(y[:, j])
        xj = x[rows]
        keep = np.ones(p, dtype=bool)
        for _name, cols in design.factors:
            present = xj[:, list(cols)].any(axis=0)
            if not (xj[:, list(cols)].sum(axis=1) == 0).any():
                errors[j] = ERR_BASELINE
            elif not present.any():
                errors[j] = ERR_SINGLE
            keep[list(cols)] = present
            if errors[j]:
                break
        if errors[j] or rows.sum() <= keep.sum():
            errors[j] = errors[j] or "Too few non-zero samples for the model"
            continue
        fit = ols(xj[:, keep], y[rows, j : j + 1])
        coef[keep, j], se[keep, j], pval[keep, j] = fit.coef[:, 0], fit.stderr[:, 0], fit.pval[:, 0]
        df[j] = fit.df[0]
        if np.isnan(fit.coef[:, 0]).any():
            errors[j] = ERR_MEDIAN
    return coef, se, pval, df, errors


def _sort_model(table: pd.DataFrame) -> pd.DataFrame:
    keys = table[["feature", "metadata", "value", "name"]].apply(lambda c: c.str.casefold())
    order = np.lexsort([keys[c].to_numpy() for c in ("name", "value", "metadata", "feature")])
    table = table.iloc[order]
    return _sort_q(table)


def _sort_q(table: pd.DataFrame) -> pd.DataFrame:
    """Stable sort by q-value; flagged rows after the others, rows without q last."""
    errs = table["error"].ne("").to_numpy()
    q = table["qval_individual"].to_numpy(dtype=np.float64)
    missing = np.isnan(q)
    order = np.lexsort((np.where(missing, np.inf, q), errs & ~missing, missing))
    return table.iloc[order]


def fit_maaslin3(
    features: pd.DataFrame,
    metadata: pd.DataFrame,
    fixed: Sequence[str],
    levels: Mapping[str, Sequence[str]] | None = None,
    reference: str | Mapping[str, str] | None = None,
    normalization: Literal["TSS", "NONE"] = "TSS",
    transform: Literal["LOG", "NONE"] = "LOG",
    standardize: bool = True,
    min_abundance: float = 0.0,
    min_prevalence: float = 0.0,
    zero_threshold: float = 0.0,
    min_variance: float = 0.0,
    max_significance: float = 0.1,
    augment: bool = True,
    median_comparison_abundance: bool = True,
    warn_prevalence: bool = True,
    seed: int = 1,
    significant_only: bool = False,
) -> pd.DataFrame:
    """MaAsLin3 results (fixed effects only): abundance rows, then prevalence rows.

    Parameters mirror ``maaslin3()``; ``levels`` gives factor level orders
    (first = reference), ``seed`` the ``set.seed`` before the call.
    Every row is returned (``all_results.tsv``, with ``error``) unless
    ``significant_only``: then the rows with ``qval_joint`` ≤ ``max_significance``
    or ``qval_individual`` ≤ it without an error (``significant_results.tsv``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> md = pd.DataFrame({"grp": ["a", "b"] * 20, "age": rng.normal(50, 9, 40)},
    ...                   index=[f"s{i}" for i in range(40)])
    >>> counts = rng.poisson(5, (40, 3)) * (rng.random((40, 3)) < 0.7)
    >>> ft = pd.DataFrame(counts, index=md.index, columns=["f1", "f2", "f3"], dtype=float)
    >>> res = fit_maaslin3(ft, md, ["grp", "age"])
    >>> res.shape, sorted(res["model"].value_counts().items())
    ((12, 14), [('abundance', 6), ('prevalence', 6)])
    """
    if normalization not in ("TSS", "NONE"):
        raise OptionError(
            "unknown normalisation for MaAsLin3",
            found=repr(normalization),
            expected="TSS or NONE",
            fix="choose TSS or NONE",
        )
    if transform not in ("LOG", "NONE"):
        raise OptionError(
            "unknown transform for MaAsLin3",
            found=repr(transform),
            expected="LOG or NONE",
            fix="choose LOG or NONE",
        )
    features = orient_features(features, metadata)
    check_numeric(features)
    ids = [str(i) for i in features.index]
    meta = metadata.copy()
    meta.index = pd.Index([str(i) for i in metadata.index])
    meta_ids = set(meta.index)
    common = [s for s in ids if s in meta_ids]
    if not common:
        raise InputError(
            "no sample in common between the feature table and the metadata",
            found=f"{len(ids)} feature-table samples, {len(meta)} metadata samples",
            expected="the same sample ids in both tables",
            fix="check the sample id column / orientation of both tables",
        )
    common_set = set(common)
    raw = features.to_numpy(dtype=np.float64, na_value=np.nan)[[s in common_set for s in ids]]
    meta = meta.loc[common]
    n = len(common)
    with np.errstate(divide="ignore", invalid="ignore"):
        normed = raw / np.nansum(raw, axis=1, keepdims=True) if normalization == "TSS" else raw
    normed = np.where(normed <= zero_threshold, np.nan, normed)
    present = np.isfinite(normed)
    count = (present & (np.nan_to_num(normed, nan=-np.inf) > min_abundance)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.array(
            [np.var(c[np.isfinite(c)], ddof=1) if np.isfinite(c).sum() > 1 else np.nan
             for c in normed.T]
        )  # fmt: skip
    kept = (count > n * min_prevalence) & (var > min_variance)
    names = [str(c) for c, k in zip(features.columns, kept, strict=True) if k]
    if not names:
        return pd.DataFrame({c: [] for c in MAASLIN3_COLUMNS})
    values = normed[:, kept]
    if transform == "LOG":
        if np.any(values[np.isfinite(values)] <= 0):
            raise InputError(
                "LOG transform of non-positive values",
                found="values ≤ 0 above the zero threshold",
                expected="positive values",
                fix="use normalization TSS or a zero_threshold ≥ 0",
            )
        values = np.log2(values)
    design = build_design(meta, fixed, (), reference, standardize=standardize, levels=levels)
    y = values[design.rows]
    nonzero = np.isfinite(values).sum(axis=0)
    p = design.matrix.shape[1]

    coef, se, lm_p, df, errors = _abundance(design, y)
    abund_p = lm_p.copy()
    if median_comparison_abundance:
        stream = RStream(seed)
        ok = np.array([e == "" for e in errors])
        abund_p[:] = np.nan
        for i in range(1, p):
            feats = np.flatnonzero(ok & np.isfinite(coef[i]))
            if feats.size:
                abund_p[i, feats] = median_comparison(
                    coef[i, feats], se[i, feats], lm_p[i, feats], df[feats], stream
                )
    for j, e in enumerate(errors):
        if e:
            abund_p[:, j] = np.nan
            if e != ERR_MEDIAN:
                coef[:, j] = se[:, j] = np.nan

    presence = np.isfinite(y).astype(np.float64)
    if augment:
        xa, ya, wa = augment_rows(design.matrix, presence)
        prev = logistic_irls(xa, ya, wa)
    else:
        prev = logistic_irls(design.matrix, presence)
    n_used = design.matrix.shape[0]
    share = presence.sum(axis=0) / n_used
    rare = ((presence.sum(axis=0) < 50) & (share < 0.05)) | (
        (n_used - presence.sum(axis=0) < 50) & (share > 0.95)
    )
    extreme = rare[None, :] & ((np.abs(prev.coef) > 15) | (prev.pval < 1e-10))

    # long tables, feature-major, intercept dropped
    feat = np.repeat(names, p - 1)
    meta_col = [t[0] for _ in names for t in design.terms]
    value_col = [t[1] for _ in names for t in design.terms]
    coef_names = [c for _ in names for c in design.columns[1:]]
    a_err = np.repeat(errors, p - 1).astype(object)
    p_err = np.where(extreme[1:].T.ravel(), ERR_EXTREME, "").astype(object)
    a_p = abund_p[1:].T.ravel()
    p_p = np.where(p_err == "", prev.pval[1:].T.ravel(), np.nan)
    a_p_q = np.where(a_err == "", a_p, np.nan)
    q_all = benjamini_hochberg(np.concatenate([a_p_q, p_p]))
    a_q, p_q = q_all[: a_p.size], q_all[a_p.size :]

    if warn_prevalence:
        plain = np.where(np.repeat(errors, p - 1) == "", lm_p[1:].T.ravel(), np.nan)
        q_plain = benjamini_hochberg(np.concatenate([plain, p_p]))[: a_p.size]
        a_coef, p_coef = coef[1:].T.ravel(), prev.coef[1:].T.ravel()
        induced = (
            (a_err == "")
            & (p_err == "")
            & (q_plain < max_significance)
            & (np.sign(a_coef) == np.sign(p_coef))
            & (np.abs(a_coef) > np.abs(p_coef))
        )
        p_err = np.where(induced, WARN_INDUCED, p_err)

    a_side = np.where(a_err == "", a_p, np.nan)
    p_side = np.where(p_err == "", p_p, np.nan)
    low = np.fmin(a_side, p_side)
    joint = np.where(np.isnan(a_side) | np.isnan(p_side), low, low * (2.0 - low))  # pbeta(m, 1, 2)
    joint_q = benjamini_hochberg(joint)

    def table(model: str, c: FloatArray, s: FloatArray, pv: FloatArray, q: FloatArray,
              err: npt.NDArray[np.object_]) -> pd.DataFrame:  # fmt: skip
        return pd.DataFrame({
            "feature": feat, "metadata": meta_col, "value": value_col, "name": coef_names,
            "coef": c, "stderr": s, "pval_individual": pv, "qval_individual": q,
            "pval_joint": joint, "qval_joint": joint_q, "error": err, "model": model,
            "N": n, "N_not_zero": np.repeat(nonzero, p - 1),
        })  # fmt: skip

    abundance = table("abundance", coef[1:].T.ravel(), se[1:].T.ravel(), a_p, a_q, a_err)
    prevalence = table(
        "prevalence", prev.coef[1:].T.ravel(), prev.stderr[1:].T.ravel(),
        prev.pval[1:].T.ravel(), p_q, p_err,
    )  # fmt: skip
    out = _sort_q(pd.concat([_sort_model(abundance), _sort_model(prevalence)]))
    out = out.reset_index(drop=True)
    if significant_only:
        no_err = out["error"].eq("")
        sig = (out["qval_joint"] <= max_significance) | (
            (out["qval_individual"] <= max_significance) & no_err
        )
        out = out[sig].drop(columns="error").reset_index(drop=True)
    return out
