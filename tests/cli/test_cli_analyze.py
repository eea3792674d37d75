"""`gutbrain analyze` and `gutbrain reference build`: profiles, states, determinism, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gutbrain.cli.main import app
from gutbrain.knowledge.examples import example_file
from gutbrain.knowledge.mechanisms import load_mechanisms, reference_keys
from gutbrain.knowledge.profile_schema import validate_profile

runner = CliRunner()
KO = Path(str(example_file("ko-profile")))


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def profiles(outdir: Path) -> dict[str, dict[str, object]]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((outdir / "profiles").glob("*.json"))}


def check_profile(doc: dict[str, object]) -> None:
    validate_profile(doc)
    keys = reference_keys()
    mechs = doc["mechanisms"]
    assert isinstance(mechs, list)
    assert [m["id"] for m in mechs] == [m.id for m in load_mechanisms()]
    for m in mechs:
        assert m["state"] in ("ok", "low_confidence", "not_estimable")
        assert set(m["citations"]) <= keys
        for c in m["components"]:
            assert c["state"] and c["evidence_grade"] in "ABCD"
            assert set(c["citations"]) <= keys
            if c["value"] is None:
                assert c["state"] == "not_estimable" and c["percentile"] is None


def test_analyze_metaphlan_profile(shared: Path, tmp_path: Path) -> None:
    mpa = shared / "data" / "humann_demo" / "v3.9" / "demo_metaphlan_bugs_list.tsv"
    code, out, err = invoke("analyze", mpa, "-o", tmp_path)
    assert code == 0, err
    docs = profiles(tmp_path)
    assert len(docs) == 1
    (doc,) = docs.values()
    check_profile(doc)
    states = {c["state"] for m in doc["mechanisms"] for c in m["components"]}  # type: ignore[index, union-attr]
    assert "ok" in states and "not_estimable" in states
    assert "hmp2_nonibd_metaphlan4" in out
    with open(tmp_path / "components.tsv") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert {"sample", "mechanism", "component", "percentile", "state", "grade"} <= set(rows[0])


def test_analyze_ko_profile_units_not_comparable(tmp_path: Path) -> None:
    code, out, err = invoke("analyze", KO, "-o", tmp_path)
    assert code == 0, err
    docs = profiles(tmp_path)
    assert set(docs) == {"S1", "S2"}
    for doc in docs.values():
        check_profile(doc)
        module_states = {
            c["state"]
            for m in doc["mechanisms"]  # type: ignore[union-attr]
            for c in m["components"]
            if c["id"].startswith("module:") and c["value"] is not None
        }
        assert module_states == {"not_comparable"}
    assert "units differ" in out


def test_own_reference_round_trip(tmp_path: Path) -> None:
    ref = tmp_path / "ref.json.gz"
    code, out, err = invoke("reference", "build", KO, "--name", "darzi", "-o", ref)
    assert code == 0, err
    assert "2 samples" in out
    code, _, err = invoke("analyze", KO, "--reference", ref, "-o", tmp_path / "o")
    assert code == 0, err
    doc = profiles(tmp_path / "o")["S1"]
    check_profile(doc)
    comps = [c for m in doc["mechanisms"] for c in m["components"]]  # type: ignore[union-attr]
    mf = [c for c in comps if c["id"] == "module:MGB005"]
    assert mf and mf[0]["percentile"] in (25.0, 50.0, 75.0)  # its own mid-rank among 2


def test_determinism(tmp_path: Path) -> None:
    assert invoke("analyze", KO, "-o", tmp_path / "a")[0] == 0
    assert invoke("analyze", KO, "-o", tmp_path / "b")[0] == 0
    for name in ("S1.json", "S2.json"):
        a = (tmp_path / "a" / "profiles" / name).read_bytes()
        assert a == (tmp_path / "b" / "profiles" / name).read_bytes()
    a = (tmp_path / "a" / "components.tsv").read_bytes()
    assert a == (tmp_path / "b" / "components.tsv").read_bytes()


def test_sample_selection(tmp_path: Path) -> None:
    code, _, err = invoke("analyze", KO, "--sample", "S2", "-o", tmp_path)
    assert code == 0, err
    assert set(profiles(tmp_path)) == {"S2"}
    code, _, err = invoke("analyze", KO, "--sample", "S9", "-o", tmp_path / "x")
    assert code == 2 and "unknown sample id" in err


def test_reference_of_another_kind(tmp_path: Path) -> None:
    code, _, err = invoke("analyze", KO, "--reference", "agp_stool_genus", "-o", tmp_path)
    assert code == 2 and "different kind" in err and "Traceback" not in err


def test_inputs_without_shared_samples(shared: Path, tmp_path: Path) -> None:
    mpa = shared / "data" / "humann_demo" / "v3.9" / "demo_metaphlan_bugs_list.tsv"
    code, _, err = invoke("analyze", mpa, KO, "-o", tmp_path)
    assert code == 2 and "share no sample id" in err


@pytest.mark.parametrize("ref", ["nope", "missing.json.gz"])
def test_unknown_reference(tmp_path: Path, ref: str) -> None:
    code, _, err = invoke("analyze", KO, "--reference", ref, "-o", tmp_path)
    assert code == 2 and "unknown reference" in err


@pytest.mark.parametrize(
    ("relpath", "reference"),
    [
        ("data/agp2014_r1_8/AG_100nt_even10k.biom.gz", "agp_stool_genus"),
        ("data/maaslin3_hmp2/HMP2_taxonomy.tsv", "hmp2_nonibd_metaphlan4"),
    ],
)
def test_analyze_real_cohort_tables(
    shared: Path, tmp_path: Path, relpath: str, reference: str
) -> None:
    table = shared / relpath
    from gutbrain.io.taxonomic import read_taxon_profile

    some = read_taxon_profile(table).samples[:3]
    args: list[str | Path] = ["analyze", table, "-o", tmp_path]
    for s in some:
        args += ["--sample", s]
    code, out, err = invoke(*args)
    assert code == 0, err
    assert reference in out
    docs = profiles(tmp_path)
    assert len(docs) == 3
    for doc in docs.values():
        check_profile(doc)
        scored = [m for m in doc["mechanisms"] if m["score"] is not None]  # type: ignore[union-attr]
        assert scored  # some mechanism is estimable from a real stool profile


def test_whole_hmp2_table(shared: Path, tmp_path: Path) -> None:
    """All 1,527 HMP2 samples: every profile complete, a spread of them schema-valid,
    the tables agree with the profiles, and a second run is byte-identical."""
    table = shared / "data" / "maaslin3_hmp2" / "HMP2_taxonomy.tsv"
    code, out, err = invoke("analyze", table, "-o", tmp_path / "a")
    assert code == 0, err
    assert "wrote 1527 profiles" in out
    files = sorted((tmp_path / "a" / "profiles").glob("*.json"))
    assert len(files) == 1527
    mech_ids = [m.id for m in load_mechanisms()]
    with open(tmp_path / "a" / "mechanisms.tsv") as fh:
        mech_rows = {r["sample"]: r for r in csv.DictReader(fh, delimiter="\t")}
    assert len(mech_rows) == 1527
    for n, path in enumerate(files):
        doc = json.loads(path.read_bytes())
        assert [m["id"] for m in doc["mechanisms"]] == mech_ids
        if n % 50 == 0:
            check_profile(doc)
        row = mech_rows[doc["sample"]]
        for m in doc["mechanisms"]:
            cell = row[m["id"]]
            assert (m["score"] is None and cell == "") or float(cell) == m["score"]
    code, _, err = invoke("analyze", table, "-o", tmp_path / "b")
    assert code == 0, err
    for path in files[::100]:
        assert path.read_bytes() == (tmp_path / "b" / "profiles" / path.name).read_bytes()
    for name in ("mechanisms.tsv", "components.tsv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_table_neither_taxonomic_nor_functional(tmp_path: Path) -> None:
    """Labels that are neither taxa nor function ids: one clear error, not empty profiles."""
    table = tmp_path / "genus_counts.tsv"
    table.write_text(
        "feature\tS1\tS2\n"
        "Acidaminococcaceae_Acidaminococcus\t0\t1087\n"
        "Ruminococcaceae_Faecalibacterium\t75773\t70550\n"
    )
    code, _, err = invoke("analyze", table, "-o", tmp_path / "o")
    assert code == 2, err
    assert "neither a taxonomic nor a functional profile" in err
    assert "'Acidaminococcaceae_Acidaminococcus'" in err and "g__Genus" in err
    assert not (tmp_path / "o" / "profiles").exists()
