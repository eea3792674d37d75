"""Writing result tables and JSON summaries, atomically.

Numbers are written as the shortest decimal that reads back to the same
double (Python ``repr``); NaN becomes an empty cell. Each file is written under
a temporary name and renamed, so an interrupted run never leaves half a file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from gutbrain.errors import InputError

__all__ = [
    "format_row",
    "make_outdir",
    "open_atomic",
    "write_bytes",
    "write_json",
    "write_lines",
    "write_matrix",
]


def format_row(values: npt.NDArray[np.float64]) -> str:
    """Tab-joined shortest round-trip decimals; NaN becomes an empty cell.

    >>> format_row(np.array([5457.398359, np.nan, 2 / 3, 0.0]))
    '5457.398359\\t\\t0.6666666666666666\\t0.0'
    """
    return "\t".join("" if v != v else repr(v) for v in values.tolist())


def _os_error(path: Path, exc: OSError) -> InputError:
    return InputError(
        "cannot write output",
        where=str(path),
        found=exc.strerror or type(exc).__name__,
        expected="a writable directory with free space",
        fix="choose another -o directory or fix its permissions",
    )


def make_outdir(outdir: str | os.PathLike[str]) -> Path:
    """Create the output directory (and parents) if needed."""
    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(out, exc) from None
    return out


def write_lines(path: Path, lines: Iterable[str]) -> None:
    """Write ``lines`` (each ending in a newline) to ``path`` atomically."""
    with open_atomic(path) as fh:
        fh.writelines(lines)


@contextmanager
def open_atomic(path: Path) -> Iterator[TextIO]:
    """A text file to write piece by piece: written under a temporary name, renamed to
    ``path`` when the block ends without an error, removed when it raises.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with open_atomic(Path(tmp) / "a.tsv") as fh:
    ...         _ = fh.write("x")
    ...     print(sorted(p.name for p in Path(tmp).iterdir()))
    ['a.tsv']
    """
    tmp = path.with_name(path.name + ".part")
    try:
        fh = open(tmp, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise _os_error(path, exc) from None
    try:
        with fh:
            yield fh
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _os_error(path, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise _os_error(path, exc) from None


def write_matrix(
    path: Path,
    corner: str,
    row_ids: Sequence[str],
    col_ids: Sequence[str],
    matrix: npt.NDArray[np.float64],
) -> None:
    """A labelled matrix: header ``corner<TAB>col_ids…``, then ``row_id<TAB>values…``."""

    def lines() -> Iterator[str]:
        yield "\t".join([corner, *col_ids]) + "\n"
        for rid, row in zip(row_ids, matrix, strict=True):
            yield f"{rid}\t{format_row(np.asarray(row, dtype=np.float64))}\n"

    write_lines(path, lines())


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Pretty JSON, UTF-8, no NaN (NaN must be turned into null by the caller)."""
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    write_lines(path, [text])
