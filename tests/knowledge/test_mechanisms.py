"""The mechanism knowledge base: schema, references, component ids, corrupted copies."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any, get_args

import pytest

from gutbrain.core.diversity import ALPHA_METRICS
from gutbrain.errors import KnowledgeBaseError
from gutbrain.knowledge import mechanisms as mk
from gutbrain.knowledge.modules import load_database
from gutbrain.knowledge.taxa import TRAITS, TaxonResolver

SIX = ("serotonin", "stress", "inflammation", "neurotransmitters", "scfa", "vitamins")


def _data(name: str) -> str:
    node = resources.files("gutbrain.knowledge") / "data" / "mechanisms" / name
    return node.read_text("utf-8")


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_data("mechanisms.json"))
    return data


def _refs() -> set[str]:
    node = resources.files("gutbrain.knowledge") / "data" / "references.json"
    return {entry["id"] for entry in json.loads(node.read_text("utf-8"))}


def _all_components() -> list[mk.Component]:
    return [c for m in mk.load_mechanisms() for c in m.components]


def test_packaged_knowledge_validates() -> None:
    mk.validate_knowledge()


def test_schema_validates_file_and_is_draft_2020_12() -> None:
    schema = mk.load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    mk.validate_instance(_raw(), schema)


def test_schema_enums_match_loader_types() -> None:
    defs = mk.load_schema()["$defs"]
    assert defs["grade"]["enum"] == list(get_args(mk.Grade))
    assert defs["component"]["properties"]["direction"]["enum"] == list(get_args(mk.Direction))
    assert defs["mechanism"]["properties"]["id"]["enum"] == list(mk.MECHANISM_IDS)
    comp_required = set(defs["component"]["required"])
    assert comp_required | {"balance_with"} == set(mk.Component.__dataclass_fields__)
    mech_fields = set(mk.Mechanism.__dataclass_fields__)
    assert set(defs["mechanism"]["required"]) == mech_fields
    markers = mk.load_schema("marker_taxa.schema.json")
    assert markers["x-column-order"] == list(mk.MarkerTaxon.__dataclass_fields__)
    assert set(markers["required"]) == set(mk.MarkerTaxon.__dataclass_fields__)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("version"), "missing field 'version'"),
        (lambda d: d["mechanisms"][0].update(evidence_grade="E"), "value not allowed"),
        (lambda d: d["mechanisms"][0]["components"][0].update(weight=1.5), "number too large"),
        (lambda d: d["mechanisms"][0]["components"][0].update(weight="1"), "wrong type"),
        (lambda d: d["mechanisms"][0]["components"][0].update(extra=1), "unknown field"),
        (lambda d: d["mechanisms"][0]["components"][0].update(id="gene:x"), "pattern"),
        (lambda d: d["mechanisms"][0].update(citations=[]), "too few items"),
    ],
)
def test_mini_validator_rejects(mutate: Any, message: str) -> None:
    data = _raw()
    mutate(data)
    with pytest.raises(KnowledgeBaseError, match=message):
        mk.validate_instance(data, mk.load_schema())


def test_mini_validator_refuses_unknown_keywords() -> None:
    with pytest.raises(KnowledgeBaseError, match="does not support"):
        mk.validate_instance(1, {"oneOf": [{"type": "integer"}]})


def test_six_mechanisms_plus_diversity_and_markers() -> None:
    ids = [m.id for m in mk.load_mechanisms()]
    assert ids == [*SIX, "diversity", "markers"]
    assert all(m.components for m in mk.load_mechanisms())


def test_every_citation_resolves_to_a_reference() -> None:
    known = _refs()
    for mech in mk.load_mechanisms():
        assert set(mech.citations) <= known, mech.id
        for comp in mech.components:
            assert comp.citations and set(comp.citations) <= known, comp.id
    for row in mk.load_marker_taxa():
        assert row.citation in known, row


def test_every_component_exists_in_its_engine() -> None:
    modules = {
        m.id: m.name for key in ("gmm", "gbm", "curated") for m in load_database(key).modules
    }
    resolver = TaxonResolver()
    for comp in _all_components():
        kind, _, value = comp.id.partition(":")
        if kind == "module":
            assert value in modules, comp.id
        elif kind == "trait":
            assert value in TRAITS, comp.id
        elif kind == "diversity":
            assert value in ALPHA_METRICS, comp.id
        else:
            rank, _, name = value.partition(":")
            res = (
                resolver.resolve(name, None) if rank == "species" else resolver.resolve(None, name)
            )
            taxid = res.species_taxid if rank == "species" else res.genus_taxid
            assert taxid is not None, comp.id


def test_module_ids_and_names_match_the_names_files() -> None:
    names = {m.id: m.name for key in ("gbm", "curated", "gmm") for m in load_database(key).modules}
    expected = {
        "MGB005": "Tryptophan synthesis",
        "MGB004": "Kynurenine synthesis",
        "MGB011": "Cortisol degradation",
        "MGB019": "GABA degradation",
        "MGB022": "GABA synthesis III",
        "MGB024": "DOPAC synthesis",
        "MGB052": "Butyrate synthesis I",
        "MF0088": "butyrate production I",
        "GBC030": "Kdo2-lipid A synthesis (core)",
        "GBC020": "tetrahydrofolate synthesis, de novo",
    }
    for mid, name in expected.items():
        assert names[mid] == name
    used = {c.id.split(":", 1)[1] for c in _all_components() if c.kind == "module"}
    required = {
        "MGB001", "MGB002", "MGB004", "MGB005", "MGB011", "MGB017", "MGB019", "MGB020",
        "MGB021", "MGB022", "MGB032", "MGB033", "MGB040", "MGB041", "MF0086", "MF0088",
        "MF0089", "MF0093", "MF0094", "MF0095", "GBC001", "GBC002", "GBC003", "GBC004",
        "GBC005", "GBC010", "GBC011", "GBC012", "GBC020", "GBC021", "GBC030", "GBC031",
    } | {f"MGB0{n}" for n in range(43, 57)}  # fmt: skip
    assert required <= used, sorted(required - used)


def test_marker_taxa_resolve_and_follow_evidence() -> None:
    rows = mk.load_marker_taxa()
    resolver = TaxonResolver()
    for row in rows:
        res = resolver.resolve(row.name, None) if row.rank == "species" else None
        taxid = res.species_taxid if res else resolver.resolve(None, row.name).genus_taxid
        assert taxid is not None, row
    lookup = {(r.name, r.citation): r.direction for r in rows}
    assert lookup[("Coprococcus", "VallesColomer2019")] == "lower"
    assert lookup[("Dialister", "VallesColomer2019")] == "lower"
    assert lookup[("Faecalibacterium", "Nikolova2021")] == "lower"
    assert lookup[("Eggerthella", "Radjabzadeh2022")] == "higher"
    assert lookup[("Eggerthella", "Nikolova2021")] == "higher"


def test_unverified_radjabzadeh_directions_are_left_out() -> None:
    names = {r.name for r in mk.load_marker_taxa()}
    for name in ("Sellimonas", "Hungatella", "Lachnoclostridium", "Subdoligranulum"):
        assert name not in names


def test_not_estimable_notes() -> None:
    by_id = {m.id: m for m in mk.load_mechanisms()}
    nt = " ".join(n.what.lower() for n in by_id["neurotransmitters"].not_estimable)
    assert "norepinephrine" in nt
    ser = [n for n in by_id["serotonin"].not_estimable if "serotonin synthesis" in n.what]
    assert ser and "taxonomic" in ser[0].what


def test_policy_grade_d_and_undirected_components_are_not_scored() -> None:
    for comp in _all_components():
        if comp.evidence_grade == "D" or comp.direction in ("neutral", "balance"):
            assert comp.weight == 0, comp.id
    assert not any(c.scored for c in mk.load_mechanisms()[1].components)  # stress: animal only
    assert mk.load_mechanisms()[1].evidence_grade == "D"


def test_directions_from_evidence() -> None:
    by_id = {m.id: m for m in mk.load_mechanisms()}
    assert by_id["scfa"].component("trait:butyrate").direction == "higher"
    assert by_id["inflammation"].component("module:GBC030").direction == "lower"
    gaba = by_id["neurotransmitters"].component("module:MGB022")
    assert (gaba.direction, gaba.balance_with) == ("balance", "module:MGB019")


def test_component_kind() -> None:
    assert mk.component_kind("diversity:shannon") == "diversity"
    assert mk.component_kind("taxon:species:Ruminococcus bromii") == "taxon"
    with pytest.raises(KnowledgeBaseError):
        mk.component_kind("taxon:family:Enterobacteriaceae")
    with pytest.raises(KnowledgeBaseError):
        mk.component_kind("MGB005")


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "mechanisms.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _first(data: dict[str, Any]) -> dict[str, Any]:
    comp: dict[str, Any] = data["mechanisms"][0]["components"][0]
    return comp


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: _first(d).update(citations=["NoSuchPaper2099"]), "unknown citation key"),
        (lambda d: d["mechanisms"][2].update(citations=["NoSuchPaper2099"]), "unknown citation"),
        (lambda d: _first(d).update(id="module:MGB999"), "unknown component"),
        (lambda d: _first(d).update(id="trait:serotonin"), "unknown component"),
        (lambda d: _first(d).update(id="diversity:berger_parker"), "unknown component"),
        (lambda d: _first(d).update(id="taxon:genus:Notagenusatall"), "unknown component"),
        (lambda d: _first(d).update(weight=-0.1), "number too small"),
        (lambda d: _first(d).update(evidence_grade="F"), "value not allowed"),
        (
            lambda d: _first(d).update(direction="balance", balance_with="module:MGB019"),
            "balance_with is not another component",
        ),
        (lambda d: _first(d).update(evidence_grade="D"), "must have weight 0"),
        (lambda d: d["mechanisms"].pop(), "mechanism set"),
    ],
)
def test_corrupted_copy_is_rejected(tmp_path: Path, mutate: Any, message: str) -> None:
    data = _raw()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(KnowledgeBaseError, match=message):
        mk.validate_knowledge(mechanisms_path=path)


def test_corrupted_marker_rows_are_rejected(tmp_path: Path) -> None:
    text = _data("marker_taxa.tsv")
    bad_cite = tmp_path / "cite.tsv"
    bad_cite.write_text(text.replace("\tVallesColomer2019\t", "\tNoSuch2099\t", 1), "utf-8")
    with pytest.raises(KnowledgeBaseError, match="unknown citation key"):
        mk.validate_knowledge(marker_taxa_path=bad_cite)
    bad_taxon = tmp_path / "taxon.tsv"
    cells = ["taxon:genus:Notagenusatall", "genus", "Notagenusatall", "depression", "lower"]
    row = "\t".join([*cells, "x", "B", "Nikolova2021", ""]) + "\n"
    bad_taxon.write_text(text + row, "utf-8")
    with pytest.raises(KnowledgeBaseError, match="does not resolve"):
        mk.validate_knowledge(marker_taxa_path=bad_taxon)
    flipped = tmp_path / "flip.tsv"
    flipped.write_text(
        text.replace("\tDialister\tdepression\tlower", "\tDialister\tdepression\thigher"), "utf-8"
    )
    with pytest.raises(KnowledgeBaseError, match="contradicts"):
        mk.validate_knowledge(marker_taxa_path=flipped)


def test_unreadable_path_is_a_knowledge_base_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="cannot read"):
        mk.load_mechanisms(tmp_path / "missing.json")
