"""Writers for ``gutbrain modules`` outputs: abundance.tsv, coverage.tsv, modules.tsv, summary.json.

Numbers are written as the shortest decimal that reads back to the same
double (Python ``repr``), so coverage prints as ``0.6666666666666666`` and
no precision is lost. Empty cells mean "not reported" (abundance below the
cut-off or no observed step).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from gutbrain.core.module_report import DatabaseResult
from gutbrain.io.tsv_out import format_row, make_outdir, write_json, write_lines

__all__ = ["write_module_outputs"]


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
    out = make_outdir(outdir)
    per_taxon = any(r.row_taxa is not None for r in results)
    paths = {
        "abundance": out / "abundance.tsv",
        "coverage": out / "coverage.tsv",
        "modules": out / "modules.tsv",
        "summary": out / "summary.json",
    }
    summary = {**summary, "outputs": {k: str(v) for k, v in paths.items()}}
    write_lines(paths["abundance"], _table_lines(results, samples, "abundance", per_taxon))
    write_lines(paths["coverage"], _table_lines(results, samples, "coverage", per_taxon))
    write_lines(paths["modules"], _module_lines(results))
    write_json(paths["summary"], summary)
    return {k: str(v) for k, v in paths.items()}
