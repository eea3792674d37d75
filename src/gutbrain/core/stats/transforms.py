r"""Feature filters, normalisations and transforms with MaAsLin2 semantics.

Tables are samples × features ``float64`` arrays; every function works on all
features at once and never changes its argument. ``NaN`` stands for a missing
value (R ``NA``).

The order MaAsLin2 applies them in (Mallick et al. 2021, package 1.15.1) is:
filter the **raw** table (:func:`filter_features`), normalise the kept
features (:func:`normalize`), then transform (:func:`transform`). Feature
names are mangled by R's ``make.names`` (:func:`make_names`) before anything
else.

Empty input: a table with no samples or no features is returned unchanged in
shape; :func:`filter_features` keeps nothing when there are no samples.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from gutbrain.errors import InputError, OptionError

__all__ = [
    "Normalization",
    "Transform",
    "check_combination",
    "filter_features",
    "make_names",
    "normalize",
    "transform",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: MaAsLin2 normalisations implemented here (CSS and TMM are not).
Normalization = Literal["TSS", "CLR", "NONE"]
#: MaAsLin2 transforms.
Transform = Literal["LOG", "LOGIT", "AST", "NONE"]

#: R's reserved words: ``make.names`` appends a dot to them.
_R_RESERVED = frozenset(
    {
        *("if", "else", "repeat", "while", "function", "for", "next", "break", "in"),
        *("TRUE", "FALSE", "NULL", "Inf", "NaN", "NA"),
        *("NA_integer_", "NA_real_", "NA_character_", "NA_complex_"),
    }
)


def check_combination(normalization: str, transform_: str) -> tuple[Normalization, Transform]:
    """Validate a normalisation / transform pair as MaAsLin2 does.

    LOGIT and AST expect proportions, so they are only allowed after TSS or
    NONE.

    >>> check_combination("TSS", "AST")
    ('TSS', 'AST')
    >>> check_combination("CLR", "AST")
    Traceback (most recent call last):
    ...
    gutbrain.errors.OptionError: transform AST cannot follow normalisation CLR; ...
    """
    norms, trans = get_args(Normalization), get_args(Transform)
    if normalization not in norms:
        raise OptionError(
            "unknown normalisation",
            found=repr(normalization),
            expected="one of " + ", ".join(norms),
            fix="choose a supported normalisation (CSS and TMM are not implemented)",
        )
    if transform_ not in trans:
        raise OptionError(
            "unknown transform",
            found=repr(transform_),
            expected="one of " + ", ".join(trans),
            fix="choose a supported transform",
        )
    if transform_ in ("LOGIT", "AST") and normalization not in ("TSS", "NONE"):
        raise OptionError(
            f"transform {transform_} cannot follow normalisation {normalization}",
            found=f"normalization={normalization}, transform={transform_}",
            expected=f"normalization TSS or NONE with transform {transform_}",
            fix="use normalization TSS (or NONE on proportions), or transform LOG or NONE",
        )
    return normalization, transform_  # type: ignore[return-value]


def make_names(names: Iterable[str], *, unique: bool = True) -> list[str]:
    """Syntactically valid R names, as R's ``make.names``.

    Every character that is not a letter, digit, ``.`` or ``_`` becomes ``.``;
    a name that does not start with a letter, or starts with ``.`` and a digit,
    gets an ``X`` prefix; reserved words get a trailing ``.``. With ``unique``,
    repeats get ``.1``, ``.2`` … as ``make.unique`` (what ``read.table`` does
    with ``check.names = TRUE``).

    >>> make_names(["Faecalibacterium prausnitzii", "1abc", ".5x", "a-b", "if", "a-b"])
    ['Faecalibacterium.prausnitzii', 'X1abc', 'X.5x', 'a.b', 'if.', 'a.b.1']
    """
    out: list[str] = []
    for name in names:
        s = "".join(c if (c.isalnum() or c in "._") else "." for c in name)
        if (
            not s
            or not (s[0].isalpha() or s[0] == ".")
            or (s[0] == "." and len(s) > 1 and s[1].isdigit())
        ):
            s = "X" + s
        if s in _R_RESERVED:
            s += "."
        out.append(s)
    if unique:
        seen: set[str] = set(out)
        counts: dict[str, int] = {}
        done: set[str] = set()
        result = []
        for s in out:
            if s not in done:
                done.add(s)
                result.append(s)
                continue
            k = counts.get(s, 0)
            while True:
                k += 1
                cand = f"{s}.{k}"
                if cand not in seen:
                    break
            counts[s] = k
            seen.add(cand)
            result.append(cand)
        out = result
    return out


def _dense(table: FloatArray | sp.sparray | sp.spmatrix) -> FloatArray:
    if sp.issparse(table):
        return np.asarray(sp.csr_array(table).toarray(), dtype=np.float64)
    return np.asarray(table, dtype=np.float64)


def _column_extreme(csc: sp.csc_array, ufunc: np.ufunc) -> FloatArray:
    """Per column reduction of the stored values (±inf for a column without any)."""
    start = np.inf if ufunc is np.minimum else -np.inf
    out = np.full(csc.shape[1], start)
    nnz = np.diff(csc.indptr)
    cols = np.repeat(np.arange(csc.shape[1]), nnz)
    ufunc.at(out, cols, csc.data)
    return out


def filter_features(
    table: FloatArray | sp.sparray | sp.spmatrix,
    *,
    min_abundance: float = 0.0,
    min_prevalence: float = 0.1,
    min_variance: float = 0.0,
) -> BoolArray:
    r"""Which features MaAsLin2 keeps, from the raw samples × features table.

    A feature is kept when both

    .. math:: \#\{i : x_{ij} > a\} > n\,\pi \quad\text{and}\quad s^2_j > v

    hold, with :math:`a` = ``min_abundance``, :math:`\pi` = ``min_prevalence``,
    :math:`v` = ``min_variance``, :math:`n` samples and :math:`s^2_j` the sample
    variance (:math:`n-1`); all comparisons are strict and missing values count
    as 0. Sparse input is not densified.

    >>> x = np.array([[0.0, 1.0, 0.5], [0.0, 2.0, 0.5], [3.0, 0.0, 0.5]])
    >>> filter_features(x, min_prevalence=0.5).tolist()
    [False, True, False]
    """
    n = table.shape[0]
    if sp.issparse(table):
        csc = sp.csc_array(table, dtype=np.float64)
        data = np.nan_to_num(csc.data, nan=0.0)
        csc = sp.csc_array((data, csc.indices, csc.indptr), shape=csc.shape)
        present = np.asarray((csc > min_abundance).sum(axis=0)).ravel()
        if min_abundance < 0:  # implicit zeros are above a negative threshold
            present = present + (n - np.diff(csc.indptr))
        total = np.asarray(csc.sum(axis=0)).ravel()
        mean = total / max(n, 1)
        nnz = np.diff(csc.indptr)
        dev = csc.data - np.repeat(mean, nnz)  # two-pass: stored values, then implicit zeros
        ss = np.bincount(np.repeat(np.arange(csc.shape[1]), nnz), dev**2, csc.shape[1])
        ss = ss + (n - nnz) * mean**2
        var = ss / (n - 1) if n > 1 else np.full(total.shape, np.nan)
        lo = np.minimum(_column_extreme(csc, np.minimum), np.where(nnz < n, 0.0, np.inf))
        hi = np.maximum(_column_extreme(csc, np.maximum), np.where(nnz < n, 0.0, -np.inf))
    else:
        x = np.nan_to_num(np.asarray(table, dtype=np.float64), nan=0.0)
        present = (x > min_abundance).sum(axis=0)
        var = x.var(axis=0, ddof=1) if n > 1 else np.full(x.shape[1], np.nan)
        lo, hi = (x.min(axis=0), x.max(axis=0)) if n else (var, var)
    var = np.where(lo == hi, 0.0, var)  # a constant feature has variance 0, not round-off
    keep: BoolArray = (present > n * min_prevalence) & (var > min_variance)
    return keep


def normalize(
    table: FloatArray | sp.sparray | sp.spmatrix, method: Normalization
) -> FloatArray | sp.csr_array:
    r"""Normalise each sample (row), as MaAsLin2.

    * ``TSS``: :math:`x_{ij} / \max(\varepsilon, \sum_j x_{ij})` with
      :math:`\varepsilon` the machine epsilon (vegan ``decostand(total)``), so
      an all-zero sample stays 0; missing values are left out of the sum.
      Sparse input gives a sparse CSR result.
    * ``CLR``: with :math:`y = x + 1`,
      :math:`\log y_{ij} - \frac1p\sum_k \log y_{ik}` (natural log; the
      pseudo-count 1 is added even to proportions, as MaAsLin2 does).
    * ``NONE``: unchanged (a copy).

    >>> normalize(np.array([[1.0, 3.0], [0.0, 0.0]]), "TSS").tolist()
    [[0.25, 0.75], [0.0, 0.0]]
    >>> normalize(np.array([[0.0, 0.0]]), "CLR").tolist()
    [[0.0, 0.0]]
    """
    eps = float(np.finfo(np.float64).eps)
    if method == "TSS":
        if sp.issparse(table):
            csr = sp.csr_array(table, dtype=np.float64)
            sums = np.asarray(
                sp.csr_array(
                    (np.nan_to_num(csr.data), csr.indices, csr.indptr), shape=csr.shape
                ).sum(axis=1)
            ).ravel()
            scale = 1.0 / np.maximum(eps, sums)
            out = csr.copy()
            out.data = out.data * np.repeat(scale, np.diff(csr.indptr))
            return out
        x = np.asarray(table, dtype=np.float64)
        sums = np.nansum(x, axis=1, keepdims=True)
        result: FloatArray = x / np.maximum(eps, sums)
        return result
    x = _dense(table)
    if method == "CLR":
        logs = np.log(x + 1.0)
        clr: FloatArray = logs - logs.mean(axis=1, keepdims=True)
        return clr
    if method == "NONE":
        return x.copy()
    check_combination(method, "NONE")  # raises for an unknown name
    raise AssertionError("unreachable")  # pragma: no cover


def transform(table: FloatArray, method: Transform, *, names: Iterable[str] = ()) -> FloatArray:
    r"""Transform every feature (column), as MaAsLin2.

    * ``LOG``: :math:`\log_2 x`, where zeros of a feature are first replaced by
      half that feature's smallest positive value (a feature without a positive
      value is left ``NaN``).
    * ``AST``: :math:`\operatorname{sign}(x)\arcsin\sqrt{|x|}`; every finite
      value must satisfy :math:`|x| \le 1`.
    * ``LOGIT``: :math:`\log\frac{x}{1-x}` (``car::logit`` with ``adjust = 0``;
      values in (1, 100] are read as percents); non-finite results become 0.
    * ``NONE``: unchanged (a copy).

    ``names`` (feature names, optional) only serve error messages.

    >>> transform(np.array([[0.0], [1.0], [4.0]]), "LOG").ravel().tolist()
    [-1.0, 0.0, 2.0]
    >>> transform(np.array([[0.25], [-1.0]]), "AST").ravel().round(6).tolist()
    [0.523599, -1.570796]
    """
    x = np.asarray(table, dtype=np.float64)
    if method == "NONE":
        return x.copy()
    if method == "LOG":
        pos = np.where(x > 0, x, np.inf)
        half_min = pos.min(axis=0, initial=np.inf) / 2.0
        half_min = np.where(np.isfinite(half_min), half_min, np.nan)
        filled = np.where(x == 0, half_min[None, :], x)
        with np.errstate(divide="ignore", invalid="ignore"):
            logged: FloatArray = np.log2(filled)
        return logged
    if method == "AST":
        bad = np.abs(x) > 1
        if bad.any():
            _raise_out_of_range(
                x,
                bad,
                names,
                "AST",
                "[-1, 1]",
                "proportions (TSS, or NONE on a table of proportions)",
            )
        ast: FloatArray = np.sign(x) * np.arcsin(np.sqrt(np.abs(x)))
        return ast
    if method == "LOGIT":
        finite_max = np.nanmax(x) if x.size and not np.isnan(x).all() else 0.0
        p = x / 100.0 if finite_max > 1 else x
        bad = (p < 0) | (p > 1)
        if bad.any():
            _raise_out_of_range(
                x,
                bad,
                names,
                "LOGIT",
                "[0, 1] (or percents in [0, 100])",
                "proportions (TSS, or NONE on a table of proportions)",
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            lg = np.log(p / (1.0 - p))
        logit: FloatArray = np.where(np.isfinite(lg), lg, 0.0)
        return logit
    check_combination("NONE", method)  # raises for an unknown name
    raise AssertionError("unreachable")  # pragma: no cover


def _raise_out_of_range(
    x: FloatArray, bad: BoolArray, names: Iterable[str], method: str, expected: str, fix: str
) -> None:
    row, col = (int(i) for i in np.argwhere(bad)[0])
    labels = list(names)
    feature = labels[col] if col < len(labels) else f"column {col + 1}"
    raise InputError(
        f"{int(bad.sum())} value(s) outside the range of the {method} transform",
        where=f"feature {feature}, sample {row + 1}",
        found=repr(float(x[row, col])),
        expected=f"values in {expected}",
        fix=f"give the {method} transform {fix}, or choose transform LOG or NONE",
    )
