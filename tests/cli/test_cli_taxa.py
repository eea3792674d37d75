"""`gutbrain taxa` and `gutbrain diversity`: CLI contracts, real data, peers and errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gutbrain.cli.main import app
from gutbrain.knowledge.taxa import TRAITS

runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def read_tsv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    return rows[0], rows[1:]


def test_taxa_on_metaphlan3_demo(shared: Path, tmp_path: Path) -> None:
    profile = shared / "data" / "humann_demo" / "v3.9" / "demo_metaphlan_bugs_list.tsv"
    code, out, err = invoke("taxa", profile, "-o", tmp_path)
    assert code == 0, err
    header, rows = read_tsv(tmp_path / "traits_potential.tsv")
    assert header[0] == "trait" and [r[0] for r in rows] == list(TRAITS)
    _, cov = read_tsv(tmp_path / "traits_coverage.tsv")
    assert all(0.0 <= float(c) <= 1.0 for r in cov for c in r[1:])
    _, res = read_tsv(tmp_path / "resolution.tsv")
    assert res[0][1:] == ["1.0", "1.0", "0"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["input"]["format"] == "metaphlan"
    assert set(summary["traits"]) == set(TRAITS)
    assert "resolved on average" in out


@pytest.mark.parametrize(
    ("folder", "minimum"),
    [("maaslin2_hmp2", 0.95), ("maaslin3_hmp2", 0.95)],
)
def test_hmp2_metaphlan_tables_resolve_to_genus(
    shared: Path, tmp_path: Path, folder: str, minimum: float
) -> None:
    code, _, err = invoke("taxa", shared / "data" / folder / "HMP2_taxonomy.tsv", "-o", tmp_path)
    assert code == 0, err
    _, rows = read_tsv(tmp_path / "resolution.tsv")
    genus = np.array([float(r[2]) for r in rows if r[2]])
    total = json.loads((tmp_path / "summary.json").read_text())["resolution"]
    assert total["mean_genus_fraction"] >= minimum
    assert genus.mean() == pytest.approx(total["mean_genus_fraction"])


def test_trait_sanity_single_taxa(tmp_path: Path) -> None:
    table = tmp_path / "t.tsv"
    taxa = [
        "Faecalibacterium prausnitzii", "Bacteroides fragilis", "Bifidobacterium dentium",
        "Akkermansia muciniphila", "Escherichia coli",
    ]  # fmt: skip
    lines = ["taxon\t" + "\t".join(f"s{i}" for i in range(len(taxa)))]
    for i, t in enumerate(taxa):
        lines.append(t + "\t" + "\t".join("1" if j == i else "0" for j in range(len(taxa))))
    table.write_text("\n".join(lines) + "\n")
    code, _, err = invoke("taxa", table, "-o", tmp_path / "o")
    assert code == 0, err
    _, rows = read_tsv(tmp_path / "o" / "traits_potential.tsv")
    pot = {r[0]: [float(x) if x else float("nan") for x in r[1:]] for r in rows}
    assert pot["butyrate"][0] > 0
    assert pot["gaba"][1] > 0 and pot["gaba"][2] > 0
    assert pot["propionate"][3] > 0
    assert pot["lps"][4] > 0


def test_unresolved_names_are_listed_never_zero(tmp_path: Path) -> None:
    table = tmp_path / "t.tsv"
    table.write_text("taxon\tA\nFaecalibacterium prausnitzii\t1\nZzyzxella imaginaria\t1\n")
    code, _, err = invoke("taxa", table, "-o", tmp_path / "o")
    assert code == 0, err
    _, res = read_tsv(tmp_path / "o" / "resolution.tsv")
    assert res == [["A", "0.5", "0.5", "1"]]
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["resolution"]["unresolved_names"][0]["name"] == "Zzyzxella imaginaria"
    _, cov = read_tsv(tmp_path / "o" / "traits_coverage.tsv")
    butyrate = next(r for r in cov if r[0] == "butyrate")
    assert float(butyrate[1]) == 0.5  # half the community carries no evidence


def test_diversity_qiime_classic_table_matches_qiime(shared: Path, tmp_path: Path) -> None:
    folder = shared / "data" / "skbio_qiime191_unifrac"
    code, _, err = invoke(
        "diversity", folder / "otu-table.tsv", "--tree", folder / "tree.nwk",
        "--alpha", "faith_pd,shannon", "--beta", "unweighted_unifrac,braycurtis", "--pcoa",
        "-o", tmp_path,
    )  # fmt: skip
    assert code == 0, err
    header, rows = read_tsv(tmp_path / "alpha.tsv")
    assert header == ["sample", "faith_pd", "shannon"]
    expected = dict(
        line.split("\t") for line in (folder / "faith_pd.txt").read_text().splitlines()[1:]
    )
    for r in rows:
        assert float(r[1]) == pytest.approx(float(expected[r[0]]), abs=1e-6)
    qiime_h, qiime = read_tsv(folder / "unweighted_unifrac_dm.txt")
    ours_h, ours = read_tsv(tmp_path / "beta_unweighted_unifrac.tsv")
    q = {(r[0], qiime_h[j + 1]): float(v) for r in qiime for j, v in enumerate(r[1:])}
    for r in ours:
        for j, v in enumerate(r[1:]):
            assert float(v) == pytest.approx(q[(r[0], ours_h[j + 1])], abs=1e-6)
    pc_header, pcs = read_tsv(tmp_path / "pcoa_braycurtis.tsv")
    assert pc_header[:3] == ["sample", "PC1", "PC2"] and len(pcs) == 8
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["pcoa"]["braycurtis"]["proportion_explained"][0] > 0


def test_diversity_defaults_without_tree(tmp_path: Path) -> None:
    table = tmp_path / "t.tsv"
    table.write_text("taxon\tA\tB\tC\nBlautia obeum\t3\t0\t1\nAkkermansia muciniphila\t1\t4\t1\n")
    code, _, err = invoke("diversity", table, "-o", tmp_path / "o")
    assert code == 0, err
    header, _ = read_tsv(tmp_path / "o" / "alpha.tsv")
    assert header == ["sample", "observed_features", "shannon", "simpson", "pielou_e", "chao1"]
    assert (tmp_path / "o" / "beta_braycurtis.tsv").exists()
    assert (tmp_path / "o" / "beta_jaccard.tsv").exists()


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("--alpha", "shannon,nope"), "unknown alpha metric 'nope'"),
        (("--beta", "weighted_unifrac"), "weighted_unifrac needs a phylogenetic tree"),
    ],
)
def test_diversity_option_errors(tmp_path: Path, args: tuple[str, ...], match: str) -> None:
    table = tmp_path / "t.tsv"
    table.write_text("taxon\tA\nBlautia obeum\t3\n")
    code, _, err = invoke("diversity", table, *args, "-o", tmp_path / "o")
    assert code == 2 and match in err and "Traceback" not in err


def test_tree_missing_table_tips(tmp_path: Path) -> None:
    table = tmp_path / "t.tsv"
    table.write_text("#OTU ID\tA\tB\nO1\t3\t1\nO2\t1\t0\nO3\t0\t2\n")
    tree = tmp_path / "t.nwk"
    tree.write_text("((O1:1,O2:1):0.5,O4:1);\n")
    code, _, err = invoke("diversity", table, "--tree", tree, "--alpha", "faith_pd", "-o",
                          tmp_path / "o")  # fmt: skip
    assert code == 2 and "O3" in err and len(err.strip().splitlines()) == 1


def test_unknown_lineage_syntax(tmp_path: Path) -> None:
    table = tmp_path / "t.tsv"
    table.write_text("name\tA\n12 monkeys\t3\n")
    code, _, err = invoke("taxa", table, "--input-format", "table", "-o", tmp_path / "o")
    assert code == 2 and "unknown lineage syntax" in err


def test_biom_without_taxonomy_is_an_error_for_taxa(shared: Path, tmp_path: Path) -> None:
    table = shared / "data" / "humann_demo" / "v3.9" / "multi_sample_genefamilies.biom"
    code, _, err = invoke("taxa", table, "-o", tmp_path / "o")
    assert code == 2 and "taxonomy" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_copy_number_correction_divides_16s_counts(tmp_path: Path) -> None:
    table = tmp_path / "t.tsv"
    table.write_text("taxon\tA\ng__Escherichia\t70\ng__Faecalibacterium\t10\n")
    code, _, err = invoke("taxa", table, "--copy-number-correction", "-o", tmp_path / "o")
    assert code == 0, err
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["options"]["copy_number_correction"] is True
    assert any("copy-number correction: 0 of 2 features" in n for n in summary["input"]["notes"])
    code, _, err = invoke("taxa", table, "-o", tmp_path / "p")
    lps_on = dict(read_tsv(tmp_path / "o" / "traits_potential.tsv")[1])["lps"]
    lps_off = dict(read_tsv(tmp_path / "p" / "traits_potential.tsv")[1])["lps"]
    assert float(lps_on) < float(lps_off)  # E. coli carries ~7 copies: its share shrinks
