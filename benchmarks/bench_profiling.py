"""Benchmark: ``gutbrain analyze`` per-sample profiling, one process vs a Dask LocalCluster.

For each size (default 1,000 → 10,000 → 100,000 samples) the bundled real MetaPhlAn 4
sample (``hmp2_nonibd_metaphlan4.tsv``, 53 species; ``--input ko``: the bundled Darzi
2016 KO profiles, 4,433 KOs) is tiled to that many samples with new ids, each a rotation
(taxa) or mix (KOs) of the real values, and written once. Then, each in a fresh child
process:

* **read** -- the reader on the tiled file (the parse floor);
* **single** -- ``run_analyze`` as ``gutbrain analyze`` runs it by default (read, one
  chunk in this process, write);
* **cluster** -- ``run_analyze`` with ``ChunkedProfiler`` on a ``LocalCluster`` of
  ``--workers`` processes × 1 thread (the default chunk plan: 256 samples per chunk);
  the cluster start (workers importing gutbrain) is timed apart.

Reported: seconds, samples/s, peak RSS of the main process and (cluster) of each worker
— sampled every 20 ms in a thread with psutil —, the ratios cluster/single and
analyse/read, and whether the cluster wrote the same bytes as the single process (every
output file hashed).

Usage::

    python benchmarks/bench_profiling.py [--sizes 1000,10000,100000] [--workers 2]
        [--input taxa|ko]

Writes ``benchmarks/out/bench_profiling.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from child import run_child

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


class PeakRss:
    """Samples the RSS of this process and of its descendants (Dask workers) in a thread."""

    def __init__(self, every: float = 0.02) -> None:
        import psutil

        self.me = psutil.Process()
        self.every = every
        self.main_mb = 0.0
        self.workers_mb: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            self.main_mb = max(self.main_mb, self.me.memory_info().rss / 2**20)
            for child in self.me.children(recursive=True):
                try:
                    rss = child.memory_info().rss / 2**20
                    name = " ".join(child.cmdline())
                except psutil.Error:
                    continue
                if "resource_tracker" in name:  # multiprocessing's helper, not a worker
                    continue
                self.workers_mb[child.pid] = max(self.workers_mb.get(child.pid, 0.0), rss)
            self._stop.wait(self.every)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def tile(kind: str, n: int, path: Path) -> None:
    """The bundled real profile(s), tiled to ``n`` samples with new ids."""
    from gutbrain.knowledge.examples import example_file

    src = Path(str(example_file("taxon-profile" if kind == "taxa" else "ko-profile")))
    lines = src.read_text().splitlines()
    corner = lines[0].split("\t")[0]
    rows = [line.split("\t") for line in lines[1:]]
    labels = [r[0] for r in rows]
    x = np.array([[float(v) for v in r[1:]] for r in rows])
    ids = [f"T{i:06d}" for i in range(n)]
    with open(path, "w") as fh:
        fh.write("\t".join([corner, *ids]) + "\n")
        for k, label in enumerate(labels):
            if kind == "taxa":  # sample i: the real abundances rotated by i species
                vals = x[(k - 3 * np.arange(n)) % len(labels), 0]
            else:  # sample i: a mix of the two real KO profiles
                w = (np.arange(n) % 97 + 1) / 98
                vals = np.round(w * x[k, 0] + (1 - w) * x[k, 1], 6)
            fh.write(label + "\t" + "\t".join(map(repr, vals.tolist())) + "\n")


def _digest(outdir: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(outdir.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            if p.name == "summary.json":
                data = data.replace(str(outdir).encode(), b"OUT")
            h.update(str(p.relative_to(outdir)).encode() + b"\0" + data)
    return h.hexdigest()


def child(mode: str, table: Path, outdir: Path, workers: int) -> dict[str, Any]:
    """One measurement in this (fresh) process."""
    from gutbrain.pipeline.analyze import AnalyzeRequest, _read_profile, run_analyze

    result: dict[str, Any] = {"mode": mode}
    if mode == "read":
        t0 = time.perf_counter()
        _read_profile(table)
        result["seconds"] = time.perf_counter() - t0
        return result
    request = AnalyzeRequest((table,), outdir)
    with PeakRss() as rss:
        if mode == "single":
            t0 = time.perf_counter()
            summary = run_analyze(request)
            result["seconds"] = time.perf_counter() - t0
        else:
            from gutbrain.distributed import ChunkedProfiler, dask_client

            t0 = time.perf_counter()
            with dask_client(workers=workers) as client:
                client.run(lambda: __import__("gutbrain.pipeline.analyze"))  # imports, once
                result["start_s"] = time.perf_counter() - t0
                t1 = time.perf_counter()
                summary = run_analyze(request, None, ChunkedProfiler(client))
                result["seconds"] = time.perf_counter() - t1
    result["samples"] = summary["n_samples"]
    result["main_peak_mb"] = rss.main_mb
    result["worker_peak_mb"] = sorted(rss.workers_mb.values(), reverse=True)[:workers]
    result["digest"] = _digest(outdir)
    return result


def _run_child(*args: str) -> dict[str, Any]:
    return run_child(__file__, *args)


def measure(kind: str, n: int, workers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench_profiling_") as tmp:
        table = Path(tmp) / f"tiled_{kind}_{n}.tsv"
        t0 = time.perf_counter()
        tile(kind, n, table)
        row: dict[str, Any] = {"samples": n, "input": kind, "write_s": time.perf_counter() - t0}
        row["input_mb"] = table.stat().st_size / 2**20
        row["read_s"] = _run_child("read", str(table), tmp, str(workers))["seconds"]
        for mode in ("single", "cluster"):
            outdir = Path(tmp) / mode
            row[mode] = _run_child(mode, str(table), str(outdir), str(workers))
            shutil.rmtree(outdir)  # 100,000 profiles take ~4 GB
            print(f"# {n} samples, {mode}: {row[mode]['seconds']:.1f} s", file=sys.stderr)
    row["identical"] = row["single"]["digest"] == row["cluster"]["digest"]
    row["cluster_over_single"] = row["cluster"]["seconds"] / row["single"]["seconds"]
    row["single_over_read"] = row["single"]["seconds"] / row["read_s"]
    row["cluster_over_read"] = row["cluster"]["seconds"] / row["read_s"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--input", choices=("taxa", "ko"), default="taxa")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, table, outdir, workers = args.child
        print(json.dumps(child(mode, Path(table), Path(outdir), int(workers))))
        return
    rows = [measure(args.input, int(n), args.workers) for n in args.sizes.split(",")]
    report = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "workers": args.workers,
        "rows": rows,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_profiling.json").write_text(json.dumps(report, indent=2) + "\n")
    print(
        "| samples | input MB | read (s) | path | analyse (s) | samples/s | main peak MB "
        "| worker peak MB | ratio cluster/single | ratio analyse/read | same bytes |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        for mode in ("single", "cluster"):
            m = r[mode]
            start = f" (+{m['start_s']:.1f} s start)" if "start_s" in m else ""
            workers = " / ".join(f"{w:.0f}" for w in m["worker_peak_mb"]) or "—"
            ratio = f"{r['cluster_over_single']:.2f}×" if mode == "cluster" else ""
            print(
                f"| {r['samples']:,} | {r['input_mb']:.1f} | {r['read_s']:.2f} | {mode} "
                f"| {m['seconds']:.1f}{start} | {m['samples'] / m['seconds']:,.0f} "
                f"| {m['main_peak_mb']:.0f} | {workers} | {ratio} "
                f"| {m['seconds'] / r['read_s']:.1f}× | {'yes' if r['identical'] else 'NO'} |"
            )


if __name__ == "__main__":
    main()
