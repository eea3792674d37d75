"""Build the packaged example stool profile from ../shared (run from the repository root).

``src/gutbrain/knowledge/data/examples/hmp2_nonibd_metaphlan4.tsv``: one real HMP2
stool sample (MetaPhlAn 4 species relative abundances, as bundled with MaAsLin 3,
MIT; HMP2/IBDMDB data are public, Lloyd-Price et al. 2019). Selection rule: among
the non-IBD baseline samples (week 0, no dysbiosis, no antibiotics), the one whose
Shannon diversity is the median (lower median for an even count); ties by sample id.
Only species with a non-zero abundance are written, features as rows, values as
given (no renormalisation).

Usage::

    python tools/build_examples.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "gutbrain" / "knowledge" / "data" / "examples" / "hmp2_nonibd_metaphlan4.tsv"


def _r_table(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    """An R write.table file: header without the row-name cell."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    return rows[0], {r[0]: r[1:] for r in rows[1:]}


def _shannon(values: list[float]) -> float:
    total = sum(values)
    return -sum(v / total * math.log(v / total) for v in values if v > 0)


def build(shared: Path) -> tuple[str, list[tuple[str, str]]]:
    """The chosen sample id and its non-zero (species, value text) rows."""
    folder = shared / "data" / "maaslin3_hmp2"
    fields, meta = _r_table(folder / "HMP2_metadata.tsv")
    col = {f: i for i, f in enumerate(fields)}
    species, table = _r_table(folder / "HMP2_taxonomy.tsv")
    keep = [
        s
        for s, m in meta.items()
        if m[col["diagnosis"]] == "nonIBD"
        and m[col["dysbiosis_state"]] == "none"
        and m[col["antibiotics"]] == "No"
        and m[col["week_num"]] == "0"
        and s in table
    ]
    ranked = sorted(keep, key=lambda s: (_shannon([float(x) for x in table[s]]), s))
    chosen = ranked[(len(ranked) - 1) // 2]
    rows = [(sp, v) for sp, v in zip(species, table[chosen], strict=True) if float(v) > 0]
    return chosen, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    chosen, rows = build(args.shared)
    lines = [f"species\t{chosen}\n"] + [f"{sp}\t{v}\n" for sp, v in rows]
    args.out.write_text("".join(lines), encoding="utf-8")
    print(f"{args.out.name}: sample {chosen}, {len(rows)} species")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
