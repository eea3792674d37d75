"""Checks on the packaged gutbrain-curated modules (B12, B7, B9, lipid A).

The definitions (``curated.v1.0.txt``), their names and the step-level
provenance table (``curated.v1.0.steps.tsv``) are maintained by hand; these
tests keep the three files, the reference list and the curation facts in step.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path

import pytest

from gutbrain.core.module_types import Module
from gutbrain.knowledge.module_format import parse_module_names, parse_modules
from gutbrain.knowledge.modules import load_database

DEFINITIONS = "curated.v1.0.txt"
NAMES = "curated.v1.0.names"
STEPS = "curated.v1.0.steps.tsv"
TSV_HEADER = ["module", "step", "role", "label", "genes", "ec", "kos", "citations", "note"]
ROLES = {"scored", "optional-not-scored"}

EXPECTED_MODULES = {
    "GBC001": "cobamide corrin ring, anaerobic (cbi) route",
    "GBC002": "cobamide corrin ring, aerobic (cob) route",
    "GBC003": "cobamide late steps and nucleotide loop",
    "GBC004": "cobamide and cobinamide uptake (salvage)",
    "GBC005": "dimethylbenzimidazole lower ligand synthesis",
    "GBC010": "biotin synthesis from pimelate moiety",
    "GBC011": "biotin ring assembly (core)",
    "GBC012": "biotin uptake (salvage)",
    "GBC020": "tetrahydrofolate synthesis, de novo",
    "GBC021": "tetrahydrofolate synthesis from pABA",
    "GBC030": "Kdo2-lipid A synthesis (core)",
    "GBC031": "lipid A late acylation (hexa-acylated type)",
}

#: Mobile sulfonamide/trimethoprim resistance alleles and non-specific phosphatases.
FORBIDDEN_KOS = frozenset(
    {
        "K18974",  # sul1
        "K18824",  # sul2
        "K18825",  # sul3
        "K18589",  # dfrA1
        "K18590",  # dfrA12
        "K18591",  # dfrD
        "K19643",  # dfrA10
        "K19644",  # dfrA19/dfrA18
        "K19645",  # dfrB
        "K01077",  # phoA
        "K01113",  # phoD
    }
)

FACTS = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "reference"
    / "modules"
    / "CURATION_FACTS.md"
)

KO_RE = re.compile(r"K\d{5}")


def _data(*parts: str) -> str:
    node = resources.files("gutbrain.knowledge") / "data"
    for part in parts:
        node = node / part
    return node.read_text(encoding="utf-8")


@cache
def _modules() -> tuple[Module, ...]:
    return parse_modules(_data("modules", DEFINITIONS), source=DEFINITIONS)


@cache
def _rows() -> tuple[dict[str, str], ...]:
    reader = csv.reader(io.StringIO(_data("modules", STEPS)), delimiter="\t")
    header = next(reader)
    assert header == TSV_HEADER
    rows = []
    for lineno, fields in enumerate(reader, start=2):
        assert len(fields) == len(TSV_HEADER), f"{STEPS} line {lineno}: {fields}"
        rows.append(dict(zip(TSV_HEADER, fields, strict=True)))
    return tuple(rows)


def _parse_kos(text: str) -> tuple[tuple[str, ...], ...]:
    """``'K1 + K2 | K3'`` -> ``(('K1', 'K2'), ('K3',))``; empty text -> ``()``."""
    if not text.strip():
        return ()
    return tuple(tuple(k.strip() for k in alt.split(" + ")) for alt in text.split(" | "))


def _scored(module_id: str) -> list[dict[str, str]]:
    return [r for r in _rows() if r["module"] == module_id and r["role"] == "scored"]


def _reference_ids() -> set[str]:
    return {entry["id"] for entry in json.loads(_data("references.json"))}


def test_definitions_parse_and_end_cleanly() -> None:
    text = _data("modules", DEFINITIONS)
    assert text.endswith("///\n")
    assert "\n\n" not in text
    mods = _modules()
    assert [m.id for m in mods] == list(EXPECTED_MODULES)
    for m in mods:
        assert m.n_steps >= 1, m.id
        assert m.name == EXPECTED_MODULES[m.id]


def test_names_file_matches_definitions() -> None:
    text = _data("modules", NAMES)
    names = parse_module_names(text, source=NAMES)
    assert list(names) == [m.id for m in _modules()]
    assert names == {m.id: m.name for m in _modules()}
    assert len(text.splitlines()) == len(_modules())


def test_load_database_curated() -> None:
    db = load_database("curated")
    assert db.key == "curated"
    assert db.version == "1.0"
    assert db.title == "gutbrain curated vitamin and LPS modules"
    assert db.licence.startswith("GPL-3.0-or-later")
    assert db.module_ids() == tuple(EXPECTED_MODULES)
    assert len(db.modules) == 12
    assert db.modules == _modules()


def test_database_citations_resolve() -> None:
    db = load_database("curated")
    assert db.citation_keys
    assert set(db.citation_keys) <= _reference_ids()
    for key in ("Magnusdottir2015", "Rodionov2019", "RaetzWhitfield2002"):
        assert key in db.citation_keys


def test_steps_tsv_rows_are_well_formed() -> None:
    module_ids = {m.id for m in _modules()}
    for row in _rows():
        assert row["module"] in module_ids, row
        assert row["role"] in ROLES, row
        assert row["label"], row
        assert row["note"], row
        if row["role"] == "scored":
            assert row["step"].isdigit(), row
            assert _parse_kos(row["kos"]), row
        else:
            assert row["step"] == "", row


def test_every_module_has_one_row_per_scored_step() -> None:
    for m in _modules():
        numbers = [int(r["step"]) for r in _scored(m.id)]
        assert sorted(numbers) == list(range(1, m.n_steps + 1)), m.id


def test_step_kos_match_definitions_exactly() -> None:
    for m in _modules():
        by_step = {int(r["step"]): r for r in _scored(m.id)}
        for number, step in enumerate(m.steps, start=1):
            tsv_step = _parse_kos(by_step[number]["kos"])
            # Exact set equality of KOs per step, in both directions ...
            assert {k for alt in tsv_step for k in alt} == {k for alt in step for k in alt}, (
                m.id,
                number,
            )
            # ... and the same OR/AND structure, in the same order.
            assert tsv_step == step, (m.id, number)


def test_module_kos_equal_tsv_kos_per_module() -> None:
    for m in _modules():
        tsv = {k for r in _scored(m.id) for alt in _parse_kos(r["kos"]) for k in alt}
        assert tsv == set(m.identifiers()), m.id


def test_optional_steps_are_not_scored() -> None:
    for m in _modules():
        optional = [
            r for r in _rows() if r["module"] == m.id and r["role"] == "optional-not-scored"
        ]
        for row in optional:
            kos = {k for alt in _parse_kos(row["kos"]) for k in alt}
            assert not kos & m.identifiers(), (m.id, row["label"], kos & m.identifiers())


def test_expected_optional_steps_recorded() -> None:
    optional = {(r["module"], r["label"]) for r in _rows() if r["role"] == "optional-not-scored"}
    for item in [
        ("GBC002", "AE11"),
        ("GBC003", "L3"),
        ("GBC003", "N3"),
        ("GBC020", "G2"),
        ("GBC030", "K3"),
    ]:
        assert item in optional


def test_every_citation_key_resolves() -> None:
    known = _reference_ids()
    for row in _rows():
        keys = [k.strip() for k in row["citations"].split(";")]
        assert keys and all(keys), row
        missing = set(keys) - known
        assert not missing, (row["module"], row["label"], missing)


def test_reference_entries_are_unique_and_complete() -> None:
    refs = json.loads(_data("references.json"))
    ids = [entry["id"] for entry in refs]
    assert len(ids) == len(set(ids))
    for entry in refs:
        assert entry.get("title"), entry["id"]
        assert entry.get("author"), entry["id"]
        assert entry.get("issued"), entry["id"]


def test_no_resistance_alleles_or_nonspecific_phosphatases() -> None:
    used = set().union(*(m.identifiers() for m in _modules()))
    assert not used & FORBIDDEN_KOS
    tsv = {k for r in _rows() for alt in _parse_kos(r["kos"]) for k in alt}
    assert not tsv & FORBIDDEN_KOS


def test_all_identifiers_are_kos() -> None:
    for m in _modules():
        for ko in m.identifiers():
            assert KO_RE.fullmatch(ko), (m.id, ko)


def test_multi_subunit_complexes_are_complexes() -> None:
    by_id = {m.id: m for m in _modules()}
    assert ("K03399", "K02191") in by_id["GBC001"].steps[8]
    assert ("K02230", "K09882", "K09883") in by_id["GBC002"].steps[9]
    assert ("K01665", "K01664") in by_id["GBC020"].steps[3]
    assert ("K06858", "K06073", "K06074") in by_id["GBC004"].steps[0]
    assert ("K25034", "K25027", "K25028") in by_id["GBC004"].steps[0]


def test_all_module_kos_are_in_curation_facts() -> None:
    if not FACTS.is_file():
        pytest.skip(f"curation facts not available at {FACTS}")
    facts = set(KO_RE.findall(FACTS.read_text(encoding="utf-8")))
    used = set().union(*(m.identifiers() for m in _modules()))
    assert used <= facts, sorted(used - facts)
