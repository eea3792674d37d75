"""The Omixer-RPM module-file format: exact parsing and clear rejection of malformed files."""

from __future__ import annotations

from importlib import resources

import pytest

from gutbrain.errors import ModuleDefinitionError
from gutbrain.knowledge.module_format import format_modules, parse_module_names, parse_modules
from gutbrain.knowledge.modules import database_keys, load_database, load_databases


def test_toy_module_structure() -> None:
    (m,) = parse_modules("MX01\ttoy module\nKA\tKB\nKC,KD\tKE\nKF\n///\n")
    assert m.id == "MX01" and m.name == "toy module"
    assert m.steps == ((("KA",), ("KB",)), (("KC", "KD"), ("KE",)), (("KF",),))


def test_lines_are_trimmed_and_extra_header_fields_ignored() -> None:
    (m,) = parse_modules("  M1\tname\textra  \r\n\tK1\tK2 \r\n///\r\n")
    assert (m.id, m.name) == ("M1", "name")
    assert m.steps == ((("K1",), ("K2",)),)


def test_final_terminator_optional_and_eof_ends_module() -> None:
    mods = parse_modules("M1\ta\nK1\n///\nM2\tb\nK2")
    assert [m.id for m in mods] == ["M1", "M2"]


def test_double_tab_empty_alternative_is_harmless() -> None:
    (m,) = parse_modules("M1\ta\nK1\t\tK2\n///\n")
    assert m.steps == ((("K1",), ("K2",)),)


def test_bom_and_trailing_blank_lines_accepted() -> None:
    mods = parse_modules("\ufeffM1\ta\nK1\n///\n\n\n")
    assert [m.id for m in mods] == ["M1"]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty module file"),
        ("M1 no tab\nK1\n///\n", r"line 1: module header without a TAB.*'M1 no tab'"),
        ("M1\ta\nK1\n\nK2\n///\n", r"line 3: blank step line in module M1"),
        ("M1\ta\nK1\n///\nM1\tb\nK2\n///\n", r"line 4: duplicate module id M1.*line 1"),
        ("M1\ta\n///\n", r"line 1: module M1 has no step"),
        ("M1\ta\nK1,,K2\n///\n", r"line 2: empty subunit in a complex of module M1"),
        ("M1\ta\nK1\n///\n\nM2\tb\nK2\n", r"line 4: module header without a TAB"),
        ("\tname\nK1\n", r"line 1: module header"),
    ],
)
def test_malformed_files_are_rejected_with_line(text: str, match: str) -> None:
    with pytest.raises(ModuleDefinitionError, match=match) as info:
        parse_modules(text, source="bad.txt")
    assert str(info.value).startswith("bad.txt")
    assert "fix:" in str(info.value)


def test_names_file_errors() -> None:
    assert parse_module_names("A\tx\n\nB\ty\n") == {"A": "x", "B": "y"}
    with pytest.raises(ModuleDefinitionError, match="line 2: names line without a TAB"):
        parse_module_names("A\tx\nB y\n", source="n")


def _data(name: str) -> str:
    node = resources.files("gutbrain.knowledge") / "data" / "modules" / name
    return node.read_text(encoding="utf-8")


def test_packaged_gmm_and_gbm() -> None:
    gmm = load_database("gmm")
    gbm = load_database("gbm")
    assert len(gmm.modules) == 103 and gmm.module_ids()[0] == "MF0001"
    assert gmm.module_ids()[-1] == "MF0103"
    assert max(m.n_steps for m in gmm.modules) == 7
    assert len(gbm.modules) == 56 and gbm.module_ids()[-1] == "MGB056"
    assert max(m.n_steps for m in gbm.modules) == 10
    assert gmm.modules[9].name == "sucrose degradation I"
    assert gbm.modules[0].name == "Serotonin synthesis I"
    assert "VallesColomer2019" in gbm.citation_keys
    # GBMs.v1.0.txt lacks the final '///': end of file ends the last module
    assert not _data("GBMs.v1.0.txt").rstrip().endswith("///")


def test_round_trip_of_packaged_files() -> None:
    for name in ("GMMs.v1.07.txt", "GBMs.v1.0.txt"):
        mods = parse_modules(_data(name))
        assert parse_modules(format_modules(mods)) == mods


def test_gmm_hierarchy_agrees_with_names() -> None:
    lines = _data("GMM.hierarchy.v1.07.tsv").splitlines()[1:]
    hier = {ln.split("\t")[0]: ln.split("\t")[1] for ln in lines}
    names = parse_module_names(_data("GMMs.v1.07.names"))
    assert hier == names


def test_load_databases_all_order() -> None:
    assert [db.key for db in load_databases("all")] == list(database_keys())
    assert database_keys()[:2] == ("gmm", "gbm")
