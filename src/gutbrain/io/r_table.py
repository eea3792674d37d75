"""Tables written as R's ``write.table(sep = "\\t", row.names = FALSE)`` writes them.

MaAsLin 2 and MaAsLin 3 write their result tables this way, and gutbrain's cohort tables
must read like theirs: 15 significant digits in the shorter of fixed and scientific notation
(R's ``scipen = 0`` rule), ``NA`` for a missing value, strings quoted or not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gutbrain.io.tsv_out import write_lines

__all__ = ["r_number", "table_lines", "write_r_table"]


def r_number(x: float) -> str:
    """A double as R's ``write.table`` writes it: 15 significant digits, shortest form.

    Fixed notation unless scientific is shorter (R's ``scipen = 0`` rule); ``NA``
    for a missing value.

    >>> [r_number(v) for v in (-0.203792616948905, 9.36082637074625e-35, 1595.0, 0.0001, 1e5)]
    ['-0.203792616948905', '9.36082637074625e-35', '1595', '1e-04', '1e+05']
    >>> r_number(float("nan")), r_number(0.1 + 0.2), r_number(123456.7)
    ('NA', '0.3', '123456.7')
    """
    if math.isnan(x):
        return "NA"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    if x == 0:
        return "0"
    mant, _, exp_text = f"{x:.14e}".partition("e")
    mant = mant.rstrip("0").rstrip(".")
    exponent = int(exp_text)
    digits = mant.lstrip("-").replace(".", "")
    nsig = len(digits)
    neg = 1 if x < 0 else 0
    exp_width = 3 if abs(exponent) >= 100 else 2
    sci_width = neg + nsig + (1 if nsig > 1 else 0) + 2 + exp_width
    right = max(0, nsig - exponent - 1)
    left = exponent + 1 if exponent >= 0 else 1
    fixed_width = neg + left + (right + 1 if right else 0)
    if fixed_width <= sci_width:
        return f"{x:.{right}f}"
    sign = "-" if exponent < 0 else "+"
    return f"{mant}e{sign}{abs(exponent):0{exp_width}d}"


def _cell(value: Any, quote: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return r_number(float(value))
    text = str(value)
    return '"' + text.replace('"', '""') + '"' if quote else text


def table_lines(frame: pd.DataFrame, columns: Sequence[str], quote: bool) -> list[str]:
    """R ``write.table(sep = "\\t", row.names = FALSE)`` lines of ``frame``'s ``columns``.

    >>> table_lines(pd.DataFrame({"a": ["x"], "b": [0.5]}), ["a", "b"], quote=True)
    ['"a"\\t"b"\\n', '"x"\\t0.5\\n']
    """
    head = "\t".join(_cell(c, quote) for c in columns) + "\n"
    rows = zip(*(frame[c].tolist() for c in columns), strict=True) if len(frame) else iter(())
    return [head] + ["\t".join(_cell(v, quote) for v in row) + "\n" for row in rows]


def write_r_table(path: Path, frame: pd.DataFrame, columns: Sequence[str], quote: bool) -> None:
    """Write ``frame``'s ``columns`` to ``path`` atomically (see :func:`table_lines`)."""
    write_lines(path, table_lines(frame, columns, quote))
