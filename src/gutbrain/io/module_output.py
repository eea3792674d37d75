"""Writers for ``gutbrain modules`` outputs: abundance.tsv, coverage.tsv, modules.tsv, summary.json.

Numbers are written as the shortest decimal that reads back to the same
double (Python ``repr``), so coverage prints as ``0.6666666666666666`` and
no precision is lost. Empty cells mean "not reported" (abundance below the
cut-off or no observed step).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gutbrain.core.module_report import DatabaseResult
from gutbrain.errors import InputError

__all__ = ["format_row", "write_module_outputs"]


def format_row(values: npt.NDArray[np.float64]) -> str:
    """Tab-joined shortest round-trip decimals; NaN becomes an empty cell.

    >>> format_row(np.array([5457.398359, np.nan, 2 / 3, 0.0]))
    '5457.398359\\t\\t0.6666666666666666\\t0.0'
    """
    return "\t".join("" if v != v else repr(v) for v in values.tolist())


def _table_lines(
    results: Sequence[DatabaseResult], samples: Sequence[str], which: str, per_taxon: bool
) -> Iterator[str]:
    head = ["taxon", "module"] if per_taxon else ["module"]
    yield "\t".join([*head, *samples]) + "\n"
    for res in results:
        matrix = res.coverage if which == "coverage" else res.abundance
        for i, module in enumerate(res.row_modules):
            lead = [res.row_taxa[i], module] if res.row_taxa is not None else [module]
            yield "\t".join(lead) + "\t" + format_row(matrix[i]) + "\n"


def _module_lines(results: Sequence[DatabaseResult]) -> Iterator[str]:
    yield "module\tdatabase\tname\tsteps\tmax_coverage\tcomputable\treason\n"
    for res in results:
        for m, c in zip(res.database.modules, res.computability, strict=True):
            yield (
                f"{m.id}\t{res.database.key}\t{m.name}\t{m.n_steps}\t{c.max_coverage!r}\t"
                f"{'yes' if c.computable else 'no'}\t{c.reason}\n"
            )


def _write_lines(path: Path, lines: Iterator[str]) -> None:
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(lines)
    os.replace(tmp, path)


def write_module_outputs(
    outdir: str | os.PathLike[str],
    samples: Sequence[str],
    results: Sequence[DatabaseResult],
    summary: dict[str, Any],
) -> dict[str, str]:
    """Write the four output files into ``outdir`` (created if needed).

    Each file is written to a temporary name and renamed, so an interrupted
    run never leaves a half-written table behind. Returns the paths written.
    """
    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            "cannot create the output directory",
            where=str(out),
            found=exc.strerror or type(exc).__name__,
            expected="a writable directory",
            fix="choose another -o directory or fix its permissions",
        ) from None
    per_taxon = any(r.row_taxa is not None for r in results)
    paths = {
        "abundance": out / "abundance.tsv",
        "coverage": out / "coverage.tsv",
        "modules": out / "modules.tsv",
        "summary": out / "summary.json",
    }
    summary = {**summary, "outputs": {k: str(v) for k, v in paths.items()}}
    try:
        _write_lines(paths["abundance"], _table_lines(results, samples, "abundance", per_taxon))
        _write_lines(paths["coverage"], _table_lines(results, samples, "coverage", per_taxon))
        _write_lines(paths["modules"], _module_lines(results))
        text = json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        _write_lines(paths["summary"], iter([text]))
    except OSError as exc:
        raise InputError(
            "cannot write output",
            where=str(out),
            found=exc.strerror or type(exc).__name__,
            expected="a writable directory with free space",
            fix="choose another -o directory",
        ) from None
    return {k: str(v) for k, v in paths.items()}
