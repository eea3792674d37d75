"""Build the packaged taxon reference (names, species→genus, traits, 16S copy numbers).

Reads the copied reference data in ``shared/reference/taxa/`` (see its README for origin,
licence and caveats of every file) and writes, deterministically, into
``src/gutbrain/knowledge/data/taxa/``::

    .venv/bin/python tools/build_taxa_reference.py [SOURCE_DIR] [--out OUT_DIR]

``synonyms.tsv`` and ``PROVENANCE.md`` in the output directory are curated by hand and read,
not written, except that the synonym table is used to link old and current names.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gutbrain.knowledge.taxa import TRAITS, _majority_rank, normalise_name  # noqa: E402

DEFAULT_SRC = ROOT.parent / "shared" / "reference" / "taxa"
DEFAULT_OUT = ROOT / "src" / "gutbrain" / "knowledge" / "data" / "taxa"

csv.field_size_limit(1 << 30)

# citation keys (references.json)
AGORA2 = "Heinken2023"
GBM = "VallesColomer2019"
GUTMGENE = "Cheng2022"
NJS16 = "Sung2017"
PHENDB = "Feldbauer2015"
HUMANN = "Beghini2021"
TAXSEA = "Pham2025"
MICROBETAG = "microbetag"
SILVA = "Quast2013"
GTDB = "Parks2022"
MICFUNPRED = "Mongad2021"
PICRUST2 = "Douglas2020"

T_CUR, T_CG, T_DB, T_ML = (
    "curated_experimental",
    "comparative_genomics",
    "database_assertion",
    "ml_prediction",
)

# AGORA2/DEMETER species roll-up column(s) per trait (max over listed columns)
AGORA2_COLUMNS: dict[str, tuple[str, ...]] = {
    "indole": ("ferm_indole",),
    "ipa": ("aro_indolepropionate",),
    "acetate": ("ferm_acetate_kinase", "ferm_bifid_shunt", "ferm_acetogen"),
    "propionate": ("ferm_propionate_any",),
    "butyrate": ("ferm_butyrate_any",),
}
# secretionProductTable.txt columns, rolled up here from the strain table (value = share of the
# species' AGORA2 strains with a 1); many positive strains belong to a few species (E. coli …)
SECRETION_COLUMNS: dict[str, str] = {
    "gaba": "GABA",
    "glutamate": "L-glutamate",
    "tryptamine": "Tryptamine",
    "iaa": "Indole-3-acetate",
    "histamine": "Histamine",
    "tyramine": "Tyramine",
    "b12": "Cobalamin",
    "biotin": "Biotin",
    "folate": "Folate",
    "k2": "Menaquinone",
    "h2s": "Sulfide",
}
# Valles-Colomer 2019 gut-brain modules (MGB052 left out for butyrate: TAXA_REFERENCE §3)
GBM_MODULES: dict[str, tuple[str, ...]] = {
    "gaba": ("MGB020", "MGB021", "MGB022"),
    "glutamate": ("MGB006", "MGB007"),
    "tryptophan_synthesis": ("MGB005",),
    "dopamine": ("MGB012",),
    "histamine": ("MGB009",),
    "p_cresol": ("MGB015",),
    "k2": ("MGB040",),
    "acetate": ("MGB043", "MGB044"),
    "propionate": ("MGB048", "MGB054", "MGB055"),
    "butyrate": ("MGB053",),
}
GUTMGENE_SETS: dict[str, tuple[str, ...]] = {
    "gaba": ("gamma-Aminobutyric_acid",),
    "glutamate": ("Glutamic_acid",),
    "indole": ("Indole",),
    "tryptamine": ("Tryptamine",),
    "ipa": ("3-Indolepropionic_acid",),
    "iaa": ("Indole-3-acetic_acid",),
    "dopamine": ("Dopamine",),
    "tyramine": ("Tyramine",),
    "acetate": ("Acetate",),
    "propionate": ("Propionate",),
    "butyrate": ("Butyrate",),
    "folate": ("Folic_acid",),
}
# KEGG compound ids, NJS16 "Production (export)"
NJS16_COMPOUNDS: dict[str, tuple[str, ...]] = {
    "gaba": ("C00334",),
    "glutamate": ("C00025",),
    "indole": ("C00463",),
    "tryptamine": ("C00398",),
    "iaa": ("C00954",),
    "dopamine": ("C03758",),
    "histamine": ("C00388",),
    "tyramine": ("C00483",),
    "acetate": ("C00033",),
    "propionate": ("C00163",),
    "butyrate": ("C00246",),
    "biotin": ("C00120",),
    "folate": ("C00504",),
    "k2": ("C00828",),
    "h2s": ("C00283",),
    "p_cresol": ("C01468",),
}
PHENDB_FILES: dict[str, str] = {"butyrate": "butyric_acid", "acetate": "ac", "indole": "indole"}
PHENDB_MIN_CONFIDENCE = 0.7
TRP_GENES = ("TrpA", "TrpB", "TrpC", "TrpD", "TrpE")


# --------------------------------------------------------------------------- io helpers


def _text(path: Path) -> Iterator[str]:
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            yield from fh
    else:
        with path.open(encoding="utf-8", newline="") as fh:
            yield from fh


def _tsv(path: Path, header: bool = True) -> Iterator[list[str]]:
    lines = _text(path)
    if header:
        next(lines)
    for line in lines:
        line = line.rstrip("\r\n")
        if line:
            yield line.split("\t")


def _dict_tsv(path: Path) -> Iterator[dict[str, str]]:
    yield from csv.DictReader(_text(path), delimiter="\t")


def _write(path: Path, header: list[str], rows: Iterable[Iterable[object]]) -> None:
    buf = io.StringIO()
    buf.write("\t".join(header) + "\n")
    for row in rows:
        buf.write("\t".join(str(x) for x in row) + "\n")
    data = buf.getvalue().encode("utf-8")
    if path.suffix == ".gz":
        out = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
            gz.write(data)
        data = out.getvalue()
    path.write_bytes(data)


def _fmt(v: float) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".") if v not in (0.0, 1.0) else str(int(v))


def _is_binomial(key: str) -> bool:
    return bool(re.fullmatch(r"[a-z][a-z-]+ [a-z][a-z0-9 .-]*", key))


# --------------------------------------------------------------------------- names


class Names:
    """Candidate name → taxid mappings with source priority (lower wins)."""

    def __init__(self) -> None:
        self.cand: dict[str, list[tuple[float, int, str, str]]] = defaultdict(list)
        self.higher: set[str] = set()
        self.genus_of_name: dict[str, str] = {}  # species key -> genus name (lineage)

    def add(self, name: str, taxid: int, rank: str, source: str, prio: float) -> None:
        key = normalise_name(name)
        if not re.match(r"[a-z]", key) or taxid <= 0 or re.search(r"\.\d+$", name):
            return
        self.cand[key].append((prio, taxid, rank, source))

    def best(self) -> dict[str, tuple[int, str, str]]:
        out: dict[str, tuple[int, str, str]] = {}
        for key, cands in self.cand.items():
            taxid_votes = Counter(c[1] for c in cands if c[0] == min(x[0] for x in cands))
            prio = min(c[0] for c in cands)
            top = sorted(
                (c for c in cands if c[0] == prio), key=lambda c: (-taxid_votes[c[1]], c[1])
            )[0]
            out[key] = (top[1], top[2], top[3])
        return out


def _rank_of(key: str, names: Names) -> str:
    if " " in key:
        return "species"
    return "higher" if key in names.higher else "genus"


def build_names(src: Path, synonyms: list[dict[str, str]]) -> tuple[Names, list[str]]:
    names = Names()
    used: list[str] = []
    # higher-rank names from SILVA and GTDB lineages (to rank single-word names)
    silva = src / "microbetag" / "silva_138_taxonomies_ncbiIds.tsv.gz"
    silva_rows: list[tuple[list[str], int]] = []
    for line in _text(silva):
        lineage, _, taxid = line.rstrip("\r\n").rpartition(",")
        levels = [x.strip() for x in lineage.split(";")]
        while levels and not levels[-1]:
            levels.pop()
        if not levels or not taxid.isdigit():
            continue
        silva_rows.append((levels, int(taxid)))
        for lv in levels[:5]:
            names.higher.add(normalise_name(lv))
    for mpa in sorted((src / "metaphlan_humann").glob("mpa_v*_SGB2GTDB_*.tsv.gz")):
        for row in _tsv(mpa, header=False):
            ranks = dict(p.split("__", 1) for p in row[1].split(";") if "__" in p)
            for r in "pcof":
                if ranks.get(r):
                    names.higher.add(normalise_name(ranks[r]))
            if ranks.get("s") and ranks.get("g"):
                names.genus_of_name.setdefault(normalise_name(ranks["s"]), ranks["g"])
        used.append(str(mpa.relative_to(src)))

    # 1. HUMAnN/MetaPhlAn vJan21 SGB labels (NCBI species taxids)
    hum = src / "metaphlan_humann" / "humann_mpa_vJan21_CHOCOPhlAnSGB_202103.tsv.gz"
    for row in _tsv(hum):
        if len(row) >= 3 and row[2].isdigit():
            names.add(row[1], int(row[2]), "species", HUMANN, 1)
        if len(row) >= 5 and row[3]:
            for lab, tid in zip(row[3].split(","), row[4].split(","), strict=False):
                if tid.isdigit():
                    names.add(lab, int(tid), "species", HUMANN, 1.5)
    used.append(str(hum.relative_to(src)))
    sgbmap = src / "metaphlan_humann" / "humann3_sgb_map.Jun23.tsv.gz"
    for row in _tsv(sgbmap, header=False):
        parts = dict(p.split("__", 1) for p in row[1].split(".") if "__" in p)
        if parts.get("s") and parts.get("g") and "unclassified" not in parts["g"]:
            names.genus_of_name.setdefault(normalise_name(parts["s"]), parts["g"])
    used.append(str(sgbmap.relative_to(src)))
    # 2. TaxSEA name → taxid
    tax = src / "taxsea" / "NCBI_ids_name_to_taxid.tsv"
    for row in _tsv(tax):
        if len(row) == 2 and row[1].isdigit():
            key = normalise_name(row[0])
            names.add(row[0], int(row[1]), _rank_of(key, names), TAXSEA, 2)
    used.append(str(tax.relative_to(src)))
    # 3. microbetag genus → taxid
    gen = src / "microbetag" / "genera2ncbiId.tsv"
    for grow in _tsv(gen, header=False):
        if len(grow) >= 2 and grow[1].isdigit():
            names.add(grow[0], int(grow[1]), "genus", MICROBETAG, 3)
    used.append(str(gen.relative_to(src)))
    # 4. SILVA 138 lineages (taxid of the deepest level)
    for levels, stax in silva_rows:
        if len(levels) >= 7:
            names.add(f"{levels[5]} {levels[6]}", stax, "species", SILVA, 4)
        elif len(levels) == 6:
            names.add(levels[5], stax, "genus", SILVA, 4)
        else:
            names.add(levels[-1], stax, "higher", SILVA, 4)
    used.append(str(silva.relative_to(src)))
    # 5. GTDB r202 species → NCBI taxid (microbetag crosswalks)
    for gprio, fname in ((5, "gtdb_r202_species_ncbiTaxid_accession.tsv.gz"),
                         (6, "species2ncbiId2accession.tsv.gz")):  # fmt: skip
        path = src / "microbetag" / fname
        for xrow in _tsv(path, header=False):
            # binomials only: longer GTDB/NCBI names carry strain-level taxids
            if len(xrow) >= 2 and xrow[1].isdigit() and normalise_name(xrow[0]).count(" ") == 1:
                names.add(xrow[0], int(xrow[1]), "species", GTDB, gprio)
        used.append(str(path.relative_to(src)))

    # synonyms: give each name of a pair the other's mapping at just-worse priority
    for syn in synonyms:
        a, b = normalise_name(syn["old_name"]), normalise_name(syn["current_name"])
        for x, y in ((a, b), (b, a)):
            for cprio, ctax, crank, _src in list(names.cand.get(x, [])):
                names.cand[y].append((cprio + 0.25, ctax, crank, syn["citation"]))
    return names, used


def build_species_genus(
    names: Names,
    best: dict[str, tuple[int, str, str]],
    agora_lineage: dict[str, str],
    synonyms: list[dict[str, str]],
) -> list[tuple[int, int, str]]:
    old_to_new = {
        normalise_name(s["old_name"]): normalise_name(s["current_name"])
        for s in synonyms
        if s["rank"] == "species"
    }
    by_taxid: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for key, cands in names.cand.items():
        if key in best and best[key][1] == "species":
            by_taxid[best[key][0]].append((min(c[0] for c in cands), key))
    out: list[tuple[int, int, str]] = []
    for taxid, keys in by_taxid.items():
        keys.sort()
        key = keys[0][1]
        key = old_to_new.get(key, key)
        genus = agora_lineage.get(key) or names.genus_of_name.get(key) or key.split(" ")[0]
        gkey = normalise_name(genus)
        hit = best.get(gkey)
        if hit is None or hit[1] != "genus":
            gkey = key.split(" ")[0]
            hit = best.get(gkey)
        if hit is not None and hit[1] == "genus":
            out.append((taxid, hit[0], gkey[:1].upper() + gkey[1:]))
    return sorted(out)


# --------------------------------------------------------------------------- traits


class Resolver:
    """Minimal name resolver for the build (mirrors gutbrain.knowledge.taxa.TaxonResolver)."""

    def __init__(self, best: dict[str, tuple[int, str, str]]) -> None:
        self.best = best

    def species(self, name: str) -> int | None:
        key = normalise_name(name)
        for k in (key, " ".join(key.split(" ")[:2])):
            hit = self.best.get(k)
            if hit is not None and hit[1] == "species":
                return hit[0]
        return None


def agora2_traits(src: Path, res: Resolver) -> tuple[dict[tuple[int, str], float], set[int], int]:
    rows: dict[tuple[int, str], float] = {}
    universe: set[int] = set()
    unresolved = 0
    per_taxid: dict[int, list[dict[str, str]]] = defaultdict(list)
    for r in _dict_tsv(src / "agora2_demeter" / "DERIVED_agora2_gutbrain_traits_by_species.tsv"):
        taxid = res.species(r["species"])
        if taxid is None:
            unresolved += 1
            continue
        per_taxid[taxid].append(r)
    for taxid, rs in per_taxid.items():
        universe.add(taxid)
        n = sum(int(r["n_strains"]) for r in rs)
        for trait, cols in AGORA2_COLUMNS.items():
            # strain-weighted if several AGORA2 species names map to one taxid
            v = sum(max(float(r[c]) for c in cols) * int(r["n_strains"]) for r in rs) / n
            if v > 0:
                rows[(taxid, trait)] = v
    return rows, universe, unresolved


def agora2_secretion(src: Path, res: Resolver) -> tuple[dict[tuple[int, str], float], set[int]]:
    species_of = {
        r["MicrobeID"]: r["Species"]
        for r in _dict_tsv(src / "agora2_demeter" / "AGORA2_infoFile.tsv")
        if r.get("MicrobeID") and r.get("Species")
    }
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for r in _dict_tsv(src / "agora2_demeter" / "secretionProductTable.txt"):
        name = species_of.get(r["MicrobeID"])
        taxid = res.species(name) if name else None
        if taxid is None:
            continue
        counts[taxid]["_n"] += 1
        for trait, col in SECRETION_COLUMNS.items():
            counts[taxid][trait] += r.get(col, "0").strip() in ("1", "1.0")
    rows: dict[tuple[int, str], float] = {}
    for t, c in counts.items():
        for trait in SECRETION_COLUMNS:
            if c[trait] > 0:
                rows[(t, trait)] = c[trait] / c["_n"]
    return rows, set(counts)


def agora2_gram(src: Path, res: Resolver) -> tuple[dict[tuple[int, str], float], set[int]]:
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for r in _dict_tsv(src / "agora2_demeter" / "AGORA2_infoFile.tsv"):
        gram = r.get("Gram Staining", "").strip()
        if r.get("Kingdom") != "Bacteria" or gram not in ("Gram+", "Gram-"):
            continue
        taxid = res.species(r["Species"])
        if taxid is None:
            continue
        counts[taxid][0] += gram == "Gram-"
        counts[taxid][1] += 1
    rows = {(t, "lps"): neg / n for t, (neg, n) in counts.items()}
    return rows, set(counts)


def agora2_lineage(src: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for r in _dict_tsv(src / "agora2_demeter" / "AGORA2_infoFile.tsv"):
        if r.get("Species") and r.get("Genus"):
            out.setdefault(normalise_name(r["Species"]), r["Genus"])
    return out


def trp_spreadsheet(src: Path, res: Resolver) -> tuple[dict[tuple[int, str], float], set[int]]:
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for r in _dict_tsv(src / "agora2_demeter" / "spreadsheet_AAB_Trp.tsv.gz"):
        name = re.sub(r"\s*\([0-9.]+\)\s*$", "", r["Organism"])
        taxid = res.species(name)
        if taxid is None:
            continue
        counts[taxid][0] += all(r.get(g, "").strip() for g in TRP_GENES)
        counts[taxid][1] += 1
    return {(t, "tryptophan_synthesis"): k / n for t, (k, n) in counts.items()}, set(counts)


def taxsea_sets(
    src: Path, prefix: str, mapping: dict[str, tuple[str, ...]]
) -> tuple[dict[str, set[int]], set[int]]:
    members: dict[str, set[int]] = defaultdict(set)
    universe: set[int] = set()
    for r in _dict_tsv(src / "taxsea" / "TaxSEA_db_v1.3.3_long.tsv"):
        s = r["taxon_set"]
        if not s.startswith(prefix) or not r["ncbi_taxid"].isdigit():
            continue
        taxid = int(r["ncbi_taxid"])
        universe.add(taxid)
        for trait, keys in mapping.items():
            if any(s == prefix + k or s.startswith(prefix + k + ".") for k in keys):
                members[trait].add(taxid)
    return members, universe


def njs16(src: Path) -> tuple[dict[str, set[int]], set[int]]:
    members: dict[str, set[int]] = defaultdict(set)
    universe: set[int] = set()
    for row in _tsv(src / "njs16_njc19" / "NJS16_metabolic_relation.tsv"):
        if len(row) < 3 or not row[2].strip().isdigit():
            continue
        taxid = int(row[2].strip())
        universe.add(taxid)
        if "production (export)" not in row[0].lower():
            continue
        compounds = {c.strip() for c in row[1].split(",")}
        for trait, ids in NJS16_COMPOUNDS.items():
            if compounds & set(ids):
                members[trait].add(taxid)
    return members, universe


def phendb(src: Path, res: Resolver) -> tuple[dict[tuple[int, str], float], dict[str, set[int]]]:
    acc2species: dict[str, int] = {}
    for row in _tsv(src / "microbetag" / "species2ncbiId2accession.tsv.gz", header=False):
        if len(row) >= 3:
            taxid = res.species(row[0])
            if taxid is not None:
                acc2species.setdefault(row[2], taxid)
    rows: dict[tuple[int, str], float] = {}
    universes: dict[str, set[int]] = {}
    for trait, fname in PHENDB_FILES.items():
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        path = src / "microbetag" / "phendb_predictions" / f"{fname}.predictions.gz"
        for line in _text(path):
            parts = line.rstrip("\r\n").split("\t")
            if line.startswith("#") or len(parts) < 3 or parts[1] not in ("YES", "NO"):
                continue
            try:
                conf = float(parts[2])
            except ValueError:
                continue
            taxid = acc2species.get(parts[0])
            if taxid is None or conf < PHENDB_MIN_CONFIDENCE:
                continue
            counts[taxid][0] += parts[1] == "YES"
            counts[taxid][1] += 1
        for t, (k, n) in counts.items():
            rows[(t, trait)] = k / n
        universes[trait] = set(counts)
    return rows, universes


def copy_number_rows(src: Path) -> list[tuple[str, str, int, str]]:
    """Genus mean 16S copy number: MicFunPred (human genomes) first, PICRUSt2 v2.6 otherwise."""
    per: dict[str, list[float]] = defaultdict(list)
    for row in _tsv(src / "micfunpred" / "human_16S_cp.txt"):
        if len(row) < 2:
            continue
        words = normalise_name(row[0]).split(" ")
        if not words or not re.fullmatch(r"[a-z]+", words[0]) or words[0] == "candidate":
            continue
        try:
            copies = float(row[1])
        except ValueError:
            continue
        if copies > 0:  # a genome assembly without a 16S call is not a copy number of 0
            per[words[0]].append(copies)
    pic: dict[str, list[float]] = defaultdict(list)
    for r in csv.DictReader(_text(src / "picrust2" / "bacteria_metadata.csv.gz")):
        ranks = dict(p.split("__", 1) for p in r["ncbi_taxonomy"].split(";") if "__" in p)
        genus = normalise_name(ranks.get("g", ""))
        try:
            copies = float(r["16S copies"])
        except (KeyError, ValueError):
            continue
        if re.fullmatch(r"[a-z]+", genus) and copies > 0:
            pic[genus].append(copies)
    out = [(g, _fmt(sum(v) / len(v)), len(v), MICFUNPRED) for g, v in per.items()]
    out += [(g, _fmt(sum(v) / len(v)), len(v), PICRUST2) for g, v in pic.items() if g not in per]
    return sorted(out)


# --------------------------------------------------------------------------- main


def sgb_genus_rows(src: Path) -> list[tuple[str, str, str]]:
    """MetaPhlAn 4 SGB id → GTDB genus (suffix such as ``_A`` removed); newest release wins."""
    best: dict[str, tuple[str, str]] = {}
    files = sorted((src / "metaphlan_humann").glob("mpa_v*_SGB2GTDB_*.tsv.gz"))
    for path in sorted(files, key=lambda p: p.name.rsplit("_", 1)[-1]):  # r207 before r220
        release = path.name.rsplit("_", 1)[-1].removesuffix(".tsv.gz")
        for row in _tsv(path, header=False):
            if len(row) < 2:
                continue
            ranks = dict(p.split("__", 1) for p in row[1].split(";") if "__" in p)
            genus = re.sub(r"_[A-Z]{1,3}$", "", ranks.get("g", "").strip())
            if row[0].startswith("SGB") and genus:
                best[row[0]] = (genus, release)
    return [(k, *best[k]) for k in sorted(best, key=lambda x: int(x[3:]) if x[3:].isdigit() else 0)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", nargs="?", type=Path, default=DEFAULT_SRC)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    src: Path = args.src
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    synonyms = list(_dict_tsv(out / "synonyms.tsv"))

    names, _used = build_names(src, synonyms)
    best = names.best()
    _write(
        out / "names.tsv.gz",
        ["name", "taxid", "rank", "source"],
        ((k, *best[k]) for k in sorted(best)),
    )
    lineage = agora2_lineage(src)
    sg = build_species_genus(names, best, lineage, synonyms)
    _write(out / "species_genus.tsv.gz", ["species_taxid", "genus_taxid", "genus_name"], sg)
    _write(out / "sgb_genus.tsv.gz", ["sgb", "gtdb_genus", "gtdb_release"], sgb_genus_rows(src))
    genus_of = {s: g for s, g, _ in sg}
    rank_votes: dict[int, Counter[str]] = defaultdict(Counter)
    for taxid, rank, _s in best.values():
        rank_votes[taxid][rank] += 1
    rank_of = {t: _majority_rank(dict(v)) for t, v in rank_votes.items()}

    res = Resolver(best)
    # (taxid, trait, source) -> (value, tier); universes per (source, trait)
    species_rows: dict[tuple[int, str, str], tuple[float, str]] = {}
    genus_direct: dict[tuple[int, str, str], tuple[float, str]] = {}
    universe: dict[tuple[str, str], set[int]] = {}
    asserts_absence: set[tuple[str, str]] = set()

    def put(taxid: int, trait: str, source: str, value: float, tier: str) -> None:
        rank = rank_of.get(taxid, "species" if taxid in genus_of else "")
        if rank == "species":
            species_rows[(taxid, trait, source)] = (value, tier)
        elif rank == "genus":
            genus_direct[(taxid, trait, source)] = (value, tier)

    ag_rows, ag_univ, ag_unres = agora2_traits(src, res)
    for (t, trait), v in ag_rows.items():
        put(t, trait, AGORA2, v, T_CUR)
    for trait in AGORA2_COLUMNS:
        universe[(AGORA2, trait)] = ag_univ
    sec_rows, sec_univ = agora2_secretion(src, res)
    for (t, trait), v in sec_rows.items():
        put(t, trait, AGORA2, v, T_CUR)
    for trait in SECRETION_COLUMNS:
        universe[(AGORA2, trait)] = sec_univ
    gram_rows, gram_univ = agora2_gram(src, res)
    for (t, trait), v in gram_rows.items():
        put(t, trait, AGORA2, v, T_CUR)
    universe[(AGORA2, "lps")] = gram_univ
    asserts_absence.add((AGORA2, "lps"))
    trp_rows, trp_univ = trp_spreadsheet(src, res)
    trp_src = AGORA2 + "#spreadsheet"
    for (t, trait), v in trp_rows.items():
        species_rows[(t, trait, trp_src)] = (v, T_CG)
    universe[(trp_src, "tryptophan_synthesis")] = trp_univ
    asserts_absence.add((trp_src, "tryptophan_synthesis"))

    for source, tier, (members, univ) in (
        (GBM, T_CG, taxsea_sets(src, "Valles-Colomer2019_", GBM_MODULES)),
        (GUTMGENE, T_DB, taxsea_sets(src, "GutMGene_producers_of_", GUTMGENE_SETS)),
        (NJS16, T_CUR, njs16(src)),
    ):
        for trait, taxa in members.items():
            for t in taxa:
                put(t, trait, source, 1.0, tier)
            universe[(source, trait)] = univ
    ph_rows, ph_univ = phendb(src, res)
    for (t, trait), v in ph_rows.items():
        species_rows[(t, trait, PHENDB)] = (v, T_ML)
    for trait, u in ph_univ.items():
        universe[(PHENDB, trait)] = u
        asserts_absence.add((PHENDB, trait))

    # genus roll-up: mean over the source's assessed species of the genus
    genus_rows: dict[tuple[int, str, str], tuple[float, str, str, int]] = {}
    by_genus: dict[tuple[int, str, str], list[float]] = defaultdict(list)
    tier_of: dict[tuple[str, str], str] = {}
    for (source, trait), univ in universe.items():
        for t in univ:
            g = genus_of.get(t)
            if g is None or rank_of.get(t, "species") != "species":
                continue
            hit = species_rows.get((t, trait, source))
            by_genus[(g, trait, source)].append(hit[0] if hit else 0.0)
            if hit:
                tier_of[(source, trait)] = hit[1]
    for (g, trait, source), vals in by_genus.items():
        v = sum(vals) / len(vals)
        if v > 0 or (source, trait) in asserts_absence:
            gtier = tier_of.get((source, trait))
            if gtier is not None:
                genus_rows[(g, trait, source)] = (v, gtier, "genus_mean", len(vals))
    for (g, trait, source), (v, tier) in genus_direct.items():
        genus_rows[(g, trait, source)] = (v, tier, "direct", 1)

    trait_rows = []
    for (t, trait, source), (v, tier) in species_rows.items():
        trait_rows.append((t, "species", trait, _fmt(v), source.split("#")[0], tier, "direct", 1))
    for (g, trait, source), (v, tier, method, n) in genus_rows.items():
        trait_rows.append((g, "genus", trait, _fmt(v), source.split("#")[0], tier, method, n))
    assert {r[2] for r in trait_rows} <= set(TRAITS)
    trait_rows.sort(key=lambda r: (r[0], r[1], TRAITS.index(r[2]), r[4], r[5]))
    _write(
        out / "traits.tsv.gz",
        ["taxid", "rank", "trait", "value", "source", "tier", "method", "n"],
        trait_rows,
    )
    _write(
        out / "copy_numbers.tsv.gz",
        ["genus", "mean_copy_number", "n_genomes", "source"],
        copy_number_rows(src),
    )
    print(
        f"names={len(best)} species_genus={len(sg)} traits={len(trait_rows)} "
        f"agora2_species_unresolved={ag_unres}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
