"""Build the packaged reference populations from the copied study data in ``../shared/data``.

Writes, deterministically (sorted-key JSON, gzip ``mtime=0``), into
``src/gutbrain/knowledge/data/references/``::

    .venv/bin/python tools/build_references.py [--shared SHARED_DIR] [--out OUT_DIR]

* ``hmp2_nonibd_metaphlan4.json.gz``: MaAsLin 3's HMP2 MetaPhlAn 4 table, every
  ``diagnosis == nonIBD`` sample (all time points of each participant).
* ``agp_stool_genus.json.gz``: American Gut rounds 1–8, ``BODY_SITE == UBERON:feces``,
  one sample per ``HOST_SUBJECT_ID`` (the first sample id in sort order), rarefied counts
  as read (no 16S copy-number correction: the BIOM reader marks the profile 'unknown').
* ``zhu2020_controls_modules.json.gz``: Zhu et al. 2020 healthy controls, from the
  precomputed omixerRpm GBM/GMM tables (not from KOs): coverage unknown.

``PROVENANCE.md`` in the output folder is written by hand, not by this script.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gutbrain.io.reference_file import write_reference  # noqa: E402
from gutbrain.io.taxon_profile import TaxonProfile  # noqa: E402
from gutbrain.io.taxonomic import read_taxon_profile  # noqa: E402
from gutbrain.knowledge.modules import load_database  # noqa: E402
from gutbrain.pipeline.features import ComponentTable, taxonomic_components  # noqa: E402
from gutbrain.pipeline.reference import ReferencePopulation, build_reference  # noqa: E402

DEFAULT_SHARED = ROOT.parent / "shared"
DEFAULT_OUT = ROOT / "src" / "gutbrain" / "knowledge" / "data" / "references"
BUILD = "python tools/build_references.py"

#: Units label of the Zhu 2020 module tables (omixerRpm output, see the data README).
ZHU_UNITS = "omixerRpm module abundance (Tjazi guidebook, cMD gene families regrouped to KO)"


def _subset(profile: TaxonProfile, keep: list[str]) -> TaxonProfile:
    col = {s: j for j, s in enumerate(profile.samples)}
    idx = np.array([col[s] for s in keep], dtype=np.intp)
    unclassified = None if profile.unclassified is None else profile.unclassified[idx]
    return replace(
        profile, samples=tuple(keep), values=profile.values[:, idx], unclassified=unclassified
    )


def _r_table(path: Path) -> dict[str, dict[str, str]]:
    """An R ``write.table`` file (header without a row-name cell) as row id → fields."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    header = rows[0]
    return {r[0]: dict(zip(header, r[1:], strict=True)) for r in rows[1:]}


def build_hmp2(shared: Path) -> ReferencePopulation:
    """HMP2 non-IBD participants, every sample, MetaPhlAn 4 species."""
    folder = shared / "data" / "maaslin3_hmp2"
    meta = _r_table(folder / "HMP2_metadata.tsv")
    profile = read_taxon_profile(folder / "HMP2_taxonomy.tsv")
    keep = [s for s in profile.samples if meta[s]["diagnosis"] == "nonIBD"]
    subjects = {meta[s]["participant_id"] for s in keep}
    table = taxonomic_components(_subset(profile, keep))
    return build_reference(
        table,
        "hmp2_nonibd_metaphlan4",
        "Healthy (non-IBD) participants of the Integrative Human Microbiome Project (HMP2 / "
        f"IBDMDB), stool metagenomes profiled with MetaPhlAn 4: {len(keep)} samples from "
        f"{len(subjects)} participants (longitudinal, all time points).",
        "HMP2_metadata.tsv diagnosis == 'nonIBD'; every sample kept (all time points of each "
        "participant), so percentiles describe healthy person-time points and the effective "
        "number of independent people is the number of participants",
        ["Nickols2024", "LloydPrice2019"],
        provenance="biobakery/maaslin3 e5f6782 inst/extdata/HMP2_taxonomy.tsv + "
        f"HMP2_metadata.tsv (MIT); built with `{BUILD}`",
        notes=(*table.notes, f"{len(subjects)} participants"),
    )


def build_agp(shared: Path) -> ReferencePopulation:
    """American Gut stool samples, one per participant, 16S genus level."""
    folder = shared / "data" / "agp2014_r1_8"
    with (folder / "sample_metadata.tsv").open(newline="", encoding="utf-8") as fh:
        meta = {r["sample_id"]: r for r in csv.DictReader(fh, delimiter="\t")}
    profile = read_taxon_profile(folder / "AG_100nt_even10k.biom.gz", require_taxonomy=True)
    first: dict[str, str] = {}
    for s in sorted(profile.samples):
        row = meta.get(s)
        if row is not None and row["BODY_SITE"] == "UBERON:feces":
            first.setdefault(row["HOST_SUBJECT_ID"], s)
    keep = sorted(first.values())
    n_feces = sum(1 for s in profile.samples if meta.get(s, {}).get("BODY_SITE") == "UBERON:feces")
    table = taxonomic_components(_subset(profile, keep))
    return build_reference(
        table,
        "agp_stool_genus",
        "American Gut Project rounds 1-8 (2014) stool samples: 16S rRNA V4 amplicons (100 nt, "
        "closed-reference Greengenes OTUs, rarefied to 10,000 reads), resolved to NCBI genera: "
        f"{len(keep)} participants. A general-population volunteer cohort, not screened for "
        "health.",
        f"sample_metadata.tsv BODY_SITE == 'UBERON:feces' ({n_feces} samples); one sample per "
        "HOST_SUBJECT_ID, the first sample id in sort order",
        ["McDonald2018"],
        provenance="biocore/American-Gut 043c467 data/AG/AG_100nt_even10k.biom.gz + mapping "
        f"file (BSD-3-Clause); built with `{BUILD}`",
        notes=(
            *table.notes,
            "not 16S copy-number corrected: the BIOM reader marks the profile 'unknown' "
            "sequencing and `gutbrain taxa` corrects only profiles marked 16S, so a user's "
            "BIOM/qza table processed with defaults is made the same way",
        ),
    )


def _module_table(path: Path, key: str) -> tuple[list[str], list[str], np.ndarray]:
    ids = {m.name: m.id for m in load_database(key).modules}
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    samples = rows[0][1:]
    comps = [f"module:{ids[r[0]]}" for r in rows[1:]]
    values = np.array([[float(x) for x in r[1:]] for r in rows[1:]], dtype=np.float64)
    return comps, samples, values


def build_zhu(shared: Path) -> ReferencePopulation:
    """Zhu 2020 healthy controls, precomputed GBM and GMM abundances."""
    folder = shared / "data" / "zhu2020_scz_gbm"
    with (folder / "metadata.tsv").open(newline="", encoding="utf-8") as fh:
        group = {r["master_ID"]: r["Group"] for r in csv.DictReader(fh, delimiter="\t")}
    comps: list[str] = []
    blocks = []
    samples: list[str] = []
    for key, name in (("gmm", "gmm_abundance.tsv"), ("gbm", "gbm_abundance.tsv")):
        c, s, v = _module_table(folder / name, key)
        if samples and s != samples:
            raise SystemExit(f"{name}: sample columns differ from the other module table")
        samples = s
        comps += c
        blocks.append(v)
    original = [s[::-1].replace(".", "-", 1)[::-1] for s in samples]  # R-mangled last '.'
    keep = [j for j, s in enumerate(original) if group[s] == "healthy"]
    values = np.vstack(blocks)[:, keep]
    order = np.argsort(comps, kind="stable")
    table = ComponentTable(
        "functional",
        "ko",
        ZHU_UNITS,
        tuple(original[j] for j in keep),
        tuple(comps[i] for i in order),
        values[order],
        np.full(values.shape, np.nan),
    )
    return build_reference(
        table,
        "zhu2020_controls_modules",
        "Healthy controls of Zhu et al. 2020 (Xi'an, China; shotgun stool metagenomes): "
        f"{len(keep)} samples, abundances of the gut-brain (GBM v1.0) and gut-metabolic "
        "(GMM v1.07) modules as computed by omixerRpm for the Tjazi guidebook.",
        "metadata.tsv Group == 'healthy' (schizophrenia cases excluded); one sample per person",
        ["Zhu2020", "Bastiaanssen2023", "VallesColomer2019", "VieiraSilva2016", "Pasolli2017"],
        provenance="thomazbastiaanssen/Tjazi 2f980ad data/guidebook_data.RData (GPL-3.0), "
        f"gbm_abundance.tsv + gmm_abundance.tsv + metadata.tsv; built with `{BUILD}`",
        notes=(
            "built from omixerRpm module tables, not from a KO table: gutbrain's own module "
            "scoring was not run, coverage is unknown (NaN)",
            "omixerRpm reports 0 for a module below its coverage cut-off, so 0 means "
            "'absent or not covered'",
            "only modules present in the upstream tables (43 GBMs, 98 GMMs); curated modules "
            "are absent",
            "units differ from a user's KO table (CPM, RPK...) unless it was made the same way",
        ),
    )


BUILDERS = {
    "hmp2_nonibd_metaphlan4": build_hmp2,
    "agp_stool_genus": build_agp,
    "zhu2020_controls_modules": build_zhu,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", choices=sorted(BUILDERS), action="append")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.only or list(BUILDERS):
        ref = BUILDERS[name](args.shared)
        path = args.out / f"{name}.json.gz"
        write_reference(path, ref.to_json())
        print(f"{path.name}: {ref.n_samples} samples, {len(ref.distributions)} components, "
              f"{path.stat().st_size} bytes")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
