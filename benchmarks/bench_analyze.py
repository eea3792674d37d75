"""Benchmark: ``gutbrain analyze`` against the time it takes to read its input.

Two measurements, each in fresh child processes:

* **cohort** -- the MaAsLin 3 HMP2 MetaPhlAn 4 table (1,527 samples × 151
  species, ``../shared/data/maaslin3_hmp2/HMP2_taxonomy.tsv``). The floor is
  ``read_taxon_profile`` on the same file in the same child (the validated
  reader, imports and knowledge tables already loaded); the job is
  ``run_analyze`` (read, taxon resolution, traits, diversity, marker taxa,
  percentiles, scoring, 1,527 profile JSONs and two tables). Ratio = job / read.
  Target ≤ 5× (aim 2×).
* **one sample** -- the wall time of the ``gutbrain analyze`` command on the
  first sample of that table, start-up included, against the wall time of a
  bare ``python -c pass`` (the interpreter floor). Target < 2 s.

Usage::

    python benchmarks/bench_analyze.py [--repeats 3]

Writes ``benchmarks/out/bench_analyze.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
TABLE = HERE.parents[0].parent / "shared" / "data" / "maaslin3_hmp2" / "HMP2_taxonomy.tsv"

_CHILD = """
import json, sys, time, resource
from pathlib import Path
from gutbrain.io.taxonomic import read_taxon_profile
from gutbrain.pipeline.analyze import AnalyzeRequest, run_analyze
table, out = Path(sys.argv[1]), Path(sys.argv[2])
run_analyze(AnalyzeRequest((table,), out / "warm"))  # imports, knowledge tables, caches
t0 = time.perf_counter()
read_taxon_profile(table)
t1 = time.perf_counter()
summary = run_analyze(AnalyzeRequest((table,), out / "job"))
t2 = time.perf_counter()
print(json.dumps({"read": t1 - t0, "job": t2 - t1, "n": summary["n_samples"],
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _cohort(table: Path, repeats: int) -> dict[str, Any]:
    runs = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            res = subprocess.run(
                [sys.executable, "-c", _CHILD, str(table), tmp],
                check=True,
                capture_output=True,
                text=True,
            )
            runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["job"] / r["read"])
    return {
        "samples": best["n"],
        "read_s": min(r["read"] for r in runs),
        "job_s": min(r["job"] for r in runs),
        "ratio_best": best["job"] / best["read"],
        "ratio_median": statistics.median(r["job"] / r["read"] for r in runs),
        "peak_rss_mb": max(r["rss_mb"] for r in runs),
        "runs": runs,
    }


def _wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def _one_sample(table: Path, repeats: int) -> dict[str, Any]:
    gutbrain = shutil.which("gutbrain", path=str(Path(sys.executable).parent))
    if gutbrain is None:
        raise SystemExit("gutbrain is not installed next to this python (make test installs it)")
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.tsv"
        with open(table, encoding="utf-8") as fh:
            one.write_text(fh.readline() + fh.readline(), encoding="utf-8")
        cmd = [gutbrain, "analyze", str(one), "-o", str(Path(tmp) / "o")]
        _wall(cmd)  # warm the file cache
        walls = [_wall(cmd) for _ in range(repeats)]
        floors = [_wall([sys.executable, "-c", "pass"]) for _ in range(repeats)]
    return {
        "wall_median_s": statistics.median(walls),
        "wall_best_s": min(walls),
        "python_floor_s": statistics.median(floors),
        "walls": walls,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--table", type=Path, default=TABLE)
    args = parser.parse_args()
    if not args.table.is_file():
        raise SystemExit(f"{args.table}: not found (needs ../shared/data/maaslin3_hmp2)")
    cohort = _cohort(args.table, args.repeats)
    one = _one_sample(args.table, max(args.repeats, 5))
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "cohort": cohort,
        "one_sample": one,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_analyze.json").write_text(json.dumps(result, indent=2) + "\n")
    print("| case | floor | gutbrain | ratio | peak RSS |")
    print("|---|---|---|---|---|")
    print(
        f"| HMP2 {cohort['samples']:,} samples | read {cohort['read_s']:.2f} s | "
        f"analyze {cohort['job_s']:.2f} s | {cohort['ratio_best']:.1f}× "
        f"(median {cohort['ratio_median']:.1f}×) | {cohort['peak_rss_mb']:.0f} MiB |"
    )
    print(
        f"| one sample, CLI wall | python start {one['python_floor_s']:.2f} s | "
        f"median {one['wall_median_s']:.2f} s (best {one['wall_best_s']:.2f} s) | "
        "target < 2 s | |"
    )


if __name__ == "__main__":
    main()
