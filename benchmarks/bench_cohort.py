"""Benchmark: ``gutbrain cohort`` statistics at scale, on tiled real data.

Two measurements, each in fresh child processes:

* **fit** -- the vectorised OLS of :mod:`gutbrain.core.stats.lm` (one QR for all
  features, what ``gutbrain cohort --model lm`` runs without random effects) against
  the per-feature ``statsmodels`` loop (``sm.OLS(y_j, X).fit()`` with its ``params``,
  ``bse`` and ``pvalues``) on **10,000 features × 10,000 samples**. The loop is timed on
  ``--loop-features`` evenly spaced features and extrapolated linearly to all 10,000
  (it is 3–30 ms per feature: up to 5 minutes for the whole loop). Ratio = loop /
  vectorised. Both sides run with ``--blas-threads`` (default 1: on a shared 2-core
  machine two OpenBLAS threads make the vectorised time swing 4× with the other load).
  Target ≥ 100×. The child also checks both give the same numbers on the timed features.
* **scaling** -- ``fit_maaslin2`` end to end (filter, TSS, LOG, design, fit, one BH,
  sorting) on 1,000 → 10,000 → 100,000 samples × ``--scale-features`` (default 1,000)
  features, in one process (the default path) and on a ``LocalCluster`` of 2 workers ×
  1 thread (``--workers 2``: chunked fits, same results bit for bit as the in-process
  chunked run). Wall time, the fit's peak Python-heap allocation in the main process
  (``tracemalloc``, numpy arrays included) and the peak RSS of the main process and of
  the largest worker (``getrusage``). Cluster start-up (including the workers' first
  import of gutbrain) is reported separately.

* **random intercepts** -- ``fit_maaslin2`` with ``(1 | site) + (1 | subject)`` (REML +
  Satterthwaite) on the 1,595 real HMP2 samples × ``--mixed-features`` (default 348 = the
  87 species tiled 4×), single process vs ``LocalCluster(2)`` (64 features per chunk).

Data: MaAsLin 2's HMP2 example (``../shared/data/maaslin2_hmp2``, 1,595 samples × 87
species, MIT). A table of n samples × m features draws n real samples with replacement
(with their metadata) and tiles the 87 species to m columns, multiplying every non-zero
value by exp(0.3·N(0, 1)) so the tiles differ (zeros stay zeros: the real sparsity).
Model: ``diagnosis + antibiotics + age`` (reference nonIBD), fixed effects only.

Usage::

    python benchmarks/bench_cohort.py [--repeats 3] [--loop-features 200] [--blas-threads 1]
        [--sizes 1000,10000,100000] [--scale-features 1000] [--mixed-features 348]
        [--skip-fit] [--skip-scaling]

Writes ``benchmarks/out/bench_cohort.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from child import run_child

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DATA = HERE.parents[0].parent / "shared" / "data" / "maaslin2_hmp2"
FIXED = ["diagnosis", "antibiotics", "age"]
REFERENCE = "diagnosis,nonIBD"
SEED = 20261126


def tiled(
    n_samples: int | None, n_features: int, seed: int = SEED, columns: list[str] = FIXED
) -> tuple[Any, Any]:
    """n samples × m features of tiled, perturbed HMP2 data, and their metadata.

    ``n_samples=None`` keeps the real samples in order (subjects and sites intact).
    """
    import numpy as np
    import pandas as pd

    features = pd.read_csv(DATA / "HMP2_taxonomy.tsv", sep="\t", index_col=0)
    meta = pd.read_csv(DATA / "HMP2_metadata.tsv", sep="\t", index_col=0)
    meta = meta.loc[features.index, columns].dropna()
    raw = features.loc[meta.index].to_numpy(dtype=np.float64)
    rng = np.random.default_rng(seed)
    rows = (
        np.arange(raw.shape[0]) if n_samples is None else rng.integers(0, raw.shape[0], n_samples)
    )
    n_samples = rows.size
    cols = np.arange(n_features) % raw.shape[1]
    values = raw[rows][:, cols]
    noise = rng.standard_normal(values.shape)
    noise *= 0.3
    np.exp(noise, out=noise)
    values *= noise
    del noise
    ids = pd.Index([f"S{i:06d}" for i in range(n_samples)])
    names = [f"{features.columns[c]}_{j // raw.shape[1]}" for j, c in enumerate(cols)]
    table = pd.DataFrame(values, index=ids, columns=names, copy=False)
    md = meta.iloc[rows].set_axis(ids)
    return table, md


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


# --------------------------------------------------------------------------- children


def child_fit(
    n_samples: int, n_features: int, loop_features: int, repeats: int, threads: int
) -> dict[str, Any]:
    import numpy  # noqa: F401 - load OpenBLAS first: threadpoolctl limits loaded libraries only
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads if threads > 0 else None):
        result = _fit(n_samples, n_features, loop_features, repeats)
    result["blas_threads"] = threads if threads > 0 else "default"
    return result


def _fit(n_samples: int, n_features: int, loop_features: int, repeats: int) -> dict[str, Any]:
    import numpy as np
    import statsmodels.api as sm

    from gutbrain.core.stats.lm import ols
    from gutbrain.core.stats.maaslin2 import prepare_maaslin2

    table, md = tiled(n_samples, n_features)
    problem = prepare_maaslin2(table, md, FIXED, reference=REFERENCE)
    assert problem is not None
    x, y = problem.x, problem.y
    del table
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fit = ols(x, y)
        times.append(time.perf_counter() - t0)
    picks = np.linspace(0, y.shape[1] - 1, loop_features).round().astype(int)
    t0 = time.perf_counter()
    loop = [sm.OLS(y[:, j], x).fit() for j in picks]
    stats_ = [(r.params, r.bse, r.pvalues) for r in loop]
    loop_s = time.perf_counter() - t0
    coef = np.array([s[0] for s in stats_]).T
    pval = np.array([s[2] for s in stats_]).T
    per_feature = loop_s / len(picks)
    return {
        "samples": int(y.shape[0]),
        "features": int(y.shape[1]),
        "coefficients": int(x.shape[1]),
        "vectorised_s": min(times),
        "vectorised_runs": times,
        "loop_features_timed": len(picks),
        "loop_timed_s": loop_s,
        "loop_per_feature_ms": per_feature * 1e3,
        "loop_extrapolated_s": per_feature * y.shape[1],
        "ratio": per_feature * y.shape[1] / min(times),
        "max_abs_diff_coef": float(np.nanmax(np.abs(coef - fit.coef[:, picks]))),
        "max_abs_diff_p": float(np.nanmax(np.abs(pval - fit.pval[:, picks]))),
        "peak_rss_mb": _rss_mb(resource.RUSAGE_SELF),
    }


def _counting_fitter() -> Any:
    from gutbrain.distributed import ChunkedFitter

    class Counting(ChunkedFitter):
        chunks = 0

        def __call__(self, problem: Any, /) -> Any:
            self.chunks = len(self.plan(problem))
            return super().__call__(problem)

    return Counting


def child_assoc(n_samples: int, n_features: int, workers: int) -> dict[str, Any]:
    from gutbrain.core.stats import fit_maaslin2

    table, md = tiled(n_samples, n_features)
    out: dict[str, Any] = {"samples": n_samples, "features": n_features, "workers": workers}
    tracemalloc.start()
    tracemalloc.reset_peak()
    if workers == 0:
        t0 = time.perf_counter()
        res = fit_maaslin2(table, md, FIXED, reference=REFERENCE)
        out["fit_s"] = time.perf_counter() - t0
        out["start_s"] = 0.0
    else:
        from gutbrain.distributed import dask_client

        counting = _counting_fitter()
        t0 = time.perf_counter()
        with dask_client(workers=workers) as client:
            # the workers' first import of gutbrain + scipy counts as start-up
            client.run(importlib.import_module, "gutbrain.distributed.engine")
            t1 = time.perf_counter()
            fitter = counting(client)
            res = fit_maaslin2(table, md, FIXED, reference=REFERENCE, fit_problem=fitter)
            t2 = time.perf_counter()
        out["start_s"], out["fit_s"] = t1 - t0, t2 - t1
        out["chunks"] = fitter.chunks
    out["fit_peak_heap_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    out["rows"] = len(res)
    out["peak_rss_mb"] = _rss_mb(resource.RUSAGE_SELF)
    out["worker_peak_rss_mb"] = _rss_mb(resource.RUSAGE_CHILDREN) if workers else None
    return out


def child_mixed(n_features: int, workers: int) -> dict[str, Any]:
    """Random intercepts (site, subject) on the real HMP2 samples, features tiled."""
    from gutbrain.core.stats import fit_maaslin2
    from gutbrain.distributed import dask_client

    table, md = tiled(None, n_features, columns=[*FIXED, "site", "subject"])
    args: dict[str, Any] = {"random": ["site", "subject"], "reference": REFERENCE}
    out: dict[str, Any] = {"samples": len(table), "features": n_features, "workers": workers}
    if workers == 0:
        t0 = time.perf_counter()
        res = fit_maaslin2(table, md, FIXED, **args)
        out["fit_s"], out["start_s"] = time.perf_counter() - t0, 0.0
    else:
        counting = _counting_fitter()
        t0 = time.perf_counter()
        with dask_client(workers=workers) as client:
            client.run(importlib.import_module, "gutbrain.distributed.engine")
            t1 = time.perf_counter()
            fitter = counting(client)
            res = fit_maaslin2(table, md, FIXED, fit_problem=fitter, **args)
            t2 = time.perf_counter()
        out["start_s"], out["fit_s"], out["chunks"] = t1 - t0, t2 - t1, fitter.chunks
    out["rows"] = len(res)
    out["peak_rss_mb"] = _rss_mb(resource.RUSAGE_SELF)
    return out


# --------------------------------------------------------------------------- parent


def _run_child(*args: str) -> dict[str, Any]:
    return run_child(__file__, *args, env=dict(os.environ, PYTHONWARNINGS="ignore"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="vectorised fit repeats (best)")
    parser.add_argument("--loop-features", type=int, default=200)
    parser.add_argument(
        "--blas-threads", type=int, default=1, help="for both sides of the fit; 0 = default"
    )
    parser.add_argument("--fit-size", type=int, default=10_000, help="samples = features")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--scale-features", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-fit", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--mixed-features", type=int, default=348, help="0 skips")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *nums = args.child
        ints = [int(v) for v in nums]
        children = {"fit": child_fit, "assoc": child_assoc, "mixed": child_mixed}
        result = children[kind](*ints)
        print(json.dumps(result))
        return
    if not DATA.is_dir():
        sys.exit(f"needs {DATA} (MaAsLin 2's HMP2 example)")
    OUT.mkdir(exist_ok=True)
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        }
    }
    if not args.skip_fit:
        size = str(args.fit_size)
        fit = _run_child(
            "fit", size, size, str(args.loop_features), str(args.repeats), str(args.blas_threads)
        )
        report["fit"] = fit
        print(f"| vectorised OLS vs statsmodels loop (BLAS threads: {fit['blas_threads']}) "
              "| value |\n|---|---|")  # fmt: skip
        print(f"| table | {fit['features']:,} features × {fit['samples']:,} samples, p = "
              f"{fit['coefficients']} |")  # fmt: skip
        print(f"| vectorised (best of {args.repeats}) | {fit['vectorised_s']:.2f} s |")
        print(f"| `sm.OLS` loop | {fit['loop_per_feature_ms']:.1f} ms/feature on "
              f"{fit['loop_features_timed']} features → {fit['loop_extrapolated_s']:.0f} s "
              "extrapolated |")  # fmt: skip
        print(f"| ratio | **{fit['ratio']:.0f}×** (target ≥ 100×) |")
        print(f"| max abs diff coef / p | {fit['max_abs_diff_coef']:.1e} / "
              f"{fit['max_abs_diff_p']:.1e} |")  # fmt: skip
    if not args.skip_scaling:
        rows = []
        for n in (int(s) for s in args.sizes.split(",")):
            for workers in (0, args.workers):
                rows.append(_run_child("assoc", str(n), str(args.scale_features), str(workers)))
                r = rows[-1]
                print(f"# {n} samples, workers {workers}: {r['fit_s']:.2f} s", file=sys.stderr)
        report["scaling"] = rows
        print("\n| samples × features | path | fit (s) | cluster start (s) | fit heap peak "
              "(MB) | main RSS (MB) | worker RSS (MB) |")  # fmt: skip
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            path = "single process" if r["workers"] == 0 else f"LocalCluster({r['workers']})"
            worker = "" if r["worker_peak_rss_mb"] is None else f"{r['worker_peak_rss_mb']:.0f}"
            print(f"| {r['samples']:,} × {r['features']:,} | {path} | {r['fit_s']:.2f} | "
                  f"{r['start_s']:.2f} | {r['fit_peak_heap_mb']:.0f} | {r['peak_rss_mb']:.0f} | "
                  f"{worker} |")  # fmt: skip
    if args.mixed_features:
        mixed = [_run_child("mixed", str(args.mixed_features), str(w)) for w in (0, args.workers)]
        report["mixed"] = mixed
        print("\n| random intercepts (site, subject) | path | chunks | fit (s) | start (s) |")
        print("|---|---|---|---|---|")
        for r in mixed:
            path = "single process" if r["workers"] == 0 else f"LocalCluster({r['workers']})"
            print(f"| {r['samples']:,} samples × {r['features']:,} features | {path} | "
                  f"{r.get('chunks', 1)} | {r['fit_s']:.1f} | {r['start_s']:.1f} |")  # fmt: skip
    # a partial run (--skip-…) keeps the other sections of the previous file
    path = OUT / "bench_cohort.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**previous, **report}, indent=2) + "\n")


if __name__ == "__main__":
    main()
