"""Tests for the packaged taxon reference (names, synonyms, traits) and its build script."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from gutbrain.knowledge import taxa
from gutbrain.knowledge.taxa import TaxonResolver, trait_matrix

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "src" / "gutbrain" / "knowledge" / "data" / "taxa"
SHIPPED = (
    "names.tsv.gz",
    "species_genus.tsv.gz",
    "traits.tsv.gz",
    "copy_numbers.tsv.gz",
)


@pytest.fixture(scope="module")
def resolver() -> TaxonResolver:
    return TaxonResolver()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Eubacterium rectale", "Agathobacter rectalis"),
        ("Bacteroides vulgatus", "Phocaeicola vulgatus"),
        ("Ruminococcus gnavus", "Mediterraneibacter gnavus"),
        ("Lactobacillus plantarum", "Lactiplantibacillus plantarum"),
        ("Clostridium difficile", "Clostridioides difficile"),
    ],
)
def test_synonyms_both_ways(resolver: TaxonResolver, old: str, new: str) -> None:
    a, b = resolver.resolve(old, None), resolver.resolve(new, None)
    assert a.species_taxid is not None
    assert a.species_taxid == b.species_taxid


def test_synonym_method(resolver: TaxonResolver) -> None:
    assert resolver.resolve("Anaerobutyricum hallii", None).species_taxid == (
        resolver.resolve("Eubacterium hallii", None).species_taxid
    )


def test_phylum_synonym_rows_cite() -> None:
    syn = {s.old: s for s in taxa.load_synonyms()}
    assert syn["Firmicutes"].current == "Bacillota"
    assert syn["Firmicutes"].citation == "Oren2021"


@pytest.mark.parametrize(
    "name",
    [
        "Faecalibacterium_prausnitzii",
        "s__Faecalibacterium_prausnitzii",
        "Faecalibacterium prausnitzii_D",
        "faecalibacterium   prausnitzii",
        "k__Bacteria|p__Firmicutes|g__Faecalibacterium|s__Faecalibacterium_prausnitzii",
        "Faecalibacterium prausnitzii A2-165",
    ],
)
def test_name_forms(resolver: TaxonResolver, name: str) -> None:
    assert resolver.resolve(name, None).species_taxid == 853


def test_brackets_and_gtdb_genus(resolver: TaxonResolver) -> None:
    assert resolver.resolve("[Ruminococcus] gnavus", None).species_taxid == (
        resolver.resolve("Ruminococcus gnavus", None).species_taxid
    )
    assert resolver.resolve(None, "Prevotella_A").genus_taxid == (
        resolver.resolve(None, "Prevotella").genus_taxid
    )


def test_genus_fallback(resolver: TaxonResolver) -> None:
    r = resolver.resolve("Roseburia unclassified", None)
    assert r.species_taxid is None and r.genus_taxid is not None and r.method == "genus name"
    r = resolver.resolve("Bacteroides sp.", "Bacteroides")
    assert r.species_taxid is None and r.genus_taxid == 816
    assert resolver.resolve("Nonexistentia fictiva", None).method == "unresolved"


def test_taxid_and_epithet(resolver: TaxonResolver) -> None:
    r = resolver.resolve(None, None, taxid=853)
    assert (r.species_taxid, r.genus_taxid, r.method) == (853, 216851, "taxid")
    assert resolver.resolve("prausnitzii", "Faecalibacterium").species_taxid == 853
    assert resolver.genus_of(853) == 216851


@pytest.mark.parametrize(
    ("species", "trait"),
    [
        ("Faecalibacterium prausnitzii", "butyrate"),
        ("Roseburia intestinalis", "butyrate"),
        ("Eubacterium rectale", "butyrate"),
        ("Bacteroides fragilis", "gaba"),
        ("Bifidobacterium dentium", "gaba"),
        ("Akkermansia muciniphila", "propionate"),
        ("Escherichia coli", "lps"),
        ("Clostridium sporogenes", "ipa"),
    ],
)
def test_sanity_fixtures(resolver: TaxonResolver, species: str, trait: str) -> None:
    taxid = resolver.resolve(species, None).species_taxid
    traits, values, tiers = trait_matrix([taxid], "species")
    j = traits.index(trait)
    assert values[0, j] > 0
    assert tiers[0, j] >= 0


def test_gram_positive_lps_is_zero_not_missing(resolver: TaxonResolver) -> None:
    taxid = resolver.resolve("Faecalibacterium prausnitzii", None).species_taxid
    traits, values, _ = trait_matrix([taxid], "species")
    assert values[0, traits.index("lps")] == 0


def test_genus_rows_and_missing() -> None:
    traits, values, tiers = trait_matrix([816, None, 999_999_999], "genus")
    assert values.shape == (3, len(traits))
    assert np.isfinite(values[0]).any()
    assert np.isnan(values[1:]).all() and (tiers[1:] == -1).all()
    finite = values[np.isfinite(values)]
    assert ((finite >= 0) & (finite <= 1)).all()


def _rows(name: str) -> list[list[str]]:
    raw = (resources.files("gutbrain.knowledge") / "data" / "taxa" / name).read_bytes()
    text = gzip.decompress(raw).decode() if name.endswith(".gz") else raw.decode()
    return [line.split("\t") for line in io.StringIO(text).read().splitlines()]


def test_every_source_and_citation_resolves() -> None:
    refs = json.loads(
        (resources.files("gutbrain.knowledge") / "data" / "references.json").read_text("utf-8")
    )
    keys = {r["id"] for r in refs}
    assert len(keys) == len(refs)
    trows = _rows("traits.tsv.gz")
    assert trows[0][:6] == ["taxid", "rank", "trait", "value", "source", "tier"]
    assert {r[4] for r in trows[1:]} <= keys
    assert {r[2] for r in trows[1:]} == set(taxa.TRAITS)
    assert {r[5] for r in trows[1:]} <= set(taxa.TIERS)
    assert {s.citation for s in taxa.load_synonyms()} <= keys
    assert {r[3] for r in _rows("names.tsv.gz")[1:]} <= keys
    for info in taxa.trait_info().values():
        assert set(info.sources) <= keys


def test_data_size_limit() -> None:
    total = sum(p.stat().st_size for p in DATA.iterdir() if p.is_file())
    assert total <= 10 * 1024 * 1024


def test_build_reproduces_shipped_files(shared: Path, tmp_path: Path) -> None:
    src = shared / "reference" / "taxa"
    if not src.is_dir():
        pytest.skip("shared/reference/taxa not available")
    (tmp_path / "synonyms.tsv").write_bytes((DATA / "synonyms.tsv").read_bytes())
    subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_taxa_reference.py"), str(src),
         "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    for name in SHIPPED:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
