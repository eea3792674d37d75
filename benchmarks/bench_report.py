"""Benchmark: ``gutbrain report`` — HTML and PDF per client, and a batch of 100 reports.

Inputs are made by gutbrain itself, as the demo makes them: ``run_analyze`` on the packaged
real HMP2 stool sample (example ``taxon-profile``; the three-sample test table when that example
is absent), ``run_assess`` on the example answers (and the earlier ones, for trend charts) and
``run_plan`` with the profile. Then, in this process after one warm-up report (imports, Jinja2
templates, reference distributions, WeasyPrint's fonts):

* **floor** — reading and schema-checking the three JSON files (``read_documents``);
* **HTML per client** — build + render the self-contained HTML from the checked documents;
  median of ``--repeats`` runs; target ≤ 1 s;
* **PDF per client** — WeasyPrint on that HTML; median of ``--pdf-repeats``; target ≤ 3 s;
* **batch** — ``--batch`` (100) reports for 100 "clients" (each with its own name and id; the
  documents rotate over the samples available), HTML and PDF written to disk, on ``--workers``
  processes; wall time and reports per minute.

Both audiences are measured; the targets are for the client report (the practitioner report adds
tables and is reported alongside). Usage::

    python benchmarks/bench_report.py [--repeats 10] [--pdf-repeats 3] [--batch 100] [--workers 2]

Writes ``benchmarks/out/bench_report.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
TEST_TABLE = HERE.parent / "tests" / "data" / "taxonomic" / "metaphlan4_merged.tsv"


def _example(name: str) -> Path | None:
    from gutbrain.errors import GutBrainError
    from gutbrain.knowledge.examples import example_file

    try:
        path = Path(str(example_file(name)))
    except (GutBrainError, KeyError):
        return None
    return path if path.is_file() else None


def make_inputs(work: Path) -> dict[str, Any]:
    """Profile, assessments (oldest first) and plan files, made by the gutbrain pipeline."""
    from gutbrain.pipeline.analyze import AnalyzeRequest, run_analyze
    from gutbrain.pipeline.assess import AssessRequest, run_assess
    from gutbrain.pipeline.plan import PlanRequest, run_plan

    table = _example("taxon-profile") or TEST_TABLE
    run_analyze(AnalyzeRequest(inputs=(table,), outdir=work / "analysis"))
    profiles = sorted((work / "analysis" / "profiles").glob("*.json"))
    answers = _example("answers")
    previous = _example("answers-previous")
    if answers is None:
        raise SystemExit("the example answers are missing")
    assessments = []
    if previous is not None:
        run_assess(AssessRequest(previous, None, work / "assessment_previous.json"))
        assessments.append(work / "assessment_previous.json")
    run_assess(AssessRequest(answers, previous, work / "assessment.json"))
    assessments.append(work / "assessment.json")
    run_plan(PlanRequest(answers, work / "plan", profiles[0], None, previous))
    return {
        "table": str(table),
        "profiles": profiles,
        "assessments": tuple(assessments),
        "plan": work / "plan" / "plan.json",
    }


def _pages(pdf: bytes) -> int | None:
    """Page count by ``pdfinfo`` (poppler-utils), or ``None`` without it."""
    tool = shutil.which("pdfinfo")
    if tool is None:
        return None
    info = subprocess.run([tool, "-"], input=pdf, capture_output=True, check=False).stdout
    match = re.search(rb"Pages:\s+(\d+)", info)
    return int(match.group(1)) if match else None


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


def _one_client(args: tuple[int, dict[str, Any], Path]) -> float:
    """Render and write one client's report (HTML + PDF); return its wall time."""
    from gutbrain.pipeline.report import read_documents, write_outputs
    from gutbrain.report import render_documents

    i, inputs, outdir = args
    t0 = time.perf_counter()
    docs = read_documents(
        inputs["profiles"][i % len(inputs["profiles"])], inputs["assessments"], inputs["plan"]
    )
    assessments = []
    for doc in docs.assessments:
        doc = copy.deepcopy(dict(doc))
        doc["client"] = {**doc["client"], "id": f"c-{i:03d}", "name": f"Client {i:03d}"}
        assessments.append(doc)
    plan = copy.deepcopy(dict(docs.plan or {}))
    plan["client"] = {**plan["client"], "id": f"c-{i:03d}"}
    docs = type(docs)(docs.profile, tuple(assessments), plan, docs.sources)
    rendered = render_documents(docs, "client", True)
    write_outputs(rendered, outdir / f"c-{i:03d}.html", outdir / f"c-{i:03d}.pdf")
    return time.perf_counter() - t0


def measure(inputs: dict[str, Any], repeats: int, pdf_repeats: int) -> dict[str, Any]:
    from gutbrain.pipeline.report import read_documents
    from gutbrain.report import build_report, render_html, render_pdf

    paths = (inputs["profiles"][0], inputs["assessments"], inputs["plan"])
    docs = read_documents(*paths)
    render_pdf(render_html(build_report(docs, "client")))  # warm-up
    out: dict[str, Any] = {}
    floor = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        read_documents(*paths)
        floor.append(time.perf_counter() - t0)
    out["floor_read_validate_s"] = _median(floor)
    for audience in ("client", "practitioner"):
        html_times, pdf_times = [], []
        html = ""
        for _ in range(repeats):
            t0 = time.perf_counter()
            html = render_html(build_report(docs, audience))  # type: ignore[arg-type]
            html_times.append(time.perf_counter() - t0)
        pdf = b""
        for _ in range(pdf_repeats):
            t0 = time.perf_counter()
            pdf = render_pdf(html)
            pdf_times.append(time.perf_counter() - t0)
        out[audience] = {
            "html_s": _median(html_times),
            "html_best_s": min(html_times),
            "pdf_s": _median(pdf_times),
            "pdf_best_s": min(pdf_times),
            "html_bytes": len(html.encode()),
            "pdf_bytes": len(pdf),
            "pdf_pages": _pages(pdf),
            "svg_charts": html.count("<svg"),
        }
    return out


def batch(inputs: dict[str, Any], n: int, workers: int, outdir: Path) -> dict[str, Any]:
    jobs = [(i, inputs, outdir) for i in range(n)]
    t0 = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            per = list(pool.map(_one_client, jobs))
    else:
        per = [_one_client(job) for job in jobs]
    wall = time.perf_counter() - t0
    files = list(outdir.glob("*.html")) + list(outdir.glob("*.pdf"))
    return {
        "n": n,
        "workers": workers,
        "wall_s": wall,
        "per_report_median_s": _median(per),
        "reports_per_minute": 60 * n / wall,
        "files": len(files),
        "bytes": sum(f.stat().st_size for f in files),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--pdf-repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_report_") as tmp:
        work = Path(tmp)
        inputs = make_inputs(work)
        result: dict[str, Any] = {
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}",
            "input": inputs["table"],
            "n_profiles": len(inputs["profiles"]),
            "n_assessments": len(inputs["assessments"]),
        }
        result.update(measure(inputs, args.repeats, args.pdf_repeats))
        if args.batch:
            (work / "batch").mkdir()
            result["batch"] = batch(inputs, args.batch, args.workers, work / "batch")
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_report.json").write_text(json.dumps(result, indent=2) + "\n")
    floor = result["floor_read_validate_s"]
    print(f"machine: {result['machine']}; input {Path(result['input']).name}")
    print("| audience | HTML (median / best) | × read floor | PDF (median / best) | pages | "
          "HTML / 1 s | PDF / 3 s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for audience in ("client", "practitioner"):
        r = result[audience]
        print(
            f"| {audience} | {r['html_s']:.3f} / {r['html_best_s']:.3f} s | "
            f"{r['html_s'] / floor:.1f}× | {r['pdf_s']:.2f} / {r['pdf_best_s']:.2f} s | "
            f"{r['pdf_pages']} | {r['html_s'] / 1.0:.2f} | {r['pdf_s'] / 3.0:.2f} |"
        )
    if "batch" in result:
        b = result["batch"]
        print(
            f"\nbatch: {b['n']} client reports (HTML + PDF) on {b['workers']} processes in "
            f"{b['wall_s']:.1f} s ({b['reports_per_minute']:.1f} per minute; median "
            f"{b['per_report_median_s']:.2f} s each); {b['files']} files, "
            f"{b['bytes'] / 1e6:.1f} MB"
        )
    print(f"floor (read + validate the 3 documents): {floor * 1000:.1f} ms")


if __name__ == "__main__":
    main()
