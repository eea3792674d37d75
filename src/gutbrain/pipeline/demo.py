"""``gutbrain demo``: the whole pipeline on bundled real example data.

1. ``analyze`` the bundled HMP2 non-IBD stool sample (MetaPhlAn 4 species) →
   ``profile.json``;
2. ``modules`` on the bundled omixer-rpmR KO profile (Darzi et al. 2016) →
   ``modules/`` (the functional engine; a KO table of another person, so it is not
   mixed into the profile);
3. ``assess`` the made-up client's answers and those of four weeks earlier →
   ``assessment.json`` (with change) and ``assessment_previous.json``;
4. ``plan`` from the answers and the profile → ``plan.json`` and ``plan.md``;
5. ``report`` from all of them → ``report.html`` and ``report.pdf``.

Every step is the same code the individual commands run; the demo only chooses
the inputs. Same gutbrain version → the same files.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gutbrain.io.tsv_out import make_outdir
from gutbrain.knowledge.examples import example_file
from gutbrain.pipeline.analyze import AnalyzeRequest, run_analyze
from gutbrain.pipeline.assess import AssessRequest, run_assess
from gutbrain.pipeline.modules import ModulesRequest, run_modules
from gutbrain.pipeline.plan import PlanRequest, run_plan
from gutbrain.pipeline.progress import ProgressSink

__all__ = ["DemoResult", "ReportStep", "run_demo"]

#: Renders the report: (profile, assessments (oldest first), plan, html path, pdf path).
ReportStep = Callable[[Path, tuple[Path, ...], Path, Path, Path | None], None]


@dataclass(frozen=True)
class DemoResult:
    """Where the demo wrote what, and a few figures for the summary table."""

    outdir: Path
    files: dict[str, Path]
    rows: list[tuple[str, str]]


def _example(name: str) -> Path:
    return Path(str(example_file(name)))


def run_demo(
    outdir: Path,
    report: ReportStep | None,
    *,
    pdf: bool = True,
    progress: ProgressSink | None = None,
) -> DemoResult:
    """Run every step into ``outdir``; ``report`` renders the report (``None``: skip it)."""
    out = make_outdir(outdir)
    files: dict[str, Path] = {}
    rows: list[tuple[str, str]] = []

    taxa = _example("taxon-profile")
    summary: dict[str, Any] = run_analyze(AnalyzeRequest((taxa,), out / "analysis"), progress)
    (profile_src,) = sorted((out / "analysis" / "profiles").glob("*.json"))
    files["profile"] = out / "profile.json"
    shutil.copyfile(profile_src, files["profile"])
    ref = summary["inputs"][0]["reference"]
    rows.append(("stool profile", f"{taxa.name} (HMP2, sample {profile_src.stem})"))
    rows.append(("reference", f"{ref['name']} ({ref['n_samples']} samples)"))

    ko = _example("ko-profile")
    mods = run_modules(ModulesRequest(ko, out / "modules"), progress)
    files["modules"] = out / "modules"
    rows.append(("modules", f"{ko.name}: {len(mods.get('databases', []))} databases scored"))

    previous = _example("answers-previous")
    answers = _example("answers")
    files["assessment_previous"] = out / "assessment_previous.json"
    run_assess(AssessRequest(previous, output=files["assessment_previous"]))
    files["assessment"] = out / "assessment.json"
    assessment = run_assess(AssessRequest(answers, previous, files["assessment"]))
    rows.append(
        (
            "questionnaires",
            ", ".join(
                f"{r.short_name} {r.score:g}" if isinstance(r.score, int | float) else r.short_name
                for r in assessment.results
                if r.instrument in ("phq9", "gad7", "pss10", "who5")
            ),
        )
    )
    rows.append(("safety flag", "raised" if assessment.safety is not None else "none"))

    plan, plan_summary = run_plan(PlanRequest(answers, out, files["profile"], None, previous))
    files["plan"] = Path(plan_summary["plan"])
    files["plan_md"] = Path(plan_summary["markdown"])
    rows.append(("plan", "; ".join(i.title for i in plan.current.items)))

    if report is not None:
        files["report"] = out / "report.html"
        pdf_path = out / "report.pdf" if pdf else None
        report(
            files["profile"],
            (files["assessment_previous"], files["assessment"]),
            files["plan"],
            files["report"],
            pdf_path,
        )
        if pdf_path is not None:
            files["report_pdf"] = pdf_path
    return DemoResult(out, files, rows)
