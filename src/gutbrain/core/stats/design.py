"""Design matrices from sample metadata, with R / MaAsLin2 conventions.

A *fixed effect* is a metadata column. A numeric column gives one column of
the design (optionally standardised as R ``scale``: mean 0, sample SD 1 over
the non-missing values). Any other column is a factor: its levels are sorted
alphabetically (case-insensitive, lower case first, as R in an English
locale), the reference level is moved first, and each other level gets a
treatment-coded 0/1 column named ``<column><level>`` (R's coefficient name).
A factor with more than two levels needs an explicit reference.

*Random effects* are grouping columns for random intercepts; their levels are
coded ``0 … g-1``.

Rows with a missing value in any model variable are left out (R
``na.action = na.exclude``); levels not seen in the remaining rows are
dropped, as R's ``model.frame`` does.

Empty input: a table with no complete row gives a design with zero rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from gutbrain.errors import InputError, OptionError

__all__ = [
    "Design",
    "build_design",
    "coefficient_terms",
    "parse_reference",
    "r_sorted",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

INTERCEPT = "(Intercept)"


@dataclass(frozen=True)
class Design:
    """A model's design over the complete-case samples.

    Attributes
    ----------
    matrix:
        ``rows.sum()`` × p design (intercept first).
    columns:
        R coefficient names, ``"(Intercept)"`` first.
    terms:
        (metadata, value) for every column after the intercept (MaAsLin2 naming).
    rows:
        Per input sample: used in the model (no missing model variable).
    groups:
        Per random effect: level codes ``0 … g-1`` of the used samples.
    group_names:
        The random-effect columns.
    factors:
        (variable, design column indices of its non-reference levels) per factor.
    """

    matrix: FloatArray
    columns: tuple[str, ...]
    terms: tuple[tuple[str, str], ...]
    rows: BoolArray
    groups: tuple[IntArray, ...]
    group_names: tuple[str, ...]
    factors: tuple[tuple[str, tuple[int, ...]], ...] = ()


def r_sorted(values: Sequence[str]) -> list[str]:
    """Sort as R's ``sort`` on strings in an English locale (case-insensitive first).

    >>> r_sorted(["b", "B", "a", "A", "nonIBD", "CD", "UC"])
    ['a', 'A', 'b', 'B', 'CD', 'nonIBD', 'UC']
    """
    return sorted(values, key=lambda s: (s.casefold(), s.swapcase()))


def parse_reference(reference: str | Mapping[str, str] | None) -> dict[str, str]:
    """Reference levels from MaAsLin2's ``"var,level;var2,level2"`` string.

    >>> parse_reference("diagnosis,nonIBD; antibiotics,No")
    {'diagnosis': 'nonIBD', 'antibiotics': 'No'}
    """
    if reference is None:
        return {}
    if isinstance(reference, Mapping):
        return {str(k): str(v) for k, v in reference.items()}
    out: dict[str, str] = {}
    for part in reference.split(";"):
        if not part.strip():
            continue
        pieces = [p.strip() for p in part.split(",")]
        if len(pieces) != 2 or not all(pieces):
            raise OptionError(
                "malformed reference",
                found=repr(part),
                expected="'variable,level' pairs separated by ';' (e.g. 'diagnosis,nonIBD')",
                fix="write the reference as MaAsLin2 does",
            )
        out[pieces[0]] = pieces[1]
    return out


def _is_numeric(column: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column))


def _labels(column: pd.Series) -> list[str | None]:
    if pd.api.types.is_bool_dtype(column) or column.map(type).eq(bool).all():
        return [None if pd.isna(v) else ("TRUE" if v else "FALSE") for v in column]
    return [None if pd.isna(v) else str(v) for v in column]


def _check_columns(metadata: pd.DataFrame, names: Sequence[str], role: str) -> None:
    missing = [n for n in names if n not in metadata.columns]
    if missing:
        raise OptionError(
            f"{role} not found in the metadata",
            found=", ".join(repr(m) for m in missing),
            expected="one of the metadata columns: " + ", ".join(map(str, metadata.columns)),
            fix=f"correct the {role} names (they are case-sensitive)",
        )


def coefficient_terms(
    columns: Sequence[str], metadata_names: Sequence[str]
) -> list[tuple[str, str]]:
    """(metadata, value) of R coefficient names, the MaAsLin2 way.

    ``metadata`` is the longest metadata name the coefficient starts with;
    ``value`` the rest, or the name itself for a numeric variable.

    >>> coefficient_terms(["diagnosisCD", "dysbiosisCDYes", "age"],
    ...                   ["diagnosis", "dysbiosis", "dysbiosisCD", "age"])
    [('diagnosis', 'CD'), ('dysbiosisCD', 'Yes'), ('age', 'age')]
    """
    by_length = sorted(metadata_names, key=len, reverse=True)
    out = []
    for col in columns:
        meta = next((m for m in by_length if col.startswith(m)), col)
        value = col[len(meta) :] or meta
        out.append((meta, value))
    return out


def build_design(
    metadata: pd.DataFrame,
    fixed: Sequence[str],
    random: Sequence[str] = (),
    reference: str | Mapping[str, str] | None = None,
    *,
    standardize: bool = False,
    levels: Mapping[str, Sequence[str]] | None = None,
) -> Design:
    """Build the fixed-effect design and random-intercept groups.

    Parameters
    ----------
    metadata:
        Samples × variables (rows in sample order).
    fixed, random:
        Column names of the fixed effects and of the random-intercept groups.
    reference:
        Reference levels, ``"var,level;var2,level2"`` or a mapping.
    standardize:
        Z-score numeric fixed effects (R ``scale``: sample SD with n−1, over the
        non-missing values of all samples).
    levels:
        Explicit level order of factors (R ``factor(levels = …)``), the first
        being the reference; values outside the list count as missing.

    Examples
    --------
    >>> md = pd.DataFrame({"dx": ["a", "b", "c", "a"], "age": [1.0, 2.0, 3.0, None]})
    >>> d = build_design(md, ["dx", "age"], reference="dx,b")
    >>> d.columns, d.rows.tolist()
    (('(Intercept)', 'dxa', 'dxc', 'age'), [True, True, True, False])
    >>> d.matrix.tolist()
    [[1.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 2.0], [1.0, 0.0, 1.0, 3.0]]
    """
    fixed, random = list(fixed), list(random)
    _check_columns(metadata, fixed, "fixed effect(s)")
    _check_columns(metadata, random, "random effect(s)")
    refs = parse_reference(reference)
    unknown = [k for k in refs if k not in fixed]
    if unknown:
        raise OptionError(
            "reference given for a variable that is not a fixed effect",
            found=", ".join(repr(u) for u in unknown),
            expected="one of the fixed effects: " + ", ".join(fixed),
            fix="name the reference after a categorical fixed effect",
        )
    n = len(metadata)
    rows = np.ones(n, dtype=bool)
    for name in [*fixed, *random]:
        rows &= ~metadata[name].isna().to_numpy()
    for name, order_given in (levels or {}).items():
        if name in fixed:  # values outside the given levels are missing, as in R
            allowed = {str(v) for v in order_given}
            rows &= np.array([lab in allowed for lab in _labels(metadata[name])])

    blocks: list[FloatArray] = [np.ones((int(rows.sum()), 1))]
    factors: list[tuple[str, tuple[int, ...]]] = []
    columns: list[str] = [INTERCEPT]
    for name in fixed:
        column = metadata[name]
        if _is_numeric(column):
            if name in refs:
                raise OptionError(
                    "reference given for a numeric variable",
                    found=f"{name} (numeric), reference {refs[name]!r}",
                    expected="a reference only for categorical variables",
                    fix=f"remove {name!r} from the reference",
                )
            values = column.to_numpy(dtype=np.float64, na_value=np.nan)
            if standardize:
                ok = values[~np.isnan(values)]
                sd = ok.std(ddof=1) if ok.size > 1 else np.nan
                values = (values - ok.mean()) / sd
            blocks.append(values[rows][:, None])
            columns.append(name)
            continue
        labels = _labels(column)
        given = (levels or {}).get(name)
        if given is not None:
            order = [str(v) for v in given]
        else:
            order = r_sorted(sorted({v for v in labels if v is not None}))
        if name in refs:
            if refs[name] not in order:
                raise OptionError(
                    "reference level not found",
                    where=f"fixed effect {name!r}",
                    found=repr(refs[name]),
                    expected="one of the levels " + ", ".join(order),
                    fix="correct the reference level (it is case-sensitive)",
                )
            order.remove(refs[name])
            order.insert(0, refs[name])
        elif len(order) > 2 and given is None:
            raise OptionError(
                "categorical variable with more than two levels needs a reference",
                where=f"fixed effect {name!r}",
                found=f"{len(order)} levels: " + ", ".join(order),
                expected="a reference level for it",
                fix=f"add reference '{name},<level>' (e.g. '{name},{order[0]}')",
            )
        used = [lab for lab, r in zip(labels, rows, strict=True) if r]
        present = set(used)
        order = [lev for lev in order if lev in present]
        if len(order) < 2:
            raise InputError(
                "categorical variable has fewer than two levels in the complete samples",
                where=f"fixed effect {name!r}",
                found="levels: " + (", ".join(order) or "none"),
                expected="at least two levels",
                fix="remove the variable from the fixed effects",
            )
        arr = np.array(used, dtype=object)
        factors.append((name, tuple(range(len(columns), len(columns) + len(order) - 1))))
        for level in order[1:]:
            blocks.append((arr == level).astype(np.float64)[:, None])
            columns.append(name + level)

    groups: list[IntArray] = []
    for name in random:
        labels = [lab for lab, r in zip(_labels(metadata[name]), rows, strict=True) if r]
        _, codes = np.unique(np.array(labels, dtype=str), return_inverse=True)
        groups.append(codes.astype(np.intp))

    matrix = np.hstack(blocks) if blocks else np.empty((int(rows.sum()), 0))
    terms = coefficient_terms(columns[1:], [*fixed, *random])
    return Design(
        matrix, tuple(columns), tuple(terms), rows, tuple(groups), tuple(random), tuple(factors)
    )
