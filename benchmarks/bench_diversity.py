"""Benchmark: gutbrain diversity vs scikit-bio, in the same run, on real tables.

Cases (each implementation runs in its own child process, so peak RSS is its own):

* **shannon** and **braycurtis** on the whole HMP 16S V3–V5 table (6,000 samples ×
  10,730 OTUs, 1.3 % non-zero; MicrobeDS ``HMPv35``) and on the American Gut
  2014 stool samples (1,569 × 19,236, rarefied to 10,000);
* **faith_pd** and **weighted_unifrac** on 400 random HMP samples (seed 0) with the
  10,730-tip tree.

gutbrain gets the table as ``scipy.sparse`` CSR and the tree from
``gutbrain.io.newick``; scikit-bio gets a dense ``int64`` array and a ``TreeNode``
(its documented input). Data loading and tree reading are outside the timing.
Time is the best of ``--repeats`` runs; memory is the child's peak RSS
(``ru_maxrss``) and its increase over the RSS after loading the data ("extra").

Usage::

    python benchmarks/bench_diversity.py [--repeats 2] [--skip-slow]

Writes ``benchmarks/out/bench_diversity.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any

from child import run_child

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SHARED = HERE.parents[0].parent / "shared" / "data"
HMP = SHARED / "microbeds_hmpv35"
AGP = SHARED / "agp2014_r1_8"

CASES = [
    ("hmp", "shannon"),
    ("hmp", "braycurtis"),
    ("agp_stool", "shannon"),
    ("agp_stool", "braycurtis"),
    ("hmp400", "faith_pd"),
    ("hmp400", "weighted_unifrac"),
]


def _load(dataset: str) -> tuple[Any, list[str]]:
    import biom
    import numpy as np
    import scipy.sparse as sp

    if dataset.startswith("hmp"):
        table = biom.load_table(str(HMP / "otu_table.biom"))
        x = sp.csr_matrix(table.matrix_data.T)
        ids = [str(i) for i in table.ids(axis="observation")]
        if dataset == "hmp400":
            rng = np.random.default_rng(0)
            x = x[np.sort(rng.choice(x.shape[0], 400, replace=False))]
            keep = np.flatnonzero(np.asarray(x.sum(axis=0)).ravel() > 0)
            x = sp.csr_matrix(x[:, keep])
            ids = [ids[k] for k in keep]
        return x, ids
    table = biom.load_table(str(AGP / "AG_100nt_even10k.biom.gz"))
    stool = set()
    with open(AGP / "sample_metadata.tsv", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        col = header.index("BODY_SITE")
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if fields[col] == "UBERON:feces":
                stool.add(fields[0])
    samples = [str(s) for s in table.ids(axis="sample")]
    rows = [i for i, s in enumerate(samples) if s in stool]
    x = sp.csr_matrix(table.matrix_data.T)[rows]
    return x, [str(i) for i in table.ids(axis="observation")]


def _child(impl: str, dataset: str, metric: str, repeats: int) -> dict[str, Any]:
    x, ids = _load(dataset)
    if impl == "gutbrain":
        from gutbrain.core import diversity as gd
        from gutbrain.io.newick import read_newick

        tree = read_newick(HMP / "tree.nwk") if dataset == "hmp400" else None
        if metric in gd.ALPHA_METRICS:

            def run() -> Any:
                return gd.alpha_diversity(metric, x, feature_ids=ids, tree=tree)
        else:

            def run() -> Any:
                return gd.beta_diversity(metric, x, feature_ids=ids, tree=tree)
    else:
        import numpy as np
        from skbio import TreeNode
        from skbio.diversity import alpha_diversity, beta_diversity

        dense = x.toarray().astype(np.int64)
        kw: dict[str, Any] = {}
        if dataset == "hmp400":
            kw = {"taxa": ids, "tree": TreeNode.read(str(HMP / "tree.nwk"))}
        func = alpha_diversity if metric in {"shannon", "faith_pd"} else beta_diversity

        def run() -> Any:
            return func(metric, dense, **kw)

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "time_s": min(times),
        "times_s": times,
        "peak_rss_mb": peak / 1024,
        "extra_rss_mb": (peak - base) / 1024,
        "shape": list(x.shape),
    }


def _run_child(impl: str, dataset: str, metric: str, repeats: int) -> dict[str, Any]:
    return run_child(__file__, impl, dataset, metric, "--repeats", str(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--child", nargs=3, metavar=("IMPL", "DATASET", "METRIC"))
    parser.add_argument("--skip-slow", action="store_true", help="skip skbio on HMP braycurtis")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child, repeats=args.repeats)))
        return
    if not HMP.exists() or not AGP.exists():
        sys.exit(f"shared data not found under {SHARED}")
    rows = []
    for dataset, metric in CASES:
        result: dict[str, Any] = {"dataset": dataset, "metric": metric}
        for impl in ("gutbrain", "skbio"):
            if impl == "skbio" and args.skip_slow and (dataset, metric) == ("hmp", "braycurtis"):
                continue
            result[impl] = _run_child(impl, dataset, metric, args.repeats)
            print(f"{dataset} {metric} {impl}: {result[impl]['time_s']:.3f} s", file=sys.stderr)
        rows.append(result)
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "repeats": args.repeats,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_diversity.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(
        "| data (samples × features) | metric | gutbrain s | skbio s | time ratio | "
        "gutbrain peak / extra MB | skbio peak / extra MB | extra-memory ratio |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        g, s = r["gutbrain"], r.get("skbio")
        shape = "×".join(str(v) for v in g["shape"])
        if s is None:
            print(
                f"| {r['dataset']} ({shape}) | {r['metric']} | {g['time_s']:.3f} | – | – | "
                f"{g['peak_rss_mb']:.0f} / {g['extra_rss_mb']:.0f} | – | – |"
            )
            continue
        mem_ratio = g["extra_rss_mb"] / s["extra_rss_mb"] if s["extra_rss_mb"] > 0 else float("nan")
        print(
            f"| {r['dataset']} ({shape}) | {r['metric']} | {g['time_s']:.3f} | "
            f"{s['time_s']:.3f} | {g['time_s'] / s['time_s']:.3f} | "
            f"{g['peak_rss_mb']:.0f} / {g['extra_rss_mb']:.0f} | "
            f"{s['peak_rss_mb']:.0f} / {s['extra_rss_mb']:.0f} | {mem_ratio:.2f} |"
        )


if __name__ == "__main__":
    main()
