"""Validate ``gutbrain analyze`` on two case–control cohorts: patients vs controls.

    python tools/validate_analyze.py --shared ../shared --out DIR

* **Zhu 2020** (``shared/data/zhu2020_scz_gbm``; 90 schizophrenia, 81 controls):
  taxonomic: ``genus_counts.tsv`` with its ``Family_Genus`` labels rewritten as ``g__Genus``
  lineages and its R-mangled sample ids restored (into ``DIR/work``; the reader does not
  recognise the original labels as taxa), analysed with the CLI against the packaged
  ``agp_stool_genus`` reference and against a reference built with ``gutbrain reference
  build`` from the 81 controls; functional: the omixerRpm GBM/GMM abundances of all 171
  samples scored through the library API against the packaged ``zhu2020_controls_modules``
  (built from the same 81 controls: they are in-sample).
* **Kovtun 2022** (``shared/data/kovtun2022_mdd``; 36 MDD, 38 controls): the gene × genus
  signature table summed to a genus-level *proxy* table (two ways, see the note), analysed
  with the CLI against ``agp_stool_genus``; directions compared with the authors' published
  per-feature Wilcoxon tests (``expected/published_wilcoxon_genus.tsv``).

For every component and mechanism score: two-sided Mann–Whitney U (patients vs controls),
Benjamini–Hochberg q-values within each output table and reference, median difference,
rank-biserial correlation (positive = higher in patients), n per group and state counts.
Everything is written below ``DIR``; nothing is downloaded. See docs/validation-analyze.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from scipy.stats import mannwhitneyu, spearmanr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gutbrain.core.mechanisms import score_mechanisms  # noqa: E402
from gutbrain.knowledge.mechanisms import load_mechanisms  # noqa: E402
from gutbrain.knowledge.modules import load_database  # noqa: E402
from gutbrain.pipeline.features import ComponentTable  # noqa: E402
from gutbrain.pipeline.profiles import mechanism_specs  # noqa: E402
from gutbrain.pipeline.reference import packaged_reference  # noqa: E402

DEFAULT_SHARED = ROOT.parent / "shared"
CASE, CONTROL = "case", "control"
STATES = ("ok", "low_coverage", "not_in_reference", "not_comparable", "not_estimable")
MIN_N = 3  # fewer finite values in a group: no test

# Kovtun gene families (as spelled in S6) that relate to a gutbrain component. The
# trait/taxon on the left is what gutbrain computes from the genus proxy table.
KOVTUN_MAP: dict[str, tuple[str, ...]] = {
    "trait:butyrate": ("Butyryl-CoA_dehydrogenase", "Butyrate_kinase", "Phosphotransbutyrylase"),
    "trait:gaba": (
        "Glutamate_decarboxylase",
        "gamma-aminobutyrate_antiporter",
        "4-aminobutyrate_aminotransferase_gabT",
        "4-aminobutyrate_aminotransferase_PuuE",
    ),
    "trait:glutamate": ("Glutamate_synthase_gltB", "Glutamate_synthase_gltD"),
    "trait:tyramine": ("tyrosine_decarboxylase",),
    "trait:dopamine": ("tyrosine_decarboxylase",),
    "trait:histamine": ("histidine_decarboxylase",),
    "trait:tryptophan_synthesis": ("Tryptophan_synthase_alpha", "Tryptophan_synthase_beta"),
    "trait:indole": ("Tryptophanase",),
    "trait:acetate": ("phosphotransacetylase",),
    "trait:propionate": ("methylmalonyl-CoA_decarboxylase", "propionaldehyde_dehydrogenase"),
}
KOVTUN_TAXA = ("Faecalibacterium", "Coprococcus", "Dialister", "Eggerthella", "Bacteroides")

TJAZI = "Tjazi guidebook part 1 (thomazbastiaanssen/Tjazi, guidebook_sup/part1/README_part1.md)"
NIKOLOVA = "Nikolova 2021 meta-analysis (EVIDENCE.md A.0)"
# What published sources say about patients vs controls for components gutbrain computes
# from the Zhu tables: (component, our table, direction in patients or "" when the source
# gives none, source). Only statements that can be pointed to; see docs/validation-analyze.md.
ZHU_PUBLISHED: tuple[tuple[str, str, str, str], ...] = (
    (
        "diversity:observed_features",
        "genus",
        "lower",
        f"{NIKOLOVA}: reduced richness in patients, transdiagnostic incl. schizophrenia",
    ),
    (
        "diversity:chao1",
        "genus",
        "higher",
        f"{TJAZI} on these genus counts: Chao1 +3.08 in schizophrenia, p=0.024",
    ),
    ("diversity:shannon", "genus", "higher", f"{TJAZI}: Shannon +0.188, p=0.05"),
    ("diversity:simpson", "genus", "higher", f"{TJAZI}: Simpson index +0.063, p=0.056"),
    (
        "taxon:genus:Faecalibacterium",
        "genus",
        "lower",
        f"{NIKOLOVA}: butyrate producers depleted across disorders",
    ),
    (
        "taxon:genus:Coprococcus",
        "genus",
        "lower",
        f"{NIKOLOVA}: butyrate producers depleted across disorders",
    ),
    ("taxon:genus:Eggerthella", "genus", "higher", f"{NIKOLOVA}: Eggerthella enriched"),
    ("trait:butyrate", "genus", "lower", f"{NIKOLOVA}: butyrate producers depleted"),
    (
        "module:MGB024",
        "modules",
        "",
        f"{TJAZI}: DOPAC metabolism among the GBMs at q<0.2 (direction shown in a figure only)",
    ),
    *(
        (
            f"module:{m}",
            "modules",
            "",
            f"{TJAZI}: glutamate metabolism among the GBMs at q<0.2 (module and direction in a "
            "figure only)",
        )
        for m in ("MGB006", "MGB007", "MGB050", "MGB051")
    ),
)


# ------------------------------------------------------------------ statistics


def bh(pvalues: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg q-values; NaN p-values stay NaN and are not counted.

    >>> bh([0.01, 0.04, 0.03, 0.005])
    [0.02, 0.04, 0.04, 0.02]
    """
    idx = [i for i, p in enumerate(pvalues) if not math.isnan(p)]
    out = [math.nan] * len(pvalues)
    m = len(idx)
    running = 1.0
    for rank, i in reversed(list(enumerate(sorted(idx, key=lambda k: pvalues[k]), start=1))):
        running = min(running, pvalues[i] * m / rank)
        out[i] = running
    return out


def check_bh() -> str:
    """Check :func:`bh` on a hand example (and against statsmodels when installed)."""
    # by hand: sorted p 0.005, 0.01, 0.03, 0.04 (m = 4) -> p*m/rank 0.02, 0.02, 0.04, 0.04
    q = bh([0.01, 0.04, 0.03, 0.005, math.nan])
    expect = [0.02, 0.04, 0.04, 0.02]
    if not all(math.isclose(a, b) for a, b in zip(q[:4], expect, strict=True)):
        raise SystemExit(f"BH self-check failed: {q}")
    rng = np.random.default_rng(1)
    p = rng.uniform(size=200) ** 3
    try:
        from statsmodels.stats.multitest import multipletests
    except ImportError:
        return "BH: hand example ok (statsmodels not installed, not cross-checked)"
    ref = multipletests(p, method="fdr_bh")[1]
    diff = float(np.max(np.abs(np.asarray(bh(list(p))) - ref)))
    if diff > 1e-12:
        raise SystemExit(f"BH differs from statsmodels by {diff}")
    return f"BH: hand example ok; statsmodels fdr_bh on 200 random p: max difference {diff:.1g}"


def compare(case: Sequence[float], control: Sequence[float]) -> dict[str, float]:
    """Two-sided Mann–Whitney U of finite values; effect sizes (case minus control)."""
    x = np.array([v for v in case if math.isfinite(v)])
    y = np.array([v for v in control if math.isfinite(v)])
    res = {
        "n_case": float(x.size),
        "n_control": float(y.size),
        "nonzero_case": float(np.count_nonzero(x)),
        "nonzero_control": float(np.count_nonzero(y)),
        "median_case": float(np.median(x)) if x.size else math.nan,
        "median_control": float(np.median(y)) if y.size else math.nan,
        "p": math.nan,
        "rank_biserial": math.nan,
    }
    res["median_diff"] = res["median_case"] - res["median_control"]
    if x.size >= MIN_N and y.size >= MIN_N and np.ptp(np.concatenate([x, y])) > 0:
        u, p = mannwhitneyu(x, y, alternative="two-sided")
        res["p"] = float(p)
        res["rank_biserial"] = 2.0 * float(u) / (x.size * y.size) - 1.0
    return res


def direction(r: float) -> str:
    if math.isnan(r):
        return "not tested"
    return "higher in patients" if r > 0 else ("lower in patients" if r < 0 else "no difference")


def verdict(expected: str, r: float, p: float) -> str:
    """Our result against a published direction ("higher"/"lower" in patients, "" = none)."""
    if math.isnan(p):
        return "not testable here"
    ours = "higher" if r > 0 else "lower"
    if not expected:
        return f"differs here ({ours} in patients)" if p < 0.05 else "no difference here"
    if ours == expected:
        return "agrees" if p < 0.05 else "same direction, p>=0.05"
    return "disagrees" if p < 0.05 else "opposite direction, p>=0.05"


# ------------------------------------------------------------------ running gutbrain


def cli(args: Sequence[str]) -> str:
    """Run the gutbrain CLI of this checkout in a subprocess; return its stdout."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    cmd = [sys.executable, "-c", "from gutbrain.cli.main import run; run()", *args]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"gutbrain {' '.join(args[:2])} failed:\n{proc.stderr}")
    return proc.stdout.strip()


def kb_directions() -> dict[str, str]:
    return {c.id: c.direction for m in load_mechanisms() for c in m.components}


def _float(s: str) -> float:
    return float(s) if s else math.nan


def read_components(path: Path) -> dict[str, dict[str, tuple[float, float, str]]]:
    """components.tsv → component → sample → (value, percentile, state).

    A component listed under several mechanisms must have the same row in each.
    """
    out: dict[str, dict[str, tuple[float, float, str]]] = defaultdict(dict)
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            row = (_float(r["value"]), _float(r["percentile"]), r["state"])
            seen = out[r["component"]].get(r["sample"])
            if seen is not None and repr(seen) != repr(row):
                raise SystemExit(f"{path}: {r['component']} differs between mechanisms")
            out[r["component"]][r["sample"]] = row
    return out


def read_mechanisms(path: Path) -> dict[str, dict[str, float]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    mechs = [k for k in rows[0] if k != "sample"]
    return {m: {r["sample"]: _float(r[m]) for r in rows} for m in mechs}


def mechanisms_of() -> dict[str, str]:
    out: dict[str, list[str]] = defaultdict(list)
    for m in load_mechanisms():
        for c in m.components:
            out[c.id].append(m.id)
    return {k: ",".join(v) for k, v in out.items()}


# ------------------------------------------------------------------ tables


def _fmt(x: object) -> str:
    if isinstance(x, float):
        if math.isnan(x):
            return ""
        return f"{x:.4g}"
    return str(x)


def write_tsv(path: Path, rows: list[dict[str, object]]) -> None:
    if not rows:
        raise SystemExit(f"no rows for {path}")
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(rows[0].keys())
        for r in rows:
            w.writerow(_fmt(v) for v in r.values())


def _states(states: Iterable[str]) -> str:
    c = Counter(states)
    return " ".join(f"{s}:{c[s]}" for s in STATES if c[s])


def component_rows(
    comps: dict[str, dict[str, tuple[float, float, str]]],
    groups: dict[str, str],
    fixed: dict[str, object],
) -> list[dict[str, object]]:
    """One row per component: value test, percentile test, states; q-values added after."""
    where = mechanisms_of()
    kb = kb_directions()
    rows: list[dict[str, object]] = []
    for comp in sorted(comps):
        by = comps[comp]
        unknown = [s for s in by if s not in groups]
        if unknown:
            raise SystemExit(f"{comp}: samples without a group, e.g. {unknown[0]!r}")
        case = [s for s in by if groups.get(s) == CASE]
        ctrl = [s for s in by if groups.get(s) == CONTROL]
        val = compare([by[s][0] for s in case], [by[s][0] for s in ctrl])
        pct = compare([by[s][1] for s in case], [by[s][1] for s in ctrl])
        rows.append(
            {
                **fixed,
                "component": comp,
                "mechanisms": where.get(comp, ""),
                "favourable": kb.get(comp, ""),
                "n_case": int(val["n_case"]),
                "n_control": int(val["n_control"]),
                "states_case": _states(by[s][2] for s in case),
                "states_control": _states(by[s][2] for s in ctrl),
                "nonzero_case": int(val["nonzero_case"]),
                "nonzero_control": int(val["nonzero_control"]),
                "median_case": val["median_case"],
                "median_control": val["median_control"],
                "median_diff": val["median_diff"],
                "rank_biserial": val["rank_biserial"],
                "direction": direction(val["rank_biserial"]),
                "p": val["p"],
                "q": math.nan,
                "median_pct_case": pct["median_case"],
                "median_pct_control": pct["median_control"],
                "rank_biserial_pct": pct["rank_biserial"],
                "p_pct": pct["p"],
                "q_pct": math.nan,
            }
        )
    _add_q(rows, "p", "q")
    _add_q(rows, "p_pct", "q_pct")
    return rows


def mechanism_rows(
    mechs: dict[str, dict[str, float]], groups: dict[str, str], fixed: dict[str, object]
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for mech, by in mechs.items():
        case = [v for s, v in by.items() if groups.get(s) == CASE]
        ctrl = [v for s, v in by.items() if groups.get(s) == CONTROL]
        res = compare(case, ctrl)
        rows.append(
            {
                **fixed,
                "mechanism": mech,
                "n_case": int(res["n_case"]),
                "n_control": int(res["n_control"]),
                "not_estimable_case": sum(1 for v in case if not math.isfinite(v)),
                "not_estimable_control": sum(1 for v in ctrl if not math.isfinite(v)),
                "median_case": res["median_case"],
                "median_control": res["median_control"],
                "median_diff": res["median_diff"],
                "rank_biserial": res["rank_biserial"],
                "direction": direction(res["rank_biserial"]),
                "p": res["p"],
                "q": math.nan,
            }
        )
    _add_q(rows, "p", "q")
    return rows


def _add_q(rows: list[dict[str, object]], pcol: str, qcol: str) -> None:
    """BH within each reference/input family of ``rows``."""
    fams: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        fams[(r.get("cohort"), r.get("input"), r.get("reference"))].append(i)
    for idx in fams.values():
        q = bh([float(rows[i][pcol]) for i in idx])  # type: ignore[arg-type]
        for i, qi in zip(idx, q, strict=True):
            rows[i][qcol] = qi


# ------------------------------------------------------------------ Zhu 2020


def zhu_groups(folder: Path) -> dict[str, str]:
    with (folder / "metadata.tsv").open(newline="", encoding="utf-8") as fh:
        meta = list(csv.DictReader(fh, delimiter="\t"))
    return {
        r["master_ID"]: CASE if r["Group"] == "schizophrenia" else CONTROL
        for r in meta
        if r["Group"] in ("schizophrenia", "healthy")
    }


def _unmangle(sample: str) -> str:
    """R's make.names turned the last '-' of the ids into '.' (see the data README)."""
    return sample[::-1].replace(".", "-", 1)[::-1]


def zhu_genus_table(folder: Path, out: Path) -> list[str]:
    """``Family_Genus`` rows → ``g__Genus``; ``X_unclassified`` rows → the rank of X only.

    Returns the notes on what was rewritten. Values are copied unchanged.
    """
    with (folder / "genus_counts.tsv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    header = ["taxon", *(_unmangle(s) for s in rows[0][1:])]
    body = []
    unresolved = []
    for r in rows[1:]:
        parts = r[0].split("_")
        if parts[-1] == "unclassified":
            first = parts[0]
            rank = "f" if first.endswith("aceae") else "o" if first.endswith("ales") else "p"
            label = f"{rank}__{first}"
            unresolved.append(label)
        else:
            label = f"g__{parts[-1]}"
        body.append([label, *r[1:]])
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(header)
        w.writerows(body)
    return [
        f"{len(body)} rows; 'Family_Genus' labels written as 'g__Genus'; "
        f"{len(unresolved)} '*_unclassified' rows written as their higher rank "
        f"({', '.join(unresolved)}); sample ids: last '.' back to '-'"
    ]


def zhu_module_table(folder: Path, units: str) -> ComponentTable:
    """All 171 samples' omixerRpm GMM + GBM abundances as a functional ComponentTable.

    Built exactly as tools/build_references.py builds the controls' reference table.
    """
    comps: list[str] = []
    blocks = []
    samples: list[str] = []
    for key, name in (("gmm", "gmm_abundance.tsv"), ("gbm", "gbm_abundance.tsv")):
        ids = {m.name: m.id for m in load_database(key).modules}
        with (folder / name).open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh, delimiter="\t"))
        if samples and rows[0][1:] != samples:
            raise SystemExit(f"{name}: sample columns differ from the other module table")
        samples = rows[0][1:]
        comps += [f"module:{ids[r[0]]}" for r in rows[1:]]
        blocks.append(np.array([[float(x) for x in r[1:]] for r in rows[1:]]))
    values = np.vstack(blocks)
    order = np.argsort(comps, kind="stable")
    return ComponentTable(
        "functional",
        "ko",
        units,
        tuple(_unmangle(s) for s in samples),
        tuple(comps[i] for i in order),
        values[order],
        np.full(values.shape, np.nan),
    )


def score_functional(table: ComponentTable, outdir: Path) -> None:
    """Score a module table against ``zhu2020_controls_modules`` like ``analyze`` does.

    Writes ``components.tsv`` and ``mechanisms.tsv`` in the layout of ``gutbrain analyze``.
    """
    ref = packaged_reference("zhu2020_controls_modules")
    if ref.units != table.units or ref.kind != table.kind:
        raise SystemExit("module table and reference differ in kind or units")
    pct = ref.percentiles(table)
    specs = mechanism_specs()
    outdir.mkdir(parents=True, exist_ok=True)
    comp_lines = ["sample\tmechanism\tcomponent\tvalue\tpercentile\tcoverage\tstate\tgrade\n"]
    mech_lines = ["sample\t" + "\t".join(m.id for m in specs) + "\n"]

    def cell(x: float | None) -> str:
        return "" if x is None or not math.isfinite(x) else repr(float(f"{x:.12g}"))

    for j, s in enumerate(table.samples):
        values = {c: float(table.values[i, j]) for i, c in enumerate(table.components)}
        cover = {c: float(table.coverage[i, j]) for i, c in enumerate(table.components)}
        pcts = {c: float(pct[i, j]) for i, c in enumerate(table.components)}
        scores = score_mechanisms(specs, values, cover, pcts)
        mech_lines.append(s + "\t" + "\t".join(cell(m.score) for m in scores) + "\n")
        for m in scores:
            for c in m.components:
                comp_lines.append(
                    f"{s}\t{m.id}\t{c.id}\t{cell(c.value)}\t{cell(c.percentile)}\t"
                    f"{cell(c.coverage)}\t{c.state}\t{c.grade}\n"
                )
    (outdir / "components.tsv").write_text("".join(comp_lines), encoding="utf-8")
    (outdir / "mechanisms.tsv").write_text("".join(mech_lines), encoding="utf-8")
    # every module of the table (most GMMs are in no mechanism), for the all-modules test
    with (outdir / "all_modules.tsv").open("w", encoding="utf-8") as fh:
        fh.write("sample\tcomponent\tvalue\tpercentile\n")
        for i, c in enumerate(table.components):
            for j, s in enumerate(table.samples):
                fh.write(f"{s}\t{c}\t{cell(table.values[i, j])}\t{cell(pct[i, j])}\n")


def read_all_modules(path: Path) -> dict[str, dict[str, tuple[float, float, str]]]:
    out: dict[str, dict[str, tuple[float, float, str]]] = defaultdict(dict)
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            v, p = _float(r["value"]), _float(r["percentile"])
            state = "not_estimable" if math.isnan(v) else "ok"
            out[r["component"]][r["sample"]] = (v, p, state)
    return out


def run_zhu(shared: Path, out: Path, tables: dict[str, list[dict[str, object]]]) -> list[str]:
    folder = shared / "data" / "zhu2020_scz_gbm"
    work, runs = out / "work", out / "runs"
    groups = zhu_groups(folder)
    controls = sorted(s for s, g in groups.items() if g == CONTROL)
    log: list[str] = []

    genus = work / "zhu2020_genus_lineages.tsv"
    log += zhu_genus_table(folder, genus)
    log.append(cli(["analyze", str(genus), "-o", str(runs / "zhu_genus_agp")]))
    ref_file = work / "zhu2020_controls_genus.json.gz"
    sample_args = [a for s in controls for a in ("--sample", s)]
    log.append(
        cli(
            [
                "reference",
                "build",
                str(genus),
                "-o",
                str(ref_file),
                "--name",
                "zhu2020_controls_genus",
                "--description",
                "Zhu 2020 healthy controls, cMD genus counts (validation only)",
                "--selection",
                "metadata.tsv Group == healthy (81)",
                *sample_args,
            ]
        )
    )
    log.append(
        cli(
            [
                "analyze",
                str(genus),
                "-o",
                str(runs / "zhu_genus_controls"),
                "--reference",
                str(ref_file),
            ]
        )
    )
    comp_rows: list[dict[str, object]] = []
    mech_rows: list[dict[str, object]] = []
    for run, ref in (("zhu_genus_agp", "agp_stool_genus"), ("zhu_genus_controls", "zhu_controls")):
        fixed = {"cohort": "Zhu2020", "input": "genus", "reference": ref}
        comp_rows += component_rows(read_components(runs / run / "components.tsv"), groups, fixed)
        mech_rows += mechanism_rows(read_mechanisms(runs / run / "mechanisms.tsv"), groups, fixed)

    ref = packaged_reference("zhu2020_controls_modules")
    table = zhu_module_table(folder, ref.units)
    score_functional(table, runs / "zhu_modules")
    fixed = {"cohort": "Zhu2020", "input": "GBM+GMM", "reference": ref.name}
    comp_rows += component_rows(
        read_components(runs / "zhu_modules" / "components.tsv"), groups, fixed
    )
    mech_rows += mechanism_rows(
        read_mechanisms(runs / "zhu_modules" / "mechanisms.tsv"), groups, fixed
    )
    names = {f"module:{m.id}": m.name for key in ("gbm", "gmm") for m in load_database(key).modules}
    all_rows = component_rows(
        read_all_modules(runs / "zhu_modules" / "all_modules.tsv"),
        groups,
        {**fixed, "input": "GBM+GMM (all modules)"},
    )
    for r in all_rows:
        r["name"] = names.get(str(r["component"]), "")
    tables["zhu_components"] = comp_rows
    tables["zhu_mechanisms"] = mech_rows
    tables["zhu_all_modules"] = all_rows
    by = {
        ("genus", str(r["component"])): r
        for r in comp_rows
        if r["input"] == "genus" and r["reference"] == "zhu_controls"
    }
    by.update({("modules", str(r["component"])): r for r in all_rows})
    pub_rows: list[dict[str, object]] = []
    for comp, kind, expected, source in ZHU_PUBLISHED:
        r = by[(kind, comp)]
        pub_rows.append(
            {
                "component": comp,
                "table": kind,
                "published_direction_in_patients": expected or "not available here",
                "source": source,
                "our_direction": r["direction"],
                "rank_biserial": r["rank_biserial"],
                "p": r["p"],
                "q": r["q"],
                "verdict": verdict(expected, float(r["rank_biserial"]), float(r["p"])),
            }
        )
    tables["zhu_published_comparison"] = pub_rows
    return log


# ------------------------------------------------------------------ Kovtun 2022


def kovtun_groups(folder: Path) -> dict[str, str]:
    with (folder / "sample_metadata.tsv").open(newline="", encoding="utf-8") as fh:
        meta = list(csv.DictReader(fh, delimiter="\t"))
    return {
        r["sample_id"]: CASE if r["group"] == "MDD" else CONTROL
        for r in meta
        if r["in_signature_tables"] == "yes"
    }


def kovtun_signatures(folder: Path) -> tuple[list[str], list[tuple[str, str]], np.ndarray]:
    """Samples, (gene, genus) per row, values. The genus is after the *last* comma."""
    with (folder / "signatures_genus.tsv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    feats = [tuple(r[0].rsplit(",", 1)) for r in rows[1:]]
    values = np.array([[float(x) for x in r[1:]] for r in rows[1:]])
    return rows[0][1:], feats, values  # type: ignore[return-value]


def kovtun_proxy(folder: Path, out: Path, gene: str | None) -> str:
    """Genus × sample proxy table: Σ of the gene signatures of each genus (or one gene)."""
    samples, feats, values = kovtun_signatures(folder)
    sums: dict[str, np.ndarray] = {}
    for (g, genus), row in zip(feats, values, strict=True):
        if gene is not None and g != gene:
            continue
        if genus == "unclassified":
            label = "k__Bacteria"
        elif genus.endswith("ales"):
            label = f"o__{genus}"
        else:
            label = f"g__{genus}"
        sums[label] = sums.get(label, 0.0) + row
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["taxon", *samples])
        for label in sorted(sums):
            w.writerow([label, *(repr(float(v)) for v in sums[label])])
    what = "all gene signatures" if gene is None else f"{gene} signatures only"
    return f"{out.name}: {len(sums)} taxa ({what} summed per genus) x {len(samples)} samples"


def published(folder: Path) -> dict[str, dict[str, float]]:
    with (folder / "expected" / "published_wilcoxon_genus.tsv").open(
        newline="", encoding="utf-8"
    ) as fh:
        return {
            r["feature"]: {k: _float(v) for k, v in r.items() if k != "feature"}
            for r in csv.DictReader(fh, delimiter="\t")
        }


def _pub_summary(feats: list[tuple[str, dict[str, float]]]) -> dict[str, object]:
    tested = [(f, d) for f, d in feats if math.isfinite(d["wilcoxon_p"])]
    sig = [(f, d) for f, d in tested if d["wilcoxon_p"] < 0.05]
    lower = [f for f, d in sig if d["median_PwD"] < d["median_HC"]]
    higher = [f for f, d in sig if d["median_PwD"] > d["median_HC"]]
    top = sorted(tested, key=lambda fd: fd[1]["wilcoxon_p"])[:4]
    return {
        "pub_features": len(feats),
        "pub_tested": len(tested),
        "pub_p05_lower_in_MDD": len(lower),
        "pub_p05_higher_in_MDD": len(higher),
        "pub_top": "; ".join(
            f"{f} HC {d['median_HC']:.3g} vs MDD {d['median_PwD']:.3g}, p={d['wilcoxon_p']:.2g}"
            for f, d in top
        ),
    }


def _pub_direction(summary: dict[str, object]) -> str:
    lower, higher = summary["pub_p05_lower_in_MDD"], summary["pub_p05_higher_in_MDD"]
    if not summary["pub_tested"]:
        return "not tested by the authors (too sparse)"
    if lower and higher:
        return "mixed"
    if lower or higher:
        return "lower" if lower else "higher"
    return "none at p<0.05"


def run_kovtun(shared: Path, out: Path, tables: dict[str, list[dict[str, object]]]) -> list[str]:
    folder = shared / "data" / "kovtun2022_mdd"
    work, runs = out / "work", out / "runs"
    groups = kovtun_groups(folder)
    log: list[str] = []
    comp_rows: list[dict[str, object]] = []
    mech_rows: list[dict[str, object]] = []
    results: dict[str, dict[str, dict[str, object]]] = {}
    for proxy, gene in (("sum", None), ("shmt", "Serine_hydroxymethyltransferase")):
        path = work / f"kovtun2022_genus_proxy_{proxy}.tsv"
        log.append(kovtun_proxy(folder, path, gene))
        run = runs / f"kovtun_{proxy}_agp"
        log.append(cli(["analyze", str(path), "-o", str(run)]))
        fixed = {
            "cohort": "Kovtun2022",
            "input": f"genus proxy ({proxy})",
            "reference": "agp_stool_genus",
        }
        rows = component_rows(read_components(run / "components.tsv"), groups, fixed)
        comp_rows += rows
        results[proxy] = {str(r["component"]): r for r in rows}
        mech_rows += mechanism_rows(read_mechanisms(run / "mechanisms.tsv"), groups, fixed)
    tables["kovtun_components"] = comp_rows
    tables["kovtun_mechanisms"] = mech_rows

    # our Mann-Whitney on the published features: does it reproduce the published p?
    pub = published(folder)
    samples, feats, values = kovtun_signatures(folder)
    g = [groups[s] for s in samples]
    ours, theirs = [], []
    fam_vals: dict[str, np.ndarray] = {}
    for (gene, genus), row in zip(feats, values, strict=True):
        fam_vals[gene] = fam_vals.get(gene, 0.0) + row
        d = pub.get(f"{gene},{genus}")
        if d is not None and math.isfinite(d["wilcoxon_p"]):
            res = compare(
                [v for v, k in zip(row, g, strict=True) if k == CASE],
                [v for v, k in zip(row, g, strict=True) if k == CONTROL],
            )
            ours.append(res["p"])
            theirs.append(d["wilcoxon_p"])
    rho = float(spearmanr(ours, theirs).statistic)
    log.append(
        f"Kovtun: our Mann-Whitney p vs published p on {len(ours)} features: Spearman rho {rho:.3f}"
    )

    # gene-family totals (our test on the published table; not a published result)
    fam_rows: list[dict[str, object]] = []
    for gene in sorted(fam_vals):
        row = fam_vals[gene]
        res = compare(
            [v for v, k in zip(row, g, strict=True) if k == CASE],
            [v for v, k in zip(row, g, strict=True) if k == CONTROL],
        )
        fam_rows.append(
            {
                "cohort": "Kovtun2022",
                "gene_family": gene,
                "n_genera": sum(1 for f in feats if f[0] == gene),
                "median_control": res["median_control"],
                "median_case": res["median_case"],
                "rank_biserial": res["rank_biserial"],
                "direction": direction(res["rank_biserial"]),
                "p": res["p"],
                "q": math.nan,
            }
        )
    _add_q(fam_rows, "p", "q")
    tables["kovtun_gene_families"] = fam_rows

    # gutbrain component vs the published features it relates to
    cmp_rows: list[dict[str, object]] = []
    fam_by = {str(r["gene_family"]): r for r in fam_rows}
    targets: list[tuple[str, list[str], tuple[str, ...]]] = [
        (f"taxon:genus:{t}", [f for f in pub if f.rsplit(",", 1)[1] == t], ()) for t in KOVTUN_TAXA
    ]
    targets += [
        (comp, [f for f in pub if f.rsplit(",", 1)[0] in genes], genes)
        for comp, genes in KOVTUN_MAP.items()
    ]
    for comp, fnames, genes in targets:
        row: dict[str, object] = {"component": comp}
        for proxy in ("sum", "shmt"):
            r = results[proxy].get(comp)
            row[f"{proxy}_states"] = (
                "" if r is None else f"{r['states_case']} | {r['states_control']}"
            )
            row[f"{proxy}_rank_biserial"] = math.nan if r is None else r["rank_biserial"]
            row[f"{proxy}_direction"] = "not in output" if r is None else r["direction"]
            row[f"{proxy}_p"] = math.nan if r is None else r["p"]
            row[f"{proxy}_q"] = math.nan if r is None else r["q"]
        row.update(_pub_summary([(f, pub[f]) for f in sorted(fnames)]))
        row["published_direction_in_MDD"] = pub_dir = _pub_direction(row)
        for proxy in ("sum", "shmt"):
            rb, p = float(row[f"{proxy}_rank_biserial"]), float(row[f"{proxy}_p"])
            if pub_dir in ("lower", "higher"):
                row[f"{proxy}_verdict"] = verdict(pub_dir, rb, p)
            elif pub_dir == "none at p<0.05":
                row[f"{proxy}_verdict"] = verdict("", rb, p) + "; published: none at p<0.05"
            elif pub_dir == "mixed":
                row[f"{proxy}_verdict"] = f"published mixed; ours {direction(rb)} (p={p:.2g})"
            else:
                row[f"{proxy}_verdict"] = "cannot be compared"
        fams = [fam_by[x] for x in genes if x in fam_by]
        row["family_totals_ours"] = "; ".join(
            f"{f['gene_family']}: {f['direction']} (r={_fmt(f['rank_biserial'])}, p={_fmt(f['p'])})"
            for f in fams
        )
        cmp_rows.append(row)
    tables["kovtun_published_comparison"] = cmp_rows
    return log


# ------------------------------------------------------------------ summary


def _top(rows: list[dict[str, object]], n: int) -> list[dict[str, object]]:
    tested = [r for r in rows if math.isfinite(float(r["p"]))]  # type: ignore[arg-type]
    return sorted(tested, key=lambda r: float(r["p"]))[:n]  # type: ignore[arg-type]


def summary(tables: dict[str, list[dict[str, object]]]) -> list[str]:
    lines = []
    for name, key in (
        ("zhu_components", "component"),
        ("zhu_mechanisms", "mechanism"),
        ("kovtun_components", "component"),
        ("kovtun_mechanisms", "mechanism"),
    ):
        rows = tables[name]
        fams = sorted({(str(r["input"]), str(r["reference"])) for r in rows})
        for inp, ref in fams:
            fam = [r for r in rows if r["input"] == inp and r["reference"] == ref]
            nq = sum(1 for r in fam if float(r["q"]) < 0.05)  # type: ignore[arg-type]
            lines.append(f"{name} [{inp} vs {ref}]: {len(fam)} rows, {nq} with q<0.05; top:")
            for r in _top(fam, 6):
                lines.append(
                    f"  {r[key]}: {r['direction']} (r={_fmt(r['rank_biserial'])}, "
                    f"p={_fmt(r['p'])}, q={_fmt(r['q'])})"
                )
    lines.append("Zhu 2020 vs published (our test: genus vs Zhu-controls reference; all modules):")
    for r in tables["zhu_published_comparison"]:
        lines.append(
            f"  {r['component']}: published {r['published_direction_in_patients']}; ours "
            f"{r['our_direction']} (r={_fmt(r['rank_biserial'])}, p={_fmt(r['p'])}) -> "
            f"{r['verdict']}"
        )
    lines.append("Kovtun 2022 vs published per-feature tests (sum proxy | SHMT proxy):")
    for r in tables["kovtun_published_comparison"]:
        lines.append(
            f"  {r['component']}: published {r['published_direction_in_MDD']}; ours "
            f"r={_fmt(r['sum_rank_biserial'])} p={_fmt(r['sum_p'])} -> {r['sum_verdict']} | "
            f"r={_fmt(r['shmt_rank_biserial'])} p={_fmt(r['shmt_p'])} -> {r['shmt_verdict']}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    out: Path = args.out
    (out / "work").mkdir(parents=True, exist_ok=True)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    log = [check_bh()]
    tables: dict[str, list[dict[str, object]]] = {}
    log += run_zhu(args.shared, out, tables)
    log += run_kovtun(args.shared, out, tables)
    for name, rows in tables.items():
        write_tsv(out / f"{name}.tsv", rows)
    elapsed = time.perf_counter() - start
    lines = [*log, *summary(tables), f"runtime: {elapsed:.1f} s"]
    (out / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "summary.json").write_text(
        json.dumps({"runtime_s": round(elapsed, 1), "tables": sorted(tables)}, indent=2) + "\n",
        encoding="utf-8",
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
