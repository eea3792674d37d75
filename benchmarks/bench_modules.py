"""Benchmark: module scoring of 1,000 and 10,000 samples against the parse floor.

Tables are tiled from the real 2-sample KO profile of omixer-rpmR
(``matrix.tsv``, bundled as the ``ko-profile`` example): sample *j* copies
base sample ``j % 2`` with seeded per-KO log-normal noise (sigma 0.5) and 15 %
dropout to 0. Each table is written as a features-as-rows TSV with 6
significant digits.

Measured, each in a fresh child process (so peak RSS is that step's own):

* **floor** -- ``polars.read_csv(...).to_numpy()`` of the value columns: the
  least any reader must do to turn the file into a numeric matrix;
* **read** -- ``gutbrain.io.functional.read_functional_profile`` (with validation);
* **job** -- the whole ``gutbrain modules --db all`` job through
  ``pipeline.run_modules``: read, score GMM + GBM + curated, write the
  four output files;
* **score** -- scoring alone (the job minus reading and writing).

The ratio reported is job / floor. Usage::

    python benchmarks/bench_modules.py [--sizes 1000 10000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def build_table(n_samples: int, path: Path, seed: int = 20161025) -> None:
    """Write a tiled, noised KO × sample table of ``n_samples`` columns."""
    from gutbrain.io.functional import read_functional_profile
    from gutbrain.knowledge.examples import example_file

    base = read_functional_profile(str(example_file("ko-profile"))).community
    rng = np.random.default_rng(seed)
    n_feat = len(base.features)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("entry\t" + "\t".join(f"S{j + 1}" for j in range(n_samples)) + "\n")
        block = 1000
        cols = []
        for start in range(0, n_samples, block):
            stop = min(start + block, n_samples)
            src = base.values[:, np.arange(start, stop) % base.values.shape[1]]
            noise = rng.lognormal(0.0, 0.5, size=(n_feat, stop - start))
            keep = rng.random((n_feat, stop - start)) >= 0.15
            cols.append(src * noise * keep)
        values = np.hstack(cols)
        for i, feature in enumerate(base.features):
            fh.write(feature + "\t" + "\t".join(f"{v:.6g}" for v in values[i]) + "\n")


CHILD = {
    "floor": """
        import polars as pl
        t = time.perf_counter()
        with open(PATH) as fh:
            header = fh.readline().rstrip("\\n").split("\\t")
        df = pl.read_csv(PATH, separator="\\t",
                         schema_overrides={c: pl.Float64 for c in header[1:]})
        ids = df.get_column(df.columns[0]).to_list()
        x = df.select(df.columns[1:]).to_numpy()
        elapsed = time.perf_counter() - t
    """,
    "read": """
        from gutbrain.io.functional import read_functional_profile
        t = time.perf_counter()
        p = read_functional_profile(PATH)
        elapsed = time.perf_counter() - t
    """,
    "job": """
        from gutbrain.pipeline import ModulesRequest, run_modules
        t = time.perf_counter()
        run_modules(ModulesRequest(input=Path(PATH), outdir=Path(OUTDIR), db="all"))
        elapsed = time.perf_counter() - t
    """,
    "score": """
        from gutbrain.io.functional import read_functional_profile
        from gutbrain.knowledge.modules import load_databases
        from gutbrain.core.modules import compile_modules, score_modules
        table = read_functional_profile(PATH).community
        dbs = load_databases("all")
        t = time.perf_counter()
        for db in dbs:
            score_modules(compile_modules(db.modules, table.features), table.values)
        elapsed = time.perf_counter() - t
    """,
}


def run_child(kind: str, path: Path, outdir: Path) -> dict[str, float]:
    """Run one measurement in a fresh interpreter; return seconds and peak RSS (MiB)."""
    code = (
        "import json, resource, time\nfrom pathlib import Path\n"
        f"PATH = {str(path)!r}\nOUTDIR = {str(outdir)!r}\n"
        + textwrap.dedent(CHILD[kind])
        + "\nrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': elapsed, 'peak_mib': rss}))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    report = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "results": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"ko_{n}.tsv"
            t = time.perf_counter()
            build_table(n, path)
            print(
                f"built {n} samples ({path.stat().st_size / 2**20:.0f} MiB) "
                f"in {time.perf_counter() - t:.1f} s",
                flush=True,
            )
            row: dict[str, object] = {"samples": n, "mib": path.stat().st_size / 2**20}
            for kind in ("floor", "read", "score", "job"):
                runs = [run_child(kind, path, Path(tmp) / "out") for _ in range(args.repeats)]
                best = min(runs, key=lambda r: r["seconds"])
                row[kind] = best
                print(
                    f"  {kind:6s} {best['seconds']:7.2f} s  peak {best['peak_mib']:7.0f} MiB",
                    flush=True,
                )
            floor = row["floor"]["seconds"]  # type: ignore[index]
            row["job_over_floor"] = row["job"]["seconds"] / floor  # type: ignore[index]
            row["read_over_floor"] = row["read"]["seconds"] / floor  # type: ignore[index]
            print(
                f"  job / floor = {row['job_over_floor']:.2f}, "
                f"read / floor = {row['read_over_floor']:.2f}",
                flush=True,
            )
            report["results"].append(row)  # type: ignore[attr-defined]
    (OUT / "bench_modules.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {OUT / 'bench_modules.json'}")


if __name__ == "__main__":
    main()
