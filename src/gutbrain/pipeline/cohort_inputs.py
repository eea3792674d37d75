"""Inputs of ``gutbrain cohort``: which axis of each table holds the samples, and cell types.

The feature table and the metadata may each have the samples as rows or as columns; the pair
of axes sharing the most ids wins (:func:`orient_tables`). Feature cells become floats, metadata
columns numbers when every non-missing cell is one (R ``type.convert``), else categories.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from gutbrain.errors import InputError, InputFormatError
from gutbrain.io.cohort_table import NA_TOKENS, RawTable

__all__ = ["MIN_SHARED", "orient_tables"]

#: fewest sample ids the two tables must share
MIN_SHARED = 3


def _axis_ids(cells: pd.DataFrame) -> dict[str, list[str]]:
    return {"rows": [str(i) for i in cells.index], "columns": [str(c) for c in cells.columns]}


def orient_tables(features: RawTable, metadata: RawTable) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Samples × features (floats) and samples × variables (typed), from the shared ids.

    The sample axis of each table is the pair of axes (rows or columns of each)
    sharing the most ids; at least :data:`MIN_SHARED` must be shared, and no other
    pair may share as many.
    """
    f_ids, m_ids = _axis_ids(features.cells), _axis_ids(metadata.cells)
    f_axes = ["columns"] if features.orientation == "features-as-rows" else ["rows", "columns"]
    counts = {
        (fa, ma): len(set(f_ids[fa]) & set(m_ids[ma]))
        for fa in f_axes
        for ma in ("rows", "columns")
    }
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    (best_f, best_m), best = ranked[0]
    if best < MIN_SHARED:
        raise InputError(
            "too few sample ids shared by the feature table and the metadata",
            where=f"{features.source} and {metadata.source}",
            found=f"{best} shared id(s); feature table "
            + "; ".join(f"{ax} e.g. {_examples(f_ids[ax])}" for ax in f_axes)
            + "; metadata "
            + "; ".join(f"{ax} e.g. {_examples(m_ids[ax])}" for ax in ("rows", "columns")),
            expected=f"at least {MIN_SHARED} sample ids present in both tables "
            "(samples as rows or as columns of either)",
            fix=_id_fix(f_ids, m_ids, f_axes),
        )
    for (fa, ma), n in ranked[1:]:
        # the complementary pair (both axes swapped) holds feature and variable names: harmless
        if n >= max(MIN_SHARED, best / 2) and (fa != best_f) != (ma != best_m):
            raise InputError(
                "cannot tell which axis holds the samples: both orientations match",
                where=f"{features.source} and {metadata.source}",
                found=f"{best} ids shared by the {best_f} of the features and the {best_m} of "
                f"the metadata, {n} by the {fa} and the {ma}",
                expected="sample ids along one axis of each table only",
                fix="give features and variables names that are not sample ids",
            )
    fcells = features.cells if best_f == "rows" else features.cells.T
    mcells = metadata.cells if best_m == "rows" else metadata.cells.T
    values = fcells if features.numeric else _numeric_features(fcells, features.source)
    return values, _typed_metadata(mcells)


def _examples(ids: Sequence[str]) -> str:
    return ", ".join(repr(i) for i in ids[:2]) or "none"


def _id_fix(
    f_ids: Mapping[str, list[str]], m_ids: Mapping[str, list[str]], f_axes: list[str]
) -> str:
    """The fix for unmatched ids; names the R ``make.names`` mangling when that is the cause."""

    def mangle(ids: Iterable[str]) -> set[str]:
        return {re.sub(r"[^0-9A-Za-z_.]", ".", i) for i in ids}

    for fa in f_axes:
        for ma in ("rows", "columns"):
            if len(mangle(f_ids[fa]) & mangle(m_ids[ma])) >= MIN_SHARED:
                return (
                    "the ids differ only in punctuation (R's make.names turns '-' or ' ' into "
                    "'.'): write both tables with the same ids"
                )
    return "use the same sample ids in both tables (check spelling, case and suffixes)"


def _numeric_features(cells: pd.DataFrame, source: str) -> pd.DataFrame:
    text = np.char.strip(cells.to_numpy(dtype=str))
    missing = np.isin(text, list(NA_TOKENS))
    try:
        values = np.where(missing, "nan", text).astype(np.float64)
    except ValueError:
        for (i, j), cell in np.ndenumerate(text):  # slow path: name the first bad cell
            if missing[i, j]:
                continue
            try:
                float(cell)
            except ValueError:
                raise InputFormatError(
                    "non-numeric value in the feature table",
                    where=f"{source}, feature {cells.columns[j]!r}, sample {cells.index[i]!r}",
                    found=InputFormatError.quote(str(cell)),
                    expected="numbers (missing values as NA or empty)",
                    fix="remove annotation rows/columns, or check the table's orientation",
                ) from None
        raise  # pragma: no cover - numpy and float() disagree
    return pd.DataFrame(values, index=cells.index, columns=cells.columns)


def _typed_metadata(cells: pd.DataFrame) -> pd.DataFrame:
    """Numeric columns where every non-missing cell is a number (R ``type.convert``)."""
    out: dict[str, pd.Series] = {}
    for col in cells.columns:
        text = cells[col].astype(str).str.strip()
        missing = text.isin(NA_TOKENS)
        numbers = pd.to_numeric(text.where(~missing, None), errors="coerce")
        if not (numbers.isna() & ~missing).any() and (~missing).any():
            out[col] = numbers.astype(np.float64)
        else:
            out[col] = pd.Series(
                [None if m else t for t, m in zip(text, missing, strict=True)],
                index=cells.index,
                dtype=object,
            )
    return pd.DataFrame(out, index=cells.index)
