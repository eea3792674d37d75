"""Functional-profile readers on real and hand-made tables (happy paths)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from gutbrain.io import humann, ko_per_taxon, ko_table
from gutbrain.io.functional import detect_format, read_functional_profile
from gutbrain.io.profile import FunctionalProfile
from gutbrain.io.textfile import read_head

DATA = Path(__file__).resolve().parents[1] / "data" / "functional"
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
OMIXER = SHARED / "reference" / "modules" / "peer_examples" / "omixer-rpmR"
HUMANN = SHARED / "data" / "humann_demo" / "v3.9"


def _shared(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"{path.name} from ../shared is not available")
    return path


def _as_dict(profile: FunctionalProfile) -> dict[tuple[str, str], float]:
    table = profile.community
    return {
        (f, s): float(table.values[i, j])
        for i, f in enumerate(table.features)
        for j, s in enumerate(table.samples)
    }


# --- real files ---------------------------------------------------------------------------


def test_omixer_matrix() -> None:
    profile = read_functional_profile(_shared(OMIXER / "matrix.tsv"))
    assert profile.format == "ko"
    assert profile.orientation == "features-as-rows"
    assert profile.community.shape == (4433, 2)
    assert profile.community.samples == ("S1", "S2")
    assert profile.per_taxon is None
    assert profile.units == "unknown"
    assert profile.notes == ()
    i = profile.community.features.index("K00001")
    assert profile.community.values[i].tolist() == [47.1621546, 329.9536215]
    assert profile.community.values[profile.community.features.index("K00002"), 1] == 0.0


def test_omixer_species_matrix_auto_is_ko_per_taxon() -> None:
    path = _shared(OMIXER / "species_matrix.tsv")
    assert detect_format(path) == "ko-per-taxon"
    profile = read_functional_profile(path)
    assert profile.format == "ko-per-taxon"
    per_taxon = profile.per_taxon
    assert per_taxon is not None
    assert len(per_taxon.taxa) == 45
    assert per_taxon.taxa[:2] == ("Aeromonas hydrophila", "Akkermansia muciniphila")
    assert per_taxon.samples == ("s06a", "s06b")
    assert profile.notes == ("dropped 38 rows with an empty function id (taxa kept)",)
    # community = sum over taxa, checked against an independent sum of the file
    sums: dict[str, np.ndarray] = {}
    for line in path.read_text().splitlines()[1:]:
        _, ko, *values = line.split("\t")
        if ko:
            sums[ko] = sums.get(ko, np.zeros(2)) + np.array(values, dtype=float)
    assert set(profile.community.features) == set(sums)
    for ko, expected in sums.items():
        got = profile.community.values[profile.community.features.index(ko)]
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_humann_demo_genefamilies() -> None:
    profile = read_functional_profile(_shared(HUMANN / "demo_genefamilies.tsv"))
    assert profile.format == "humann"
    assert profile.units == "RPK"
    assert profile.community.units == "RPK"
    assert profile.community.samples == ("demo_Abundance-RPKs",)
    assert "UNMAPPED" not in profile.community.features
    assert "dropped 1 UNMAPPED row" in profile.notes
    assert all("|" not in f and ": " not in f for f in profile.community.features)
    per_taxon = profile.per_taxon
    assert per_taxon is not None
    assert "g__Bacteroides.s__Bacteroides_stercoris" in per_taxon.taxa
    lines = (HUMANN / "demo_genefamilies.tsv").read_text().splitlines()[1:]
    assert per_taxon.n_rows == sum("|" in line for line in lines)
    i = profile.community.features.index("UniRef50_R5IH84")
    assert profile.community.values[i, 0] == 37.0370370370


def test_humann_rename_table_labels_stripped() -> None:
    path = _shared(HUMANN / "tooltests" / "rename_table" / "rename_table-builtin_ko_output.txt")
    profile = read_functional_profile(path)
    assert profile.format == "humann"
    assert profile.community.features == ("K01838",)
    assert profile.community.values.tolist() == [[30.0, 50.0]]
    assert profile.per_taxon is not None
    assert profile.per_taxon.taxa == ("bug1", "bug2")
    assert profile.per_taxon.features == ("K01838",)


# --- fixtures -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["humann_regroup_ko.txt", "humann_rename_ko.txt"])
def test_humann_tooltest_fixtures(name: str) -> None:
    profile = read_functional_profile(DATA / name)
    assert profile.format == "humann"
    assert profile.community.features == ("K01838",)
    assert profile.community.samples == ("Sample1", "Sample2")
    assert profile.per_taxon is not None
    assert profile.per_taxon.values.tolist() == [[15.0, 25.0], [15.0, 25.0]]
    assert profile.per_taxon.collapse().values.tolist() == [[30.0, 50.0]]


def test_humann_small_cpm() -> None:
    profile = read_functional_profile(DATA / "humann_small_cpm.tsv")
    assert profile.units == "CPM"
    assert profile.community.features == ("K00001", "K00844")
    assert profile.community.values.tolist() == [[300.0, 200.0], [200.0, 400.0]]
    assert profile.notes == (
        "dropped 1 UNMAPPED row",
        "dropped 2 UNGROUPED rows",
        "stripped ': name' labels from 5 row ids",
    )
    per_taxon = profile.per_taxon
    assert per_taxon is not None
    assert per_taxon.taxa == ("g__Bacteroides.s__Bacteroides_dorei", "unclassified")
    assert per_taxon.n_rows == 3


def test_ko_features_rows() -> None:
    profile = read_functional_profile(DATA / "ko_features_rows.tsv")
    assert profile.format == "ko"
    assert profile.community.features == ("K00001", "K00002", "K00844", "K01810")
    assert profile.community.samples == ("S1", "S2", "S3")
    assert profile.community.values[0].tolist() == [1.5, 0.0, 2e-3]


def test_samples_as_rows_equals_transposed_file() -> None:
    rows = read_functional_profile(DATA / "ko_features_rows.tsv")
    cols = read_functional_profile(DATA / "ko_samples_rows.tsv")
    assert cols.orientation == "samples-as-rows"
    assert rows.orientation == "features-as-rows"
    assert _as_dict(cols) == _as_dict(rows)
    assert cols.community.features == rows.community.features
    assert cols.community.samples == rows.community.samples
    np.testing.assert_array_equal(cols.community.values, rows.community.values)


def test_csv_with_crlf() -> None:
    csv = read_functional_profile(DATA / "ko_features_rows.csv")
    tsv = read_functional_profile(DATA / "ko_features_rows.tsv")
    assert csv.format == "ko"
    assert _as_dict(csv) == _as_dict(tsv)


def test_csv_quoted_cells(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text('"KO","S1","S 2"\n"K00001","1.5","2"\nK00002,3,"4"\n')
    profile = read_functional_profile(path, "ko")
    assert profile.community.samples == ("S1", "S 2")
    assert profile.community.values.tolist() == [[1.5, 2.0], [3.0, 4.0]]


def test_duplicate_feature_ids_summed_with_note() -> None:
    profile = read_functional_profile(DATA / "ko_duplicates.tsv")
    assert profile.community.features == ("K00001", "K00002", "K00003")
    assert profile.community.values.tolist() == [[1.5, 2.25], [4.0, 4.0], [0.0, 9.0]]
    assert profile.notes == ("summed 2 duplicate feature ids",)


def test_duplicate_features_in_samples_as_rows_summed(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("sample\tK00001\tK00002\tK00001\nS1\t1\t2\t3\nS2\t4\t5\t6\n")
    profile = read_functional_profile(path)
    assert profile.orientation == "samples-as-rows"
    assert profile.community.features == ("K00001", "K00002")
    assert profile.community.values.tolist() == [[4.0, 10.0], [2.0, 5.0]]
    assert profile.notes == ("summed 1 duplicate feature ids",)


def test_ko_per_taxon_small() -> None:
    profile = read_functional_profile(DATA / "ko_per_taxon_small.tsv")
    assert profile.format == "ko-per-taxon"
    per_taxon = profile.per_taxon
    assert per_taxon is not None
    assert per_taxon.taxa == ("g__Bacteroides", "g__Prevotella")
    assert per_taxon.features == ("K00001", "K00844")
    assert per_taxon.n_rows == 3
    assert profile.community.values.tolist() == [[3.5, 7.0], [3.0, 0.0]]
    assert profile.notes == (
        "dropped 1 row with an empty function id (taxa kept)",
        "summed 1 duplicate (taxon, function) rows",
    )


@pytest.mark.parametrize(
    "name",
    ["ko_features_rows.tsv", "ko_per_taxon_small.tsv", "humann_small_cpm.tsv"],
)
def test_gzip_round_trip(tmp_path: Path, name: str) -> None:
    plain = DATA / name
    packed = tmp_path / "no_gz_extension.dat"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    a, b = read_functional_profile(plain), read_functional_profile(packed)
    assert (a.format, a.units, a.notes) == (b.format, b.units, b.notes)
    assert a.community.features == b.community.features
    np.testing.assert_array_equal(a.community.values, b.community.values)
    assert b.source == str(packed)


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffKO\tS1\tS2\nK00001\t1\t2\nK00002\t3\t4\n",  # BOM
        "KO\tS1\tS2\r\nK00001\t1\t2\r\nK00002\t3\t4\r\n",  # CRLF
        "KO\tS1\tS2\nK00001\t1\t2\nK00002\t3\t4",  # no final newline
        "KO\tS1\tS2\nK00001\t1\t2\nK00002\t3\t4\n\n\n",  # trailing blank lines
        "KO\tS1\tS2\t\nK00001\t1\t2\t\nK00002\t3\t4\t\n",  # consistent trailing tab
        "KO\tS1\tS2\nK00001\t1\t2\t\t\nK00002\t3\t4\t\t\n",  # ... only on data rows
        "KO\tS1\tS2\t\nK00001\t1\t2\nK00002\t3\t4\n",  # ... only on the header
    ],
    ids=["bom", "crlf", "no-final-newline", "blank-tail", "tab-tail", "tabs-rows", "tab-header"],
)
def test_text_variants(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(text.encode())
    profile = read_functional_profile(path)
    assert profile.community.features == ("K00001", "K00002")
    assert profile.community.samples == ("S1", "S2")
    assert profile.community.values.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_explicit_formats_and_sniffers() -> None:
    head = read_head(DATA / "humann_rename_ko.txt")
    assert humann.sniff(head)
    assert not ko_per_taxon.sniff(head)
    head = read_head(DATA / "ko_per_taxon_small.tsv")
    assert ko_per_taxon.sniff(head) and not humann.sniff(head)
    head = read_head(DATA / "ko_features_rows.tsv")
    assert ko_table.sniff(head) and not ko_per_taxon.sniff(head) and not humann.sniff(head)
    # a HUMAnN table without stratified rows can be read as a plain ko table
    profile = read_functional_profile(DATA / "ko_features_rows.tsv", "humann")
    assert profile.format == "humann" and profile.units == "unknown"


def test_humann_header_without_known_prefix(tmp_path: Path) -> None:
    path = tmp_path / "pathways.tsv"
    path.write_text("# Pathway\tS1\nUNINTEGRATED\t5\nPWY-1\t2\nPWY-1|g__A.s__B\t2\n")
    profile = read_functional_profile(path)
    assert profile.format == "humann"
    assert profile.community.features == ("PWY-1",)
    assert profile.notes == ("dropped 1 UNINTEGRATED row",)


def test_hash_header_without_humann_rows_is_ko(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("#KO\tS1\nK00001\t5\n")
    assert read_functional_profile(path).format == "ko"


def test_wide_table_head_holds_whole_lines(tmp_path: Path) -> None:
    samples = [f"sample_{i:05d}" for i in range(8000)]  # header line > 64 KiB
    path = tmp_path / "wide.tsv"
    rows = ["KO\t" + "\t".join(samples)]
    rows += [f"K0000{k}\t" + "\t".join(str(k + j % 3) for j in range(8000)) for k in range(3)]
    path.write_text("\n".join(rows) + "\n")
    profile = read_functional_profile(path)
    assert profile.format == "ko"
    assert profile.community.shape == (3, 8000)
    assert profile.community.values[2, :4].tolist() == [2.0, 3.0, 4.0, 2.0]


def test_special_values_accepted(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("KO\tS1\tS2\nK00001\t1e-300\t+2.5E+3\nK00002\t.5\t0\n")
    profile = read_functional_profile(path)
    assert profile.community.values.tolist() == [[1e-300, 2500.0], [0.5, 0.0]]
