"""Every way a taxonomic profile can be wrong gives one InputFormatError that says where."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from gutbrain.errors import InputFormatError, OptionError
from gutbrain.io import biom_table, kraken, metaphlan, qza, taxon_table
from gutbrain.io.taxon_profile import TaxonInputFormat
from gutbrain.io.taxonomic import read_taxon_profile

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
DATA = Path(__file__).resolve().parents[1] / "data" / "taxonomic"

MPA = "#mpa_vJun23\n#clade_name\tclade_taxid\trelative_abundance\n"
MERGED = "clade_name\tS1\tS2\nk__Bacteria|g__Blautia|s__Blautia_obeum\t1\t2\n"
TABLE = "taxon\tS1\tS2\nBlautia obeum\t1\t2\n"
KRAKEN = " 50.00\t5\t5\tU\t0\tunclassified\n 50.00\t5\t0\tR\t1\troot\n"
BRACKEN = (
    "name\ttaxonomy_id\ttaxonomy_lvl\tkraken_assigned_reads\tadded_reads\tnew_est_reads\t"
    "fraction_total_reads\n"
)


def _bad(
    tmp_path: Path,
    content: str | bytes,
    match: str,
    input_format: TaxonInputFormat = "auto",
    filename: str = "profile.tsv",
) -> str:
    path = tmp_path / filename
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(InputFormatError, match=match) as info:
        read_taxon_profile(path, input_format)
    message = str(info.value)
    assert filename in message
    assert "fix:" in message and "found" in message and "expected" in message
    return message


CASES = [
    # id, content, format, expected message (regex)
    ("empty", "", "auto", r"profile\.tsv: empty file"),
    ("empty-metaphlan", "", "metaphlan", r"empty file"),
    ("header-only-table", "taxon\tS1\tS2\n", "table", r"no data rows|unknown lineage syntax"),
    ("header-only-metaphlan", MPA, "auto", r"profile\.tsv: no data rows"),
    ("header-only-bracken", BRACKEN, "auto", r"no data rows; found no rows after the Bracken"),
    ("no-species-kraken", KRAKEN, "auto", r"no data rows; found no species \(S\) rows"),
    (
        "non-numeric-metaphlan",
        MERGED + "k__Bacteria|g__Roseburia|s__Roseburia_hominis\tabc\t1\n",
        "auto",
        r"line 3, column 2 \(S1\): non-numeric value; found 'abc'",
    ),
    (
        "non-numeric-table",
        TABLE + "Akkermansia muciniphila\t1\tx\n",
        "auto",
        r"line 3, column 3 \(S2\): non-numeric value; found 'x'",
    ),
    (
        "negative-metaphlan",
        MPA + "k__Bacteria|g__Blautia|s__Blautia_obeum\t2|572511|33035\t-3\n",
        "auto",
        r"line 3, column 3 \(relative_abundance\): negative value; found '-3'",
    ),
    (
        "negative-table",
        TABLE + "Akkermansia muciniphila\t-1\t1\n",
        "auto",
        r"line 3, column 2 \(S1\): negative value",
    ),
    (
        "negative-kraken",
        " 50.00\t-5\t5\tS\t853\tFaecalibacterium prausnitzii\n",
        "kraken",
        r"line 1, column 2 \(clade reads\): negative value",
    ),
    (
        "nan-metaphlan",
        MERGED + "k__Bacteria|s__Roseburia_hominis\tNaN\t1\n",
        "auto",
        r"line 3, column 2 \(S1\): missing value \(NaN\)",
    ),
    (
        "nan-table",
        TABLE + "Akkermansia muciniphila\tnan\t1\n",
        "auto",
        r"line 3, column 2 \(S1\): missing value \(NaN\)",
    ),
    (
        "duplicate-sample-metaphlan",
        "clade_name\tS1\tS1\nk__Bacteria|s__Blautia_obeum\t1\t2\n",
        "auto",
        r"line 1, columns 2 and 3: duplicate sample id; found 'S1'",
    ),
    (
        "duplicate-sample-table",
        "taxon\tS1\tS1\nBlautia obeum\t1\t2\n",
        "auto",
        r"line 1, columns 2 and 3: duplicate sample id; found 'S1'",
    ),
    (
        "duplicate-sample-rows",
        "sample\tBlautia obeum\tAkkermansia\nP1\t1\t2\nP1\t3\t4\n",
        "auto",
        r"lines 2 and 3: duplicate sample id; found 'P1'",
    ),
    ("binary", b"\x00\x01\x02garbage\x00", "auto", r"not a text table \(binary data\)"),
    ("binary-metaphlan", b"\x89PNG\r\n\x1a\n\x00\x00", "metaphlan", r"binary data"),
    (
        "unknown-lineage",
        "id\tS1\tS2\nK00001\t1\t2\nK00002\t3\t4\n",
        "table",
        r"line 2, column 1: unknown lineage syntax; found no taxon names .* 'K00001'",
    ),
    (
        "unknown-lineage-one-row",
        TABLE + "UniRef90_A0A174\t1\t2\nBlautia\t1\t1\n",
        "table",
        r"line 3, column 1: unknown lineage syntax; found 'UniRef90_A0A174'",
    ),
    (
        "not-a-clade",
        MERGED + "Blautia obeum\t1\t2\n",
        "metaphlan",
        r"line 3, column 1 \(clade_name\): not a MetaPhlAn clade",
    ),
    (
        "not-a-kraken-line",
        " 50.00\t5\t5\tS\t853\tFaecalibacterium prausnitzii\nhello world\n",
        "kraken",
        r"line 2: not a Kraken 2 report line",
    ),
    (
        "unrecognised",
        "just some words\nand more words\n",
        "auto",
        r"unrecognised taxonomic profile; found first line 'just some words'",
    ),
]


@pytest.mark.parametrize(
    ("content", "input_format", "match"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_error(
    tmp_path: Path, content: str | bytes, input_format: TaxonInputFormat, match: str
) -> None:
    _bad(tmp_path, content, match, input_format)


@pytest.mark.parametrize(
    "name",
    ["metaphlan4_merged.tsv", "SRR1234.k2report", "greengenes_counts.csv", "tiny_no_taxonomy.biom"],
)
def test_truncated_gzip(tmp_path: Path, name: str) -> None:
    data = gzip.compress((DATA / name).read_bytes())
    _bad(tmp_path, data[: len(data) // 2], r"truncated or corrupt gzip", filename=name + ".gz")


def test_malformed_biom_json(tmp_path: Path) -> None:
    text = (DATA / "tiny_no_taxonomy.biom").read_text()
    _bad(tmp_path, text[:200], r"line 1, column \d+: malformed BIOM JSON", "biom", "t.biom")


def test_biom_negative(tmp_path: Path) -> None:
    text = (DATA / "tiny_no_taxonomy.biom").read_text().replace("[1, 1, 7.0]", "[1, 1, -7.0]")
    _bad(
        tmp_path,
        text,
        r"observation '370251', sample 'A2': negative value; found -7",
        filename="t.biom",
    )


def test_biom_duplicate_samples(tmp_path: Path) -> None:
    text = (DATA / "tiny_no_taxonomy.biom").read_text().replace('"A2"', '"A1"')
    with pytest.raises(InputFormatError, match=r"t\.biom.*duplicate sample id.*'A1'"):
        path = tmp_path / "t.biom"
        path.write_text(text)
        biom_table.read(path)


def test_biom_without_taxonomy_required(tmp_path: Path) -> None:
    with pytest.raises(
        InputFormatError,
        match=r"tiny_no_taxonomy\.biom: BIOM table without taxonomy; found no 'taxonomy' "
        r"observation metadata and 3 of 3 .*fix: pass the matching taxonomy",
    ):
        read_taxon_profile(DATA / "tiny_no_taxonomy.biom", require_taxonomy=True)


def test_biom_real_gene_table_without_taxonomy() -> None:
    path = SHARED / "data" / "humann_demo" / "v3.9" / "demo_genefamilies.biom"
    if not path.exists():
        pytest.skip("../shared absent")
    with pytest.raises(InputFormatError, match=r"BIOM table without taxonomy.*'UNMAPPED'"):
        biom_table.read(path, require_taxonomy=True)


def test_taxonomy_missing_ids(tmp_path: Path) -> None:
    taxonomy = tmp_path / "taxonomy.tsv"
    taxonomy.write_text("Feature ID\tTaxon\n4479944\tg__Blautia\n")
    with pytest.raises(
        InputFormatError,
        match=r"taxonomy\.tsv: feature ids missing from the taxonomy; found 2 of 3 .* "
        r"e\.g\. '370251', '938794'",
    ):
        read_taxon_profile(DATA / "tiny_no_taxonomy.biom", taxonomy=taxonomy)


def test_taxonomy_bad_lineage(tmp_path: Path) -> None:
    taxonomy = tmp_path / "taxonomy.tsv"
    taxonomy.write_text("Feature ID\tTaxon\n4479944\tK00001\n")
    with pytest.raises(InputFormatError, match=r"line 2, column 2 \(Taxon\): unknown lineage"):
        biom_table.read(DATA / "tiny_no_taxonomy.biom", taxonomy=taxonomy)


def _archive(path: Path, artifact_type: str, files: dict[str, bytes]) -> Path:
    root = "6f1b0f4c-8f0e-4a57-9d2e-3c1a2b3c4d5e"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{root}/VERSION", "QIIME 2\narchive: 5\nframework: 2023.9.1\n")
        archive.writestr(
            f"{root}/metadata.yaml",
            f"uuid: {root}\ntype: {artifact_type}\nformat: SomeDirFmt\n",
        )
        for leaf, data in files.items():
            archive.writestr(f"{root}/data/{leaf}", data)
    return path


def test_qza_not_a_feature_table(tmp_path: Path) -> None:
    path = _archive(tmp_path / "tree.qza", "Phylogeny[Rooted]", {"tree.nwk": b"(a,b);"})
    with pytest.raises(
        InputFormatError,
        match=r"tree\.qza: not a feature table; found a QIIME 2 artifact of type "
        r"'Phylogeny\[Rooted\]'",
    ):
        read_taxon_profile(path)


def test_qza_taxonomy_given_as_table(tmp_path: Path) -> None:
    path = _archive(
        tmp_path / "taxonomy.qza",
        "FeatureData[Taxonomy]",
        {"taxonomy.tsv": (DATA / "tiny_taxonomy.tsv").read_bytes()},
    )
    with pytest.raises(InputFormatError, match=r"not a feature table.*FeatureData\[Taxonomy\]"):
        qza.read(path)


def test_qza_table_given_as_taxonomy(tmp_path: Path) -> None:
    path = _archive(tmp_path / "t.qza", "FeatureTable[Frequency]", {})
    with pytest.raises(InputFormatError, match=r"not a taxonomy; found .*FeatureTable"):
        qza.read_taxonomy_qza(path)


def test_qza_without_data(tmp_path: Path) -> None:
    path = _archive(tmp_path / "t.qza", "FeatureTable[Frequency]", {})
    with pytest.raises(InputFormatError, match=r"feature-table archive without its data file"):
        read_taxon_profile(path)


def test_qza_damaged_zip(tmp_path: Path) -> None:
    path = tmp_path / "broken.qza"
    data = _archive(tmp_path / "ok.qza", "FeatureTable[Frequency]", {"x": b"y" * 100}).read_bytes()
    path.write_bytes(data[:40])
    with pytest.raises(InputFormatError, match=r"broken\.qza: not a readable QIIME 2 archive"):
        read_taxon_profile(path)


def test_zip_without_metadata(tmp_path: Path) -> None:
    path = tmp_path / "plain.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("table.tsv", TABLE)
    with pytest.raises(InputFormatError, match=r"not a QIIME 2 archive"):
        read_taxon_profile(path)


def test_taxonomy_for_a_metaphlan_profile() -> None:
    with pytest.raises(OptionError, match="only applies to BIOM and qza"):
        read_taxon_profile(DATA / "metaphlan4_merged.tsv", taxonomy=DATA / "tiny_taxonomy.tsv")


def test_unknown_input_format() -> None:
    with pytest.raises(OptionError, match="unknown input format"):
        read_taxon_profile(DATA / "metaphlan4_merged.tsv", "csv")  # type: ignore[arg-type]


def test_readers_do_not_leak_other_exceptions(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tsv"
    junk.write_text("a\tb\n\t\n1\n")
    for reader in (metaphlan.read, kraken.read, taxon_table.read, biom_table.read):
        with pytest.raises(InputFormatError):
            reader(junk)
