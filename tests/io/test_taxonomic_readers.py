"""Taxonomic-profile readers on real files (from ../shared) and small fixtures."""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from gutbrain.core.lineage import parse_lineage
from gutbrain.errors import OptionError
from gutbrain.io import biom_table, kraken, metaphlan, qza, taxon_table
from gutbrain.io.taxon_profile import TaxonProfile, copy_number_correct
from gutbrain.io.taxonomic import detect_taxon_format, read_taxon_profile

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
DATA = Path(__file__).resolve().parents[1] / "data" / "taxonomic"
HUMANN = SHARED / "data" / "humann_demo"


def _shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared absent)")
    return path


def _column(profile: TaxonProfile, sample: str) -> dict[str, float]:
    values = profile.column(sample)
    return {f: float(v) for f, v in zip(profile.features, values, strict=True)}


# --- MetaPhlAn ---------------------------------------------------------------------------


def test_metaphlan3_demo() -> None:
    profile = metaphlan.read(_shared(HUMANN / "v3.9" / "demo_metaphlan_bugs_list.tsv"))
    assert profile.format == "metaphlan" and profile.kind == "relative"
    assert profile.sequencing == "shotgun"
    assert profile.samples == ("demo_metaphlan_bugs_list",)
    species = [lin.species for lin in profile.lineages]
    assert species == ["Bacteroides stercoris", "Bacteroides thetaiotaomicron"]
    assert profile.column(profile.samples[0]).tolist() == [65.22463, 34.77537]
    assert profile.unclassified is not None
    assert profile.unclassified.tolist() == [51.49048]


def test_metaphlan4_demo() -> None:
    profile = metaphlan.read(_shared(HUMANN / "v4.0.0a1" / "demo_metaphlan_bugs_list.tsv"))
    assert profile.shape == (4, 1)
    by_species = {lin.species: lin for lin in profile.lineages}
    assert by_species["Bacteroides ovatus"].taxid == 28116
    assert by_species["Phocaeicola vulgatus"].taxid == 821
    assert by_species["Corynebacterium SGB2091"].taxid is None  # empty id at the end of the chain
    values = dict(
        zip(
            [lin.species for lin in profile.lineages],
            profile.column(profile.samples[0]),
            strict=True,
        )
    )
    assert values["Alistipes finegoldii"] == pytest.approx(12.14543)
    assert profile.unclassified is None


def test_metaphlan_merged_fixture() -> None:
    profile = metaphlan.read(DATA / "metaphlan4_merged.tsv")
    assert profile.samples == ("S1", "S2", "S3")
    assert [lin.species for lin in profile.lineages] == [
        "Faecalibacterium prausnitzii",
        "Bacteroides dorei",
        "Akkermansia muciniphila",
    ]
    assert [lin.taxid for lin in profile.lineages] == [853, 357276, 239935]
    assert profile.column("S2").tolist() == [30.0, 34.5, 0.0]
    assert profile.unclassified is not None
    assert profile.unclassified.tolist() == [20.0, 35.5, 0.0]
    assert profile.values.nnz == 6  # zeros are not stored


def test_metaphlan_genus_only(tmp_path: Path) -> None:
    path = tmp_path / "genus.tsv"
    path.write_text(
        "#mpa_v30_CHOCOPhlAn_201901\n#clade_name\tNCBI_tax_id\trelative_abundance\n"
        "k__Bacteria\t2\t100\nk__Bacteria|p__Firmicutes|g__Blautia\t2|1239|572511\t70\n"
        "k__Bacteria|p__Firmicutes|g__Roseburia\t2|1239|841\t30\n"
    )
    profile = metaphlan.read(path)
    assert [lin.genus for lin in profile.lineages] == ["Blautia", "Roseburia"]
    assert profile.samples == ("genus",)
    assert "genus rows" in profile.notes[0]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("#mpa_v31\n#clade_name\tNCBI_tax_id\trelative_abundance\n", True),
        ("clade_name\tS1\nk__Bacteria|p__Firmicutes\t1\n", True),
        ("ID\tBlautia\nS1\t1\n", False),
    ],
)
def test_metaphlan_sniff(head: str, expected: bool) -> None:
    assert metaphlan.sniff(head) is expected


# --- generic tables ----------------------------------------------------------------------


def test_table_maaslin2_samples_as_rows() -> None:
    profile = taxon_table.read(_shared(SHARED / "data" / "maaslin2_hmp2" / "HMP2_taxonomy.tsv"))
    assert profile.format == "table" and profile.shape == (87, 1595)
    assert profile.kind == "relative" and "orientation: samples-as-rows" in profile.notes
    assert profile.samples[:2] == ("CSM5FZ4M", "CSM5MCUO")
    assert profile.lineages[0].species == "Bifidobacterium adolescentis"
    # row CSM5FZ4M, column 'Bacteroides dorei' (the 8th species) of the file
    assert profile.value("Bacteroides dorei", "CSM5FZ4M") == pytest.approx(0.130632)


def test_table_maaslin3_r_style() -> None:
    profile = taxon_table.read(_shared(SHARED / "data" / "maaslin3_hmp2" / "HMP2_taxonomy.tsv"))
    assert profile.shape == (151, 1527)
    assert profile.samples[0] == "CSM5FZ3N_P"  # R quotes removed
    assert profile.features[:2] == ("Phocaeicola_vulgatus", "Faecalibacterium_prausnitzii")
    assert profile.lineages[1].species == "Faecalibacterium prausnitzii"
    assert profile.value("Phocaeicola_vulgatus", "CSM5FZ3N_P") == pytest.approx(0.42652263580693)
    by_label = dict(zip(profile.features, profile.lineages, strict=True))
    assert by_label["GGB3746_SGB5089"].species == "GGB3746 SGB5089"
    assert profile.kind == "relative"


def test_table_greengenes_counts_csv() -> None:
    profile = taxon_table.read(DATA / "greengenes_counts.csv")
    assert profile.kind == "counts" and profile.samples == ("A1", "A2")
    assert profile.shape == (4, 2)  # the two identical Bacteroides rows were summed
    assert any("summed 1 duplicate" in n for n in profile.notes)
    genera = [lin.genus for lin in profile.lineages]
    assert genera == ["Faecalibacterium", "Bacteroides", "Akkermansia", None]
    assert profile.lineages[0].species == "Faecalibacterium prausnitzii"
    assert profile.column("A1").tolist() == [120.0, 305.0, 0.0, 2.0]


def test_table_species_rows_relative() -> None:
    profile = taxon_table.read(DATA / "species_rows.tsv")
    assert profile.samples == ("P01", "P02") and profile.kind == "relative"
    assert [lin.deepest_rank for lin in profile.lineages] == ["species", "species", "genus"]
    assert profile.column("P02").tolist() == [0.1, 0.0, 0.6]


# --- BIOM --------------------------------------------------------------------------------

AGP = SHARED / "data" / "agp2014_r1_8" / "AG_100nt_even10k.biom.gz"
HMP = SHARED / "data" / "microbeds_hmpv35" / "otu_table.biom"


@pytest.fixture(scope="module")
def agp() -> TaxonProfile:
    return read_taxon_profile(_shared(AGP))


def test_biom_json_gz_agp(agp: TaxonProfile) -> None:
    assert agp.format == "biom" and agp.kind == "counts"
    assert agp.shape == (19236, 1962)
    assert agp.values.nnz == 816281  # stays sparse
    sums = np.asarray(agp.values.sum(axis=0)).ravel()
    assert np.all(sums == 10000)  # rarefied to 10,000 reads per sample
    first = agp.lineages[0]  # OTU 988534: k__Bacteria; ...; f__Neisseriaceae; g__; s__
    assert agp.features[0] == "988534"
    assert first.family == "Neisseriaceae" and first.deepest_rank == "family"
    i = agp.features.index("938794")
    assert agp.lineages[i].species == "Acinetobacter guillouiae"
    assert float(agp.values[[i], :].sum()) == 219.0


def test_biom_hdf5_hmp() -> None:
    profile = biom_table.read(_shared(HMP))
    assert profile.shape == (10730, 6000) and profile.values.nnz == 833548
    assert profile.features[0] == "4438983"
    assert profile.lineages[0].genus == "Methanobrevibacter"  # positional, unprefixed ranks
    assert profile.lineages[0].domain == "Archaea"
    assert profile.value("4438983", "1928.SRS014923.SRX020555.SRR045709") == 1.0


def test_biom_humann_gene_families_have_no_taxonomy() -> None:
    profile = biom_table.read(_shared(HUMANN / "v3.9" / "multi_sample_genefamilies.biom"))
    assert profile.shape == (50, 2) and profile.samples == ("sample1", "sample2")
    assert not any(lin.resolvable for lin in profile.lineages)
    assert "50 ids unresolvable" in profile.notes[0]


def test_biom_taxonomy_tsv_joined() -> None:
    profile = read_taxon_profile(
        DATA / "tiny_no_taxonomy.biom", taxonomy=DATA / "tiny_taxonomy.tsv"
    )
    assert [lin.name for lin in profile.lineages] == [
        "Blautia obeum",
        "Bacteroides",
        "Acinetobacter guillouiae",
    ]
    assert profile.column("A2").tolist() == [0.0, 7.0, 1.0]


# --- qza ---------------------------------------------------------------------------------


def _qza(path: Path, artifact_type: str, leaf: str, data: bytes, fmt: str) -> Path:
    root = str(uuid.UUID(int=len(path.name)))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{root}/VERSION", "QIIME 2\narchive: 5\nframework: 2023.9.1\n")
        archive.writestr(
            f"{root}/metadata.yaml", f"uuid: {root}\ntype: {artifact_type}\nformat: {fmt}\n"
        )
        archive.writestr(f"{root}/data/{leaf}", data)
    return path


def _hdf5(tmp_path: Path, relative: bool) -> bytes:
    import biom
    import h5py

    table = biom.load_table(str(DATA / "tiny_no_taxonomy.biom"))
    if relative:
        table = table.norm(axis="sample", inplace=False)
    out = tmp_path / "t.biom"
    with h5py.File(out, "w") as handle:
        table.to_hdf5(handle, "gutbrain tests")
    return out.read_bytes()


def test_qza_frequency_real_table(tmp_path: Path) -> None:
    path = _qza(
        tmp_path / "table.qza",
        "FeatureTable[Frequency]",
        "feature-table.biom",
        _shared(HMP).read_bytes(),
        "BIOMV210DirFmt",
    )
    assert detect_taxon_format(path) == "qza"
    profile = read_taxon_profile(path)
    assert profile.format == "qza" and profile.kind == "counts"
    assert profile.shape == (10730, 6000)
    assert profile.lineages[0].genus == "Methanobrevibacter"


def test_qza_relative_with_taxonomy_qza(tmp_path: Path) -> None:
    table = _qza(
        tmp_path / "rel.qza",
        "FeatureTable[RelativeFrequency]",
        "feature-table.biom",
        _hdf5(tmp_path, relative=True),
        "BIOMV210DirFmt",
    )
    taxonomy = _qza(
        tmp_path / "taxonomy.qza",
        "FeatureData[Taxonomy]",
        "taxonomy.tsv",
        (DATA / "tiny_taxonomy.tsv").read_bytes(),
        "TSVTaxonomyDirectoryFormat",
    )
    profile = read_taxon_profile(table, taxonomy=taxonomy)
    assert profile.kind == "relative"
    assert profile.column("A1").tolist() == pytest.approx([0.8, 0.2, 0.0])
    assert profile.lineages[0].species == "Blautia obeum"
    assert qza.read_taxonomy_qza(taxonomy)["938794"].genus == "Acinetobacter"


# --- Kraken / Bracken --------------------------------------------------------------------


def test_kraken_report() -> None:
    profile = read_taxon_profile(DATA / "SRR1234.k2report")
    assert profile.format == "kraken" and profile.kind == "counts"
    assert profile.samples == ("SRR1234",)
    assert profile.features == (
        "Bacteroides dorei",
        "Bacteroides ovatus",
        "Faecalibacterium prausnitzii",
    )
    assert profile.column("SRR1234").tolist() == [300.0, 120.0, 320.0]
    dorei = profile.lineages[0]
    assert dorei.taxid == 357276 and dorei.family == "Bacteroidaceae"
    assert dorei.domain == "Bacteria" and dorei.phylum == "Bacteroidota"
    assert profile.lineages[2].order == "Eubacteriales"
    assert profile.unclassified is not None and profile.unclassified.tolist() == [20.0]


def test_bracken_table() -> None:
    counts = read_taxon_profile(DATA / "SRR1234.bracken.tsv")
    assert counts.column("SRR1234").tolist() == [318.0, 127.0, 339.0]
    assert counts.lineages[2].species == "Faecalibacterium prausnitzii"
    fractions = kraken.read(DATA / "SRR1234.bracken.tsv", bracken_value="fraction_total_reads")
    assert fractions.kind == "relative"
    assert fractions.column("SRR1234").tolist() == [0.40561, 0.16199, 0.43240]


# --- dispatcher and copy numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("metaphlan4_merged.tsv", "metaphlan"),
        ("SRR1234.k2report", "kraken"),
        ("SRR1234.bracken.tsv", "kraken"),
        ("greengenes_counts.csv", "table"),
        ("species_rows.tsv", "table"),
        ("tiny_no_taxonomy.biom", "biom"),
    ],
)
def test_detect(name: str, expected: str) -> None:
    assert detect_taxon_format(DATA / name) == expected


def test_gzip_transparent(tmp_path: Path) -> None:
    import gzip

    for name in (
        "metaphlan4_merged.tsv",
        "SRR1234.k2report",
        "greengenes_counts.csv",
        "tiny_no_taxonomy.biom",
    ):
        path = tmp_path / (name + ".gz")
        path.write_bytes(gzip.compress((DATA / name).read_bytes()))
        plain = read_taxon_profile(DATA / name)
        zipped = read_taxon_profile(path)
        assert zipped.format == plain.format and zipped.features == plain.features
        assert (zipped.values != plain.values).nnz == 0


def test_copy_number_correct() -> None:
    profile = taxon_table.read(DATA / "greengenes_counts.csv")
    corrected = copy_number_correct(profile, {"Bacteroides": 6.0, "Faecalibacterium": 4.0})
    assert corrected.column("A1").tolist() == [30.0, 305.0 / 6.0, 0.0, 2.0]
    assert "2 of 4 features without a copy number" in corrected.notes[-1]
    assert profile.column("A1").tolist() == [120.0, 305.0, 0.0, 2.0]  # input unchanged
    shotgun = metaphlan.read(DATA / "metaphlan4_merged.tsv")
    with pytest.raises(OptionError, match="shotgun"):
        copy_number_correct(shotgun, {"Bacteroides": 6.0})


def test_copy_number_gtdb_suffix() -> None:
    profile = TaxonProfile(
        "table",
        "t",
        ("x",),
        (parse_lineage("g__Bacteroides_A"),),
        ("S",),
        sp.csc_array(np.array([[12.0]])),
        "counts",
    )
    assert copy_number_correct(profile, {"Bacteroides": 3.0}).column("S").tolist() == [4.0]
