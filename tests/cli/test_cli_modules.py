"""`gutbrain modules`: the CLI contract, the published omixer-rpmR values, and error handling."""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gutbrain import __version__
from gutbrain.cli.main import app

runner = CliRunner()


def read_tsv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    return rows[0], rows[1:]


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def cell(path: Path, module: str, sample: str) -> str:
    header, rows = read_tsv(path)
    row = next(r for r in rows if r[header.index("module")] == module)
    return row[header.index(sample)]


# --- published omixer-rpmR values (expected_published.tsv), relative tolerance 1e-9 ---------


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ((), 5457.398359),
        (("--normalize-by-length",), 708.5907183),
        (("--normalize-by-length", "--distribute"), 236.1969061),
    ],
)
def test_published_mf0004(
    omixer_examples: Path, tmp_path: Path, flags: tuple[str, ...], expected: float
) -> None:
    code, _, err = invoke(
        "modules", omixer_examples / "matrix.tsv", "--db", "gmm", "--min-coverage", "0.66",
        *flags, "-o", tmp_path,
    )  # fmt: skip
    assert code == 0, err
    assert math.isclose(float(cell(tmp_path / "abundance.tsv", "MF0004", "S1")), expected,
                        rel_tol=1e-9)  # fmt: skip
    assert cell(tmp_path / "coverage.tsv", "MF0004", "S1") == "0.7142857142857143"


def test_published_row_count_at_0_3(omixer_examples: Path, tmp_path: Path) -> None:
    code, _, err = invoke(
        "modules", omixer_examples / "matrix.tsv", "--db", "gmm", "--min-coverage", "0.3",
        "-o", tmp_path,
    )  # fmt: skip
    assert code == 0, err
    header, rows = read_tsv(tmp_path / "abundance.tsv")
    assert header == ["module", "S1", "S2"]
    assert len(rows) == 96
    cov_header, cov_rows = read_tsv(tmp_path / "coverage.tsv")
    assert cov_header == header and [r[0] for r in cov_rows] == [r[0] for r in rows]


def test_published_per_taxon_rows(omixer_examples: Path, tmp_path: Path) -> None:
    code, _, err = invoke(
        "modules", omixer_examples / "species_matrix.tsv", "--db", "gmm", "--min-coverage", "0.3",
        "-o", tmp_path,
    )  # fmt: skip
    assert code == 0, err
    header, rows = read_tsv(tmp_path / "abundance.tsv")
    assert header == ["taxon", "module", "s06a", "s06b"]
    assert len(rows) == 284
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["options"]["per_taxon"] is True
    assert summary["input"]["format"] == "ko-per-taxon"


def test_taxon_matrix_read_as_plain_ko_table_fails_clearly(
    omixer_examples: Path, tmp_path: Path
) -> None:
    code, out, err = invoke(
        "modules", omixer_examples / "species_matrix.tsv", "--input-format", "ko", "-o", tmp_path
    )
    assert code == 2
    assert err.startswith("gutbrain: error: ")
    assert "species_matrix.tsv" in err and "ko-per-taxon" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err + out
    assert not (tmp_path / "abundance.tsv").exists()


def test_db_all_on_matrix(omixer_examples: Path, tmp_path: Path) -> None:
    code, out, err = invoke(
        "modules", omixer_examples / "matrix.tsv", "--db", "all", "-o", tmp_path
    )
    assert code == 0, err
    summary = json.loads((tmp_path / "summary.json").read_text())
    keys = [d["key"] for d in summary["databases"]]
    assert keys == ["gmm", "gbm", "curated"]
    gbm = summary["databases"][1]
    assert {m["module"] for m in gbm["not_computable"]} == {
        "MGB001", "MGB003", "MGB011", "MGB013", "MGB014", "MGB017", "MGB030", "MGB042",
    }  # fmt: skip
    header, rows = read_tsv(tmp_path / "abundance.tsv")
    reported = {r[0] for r in rows}
    assert not reported & {m["module"] for m in gbm["not_computable"]}
    assert any(m.startswith("MGB") for m in reported) and any(m.startswith("GBC") for m in reported)
    assert summary["input"]["sha256"] and summary["options"]["min_coverage"] == 0.66
    assert summary["samples"]["S1"]["reported"] == sum(
        1 for r in rows if r[header.index("S1")] != ""
    )
    _, mods = read_tsv(tmp_path / "modules.tsv")
    assert len(mods) == 103 + 56 + len(summary["databases"][2]["not_computable"]) + sum(
        1 for m in mods if m[1] == "curated" and m[5] == "yes"
    )
    assert "wrote" in out


def test_min_coverage_zero_reports_every_computable_module(
    omixer_examples: Path, tmp_path: Path
) -> None:
    code, _, err = invoke(
        "modules", omixer_examples / "matrix.tsv", "--db", "gbm", "--min-coverage", "0",
        "-o", tmp_path,
    )  # fmt: skip
    assert code == 0, err
    _, rows = read_tsv(tmp_path / "coverage.tsv")
    assert len(rows) == 56 - 6  # the six with maximum coverage 0 are not computable


def test_auto_cutoff_warns(omixer_examples: Path, tmp_path: Path) -> None:
    code, _, err = invoke(
        "modules", omixer_examples / "matrix.tsv", "--db", "gmm", "--min-coverage", "auto",
        "-o", tmp_path,
    )  # fmt: skip
    assert code == 0
    assert "warning" in err and "batch" in err
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["databases"][0]["cutoff_mode"] == "auto"


def test_humann_ko_tool_test_table(shared: Path, tmp_path: Path) -> None:
    table = (
        shared / "data" / "humann_demo" / "v3.9" / "tooltests" / "regroup_table"
        / "regroup_table-builtin_uniref50_ko_output.txt"
    )  # fmt: skip
    code, _, err = invoke("modules", table, "--min-coverage", "0.5", "-o", tmp_path)
    assert code == 0, err
    # MF0008 maltose degradation = K00691, K01838; K01838 = 30 / 50 -> coverage 0.5
    assert cell(tmp_path / "abundance.tsv", "MF0008", "Sample1") == "30.0"
    assert cell(tmp_path / "abundance.tsv", "MF0008", "Sample2") == "50.0"
    code, _, err = invoke(
        "modules", table, "--min-coverage", "0.5", "--per-taxon", "--db", "gmm",
        "-o", tmp_path / "pt",
    )  # fmt: skip
    assert code == 0, err
    _, rows = read_tsv(tmp_path / "pt" / "abundance.tsv")
    got = {(r[0], r[1]): r[2:] for r in rows}
    assert got[("bug1", "MF0008")] == ["15.0", "25.0"]


def test_gzip_input_gives_identical_output(omixer_examples: Path, tmp_path: Path) -> None:
    gz = tmp_path / "m.tsv.gz"
    gz.write_bytes(gzip.compress((omixer_examples / "matrix.tsv").read_bytes()))
    assert invoke("modules", omixer_examples / "matrix.tsv", "-o", tmp_path / "a")[0] == 0
    assert invoke("modules", gz, "-o", tmp_path / "b")[0] == 0
    for name in ("abundance.tsv", "coverage.tsv", "modules.tsv"):
        assert (tmp_path / "a" / name).read_text() == (tmp_path / "b" / name).read_text()


def test_user_module_file(tmp_path: Path) -> None:
    table = tmp_path / "t.tsv"
    table.write_text("id\tA\tB\nK1\t4\t0\nK2\t10\t1\nK3\t6\t0\nK5\t2\t0\n")
    mods = tmp_path / "m.txt"
    mods.write_text("MX01\ttoy\nK1\tK2\nK3,K4\tK5\nK6\n///\n")
    code, _, err = invoke("modules", table, "--db-file", mods, "-o", tmp_path / "o")
    assert code == 0, err
    _, rows = read_tsv(tmp_path / "o" / "abundance.tsv")
    assert rows == [["MX01", "6.5", ""]]
    _, cov = read_tsv(tmp_path / "o" / "coverage.tsv")
    assert cov == [["MX01", "0.6666666666666666", "0.3333333333333333"]]
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert [d["key"] for d in summary["databases"]] == ["file:m.txt"]


def test_malformed_user_module_file(tmp_path: Path) -> None:
    table = tmp_path / "t.tsv"
    table.write_text("id\tA\nK1\t4\n")
    mods = tmp_path / "m.txt"
    mods.write_text("MX01 toy\nK1\n///\n")
    code, _, err = invoke("modules", table, "--db-file", mods, "-o", tmp_path / "o")
    assert code == 2
    assert "m.txt, line 1: module header without a TAB" in err


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("--min-coverage", "1.5"), "coverage cut-off out of range"),
        (("--min-coverage", "lots"), "invalid --min-coverage"),
    ],
)
def test_bad_options(tmp_path: Path, args: tuple[str, ...], match: str) -> None:
    table = tmp_path / "t.tsv"
    table.write_text("id\tA\nK00001\t4\n")
    code, _, err = invoke("modules", table, *args, "-o", tmp_path / "o")
    assert code == 2 and match in err


def test_per_taxon_on_plain_table_is_an_error(tmp_path: Path) -> None:
    table = tmp_path / "t.tsv"
    table.write_text("id\tA\nK00001\t4\n")
    code, _, err = invoke("modules", table, "--per-taxon", "-o", tmp_path / "o")
    assert code == 2 and "per-taxon scoring needs a taxon-stratified input" in err


def test_table_without_module_identifiers(tmp_path: Path) -> None:
    table = tmp_path / "t.tsv"
    table.write_text("id\tA\nUniRef90_A0A\t4\n")
    code, _, err = invoke("modules", table, "-o", tmp_path / "o")
    assert code == 2 and "none of the input's function identifiers occur" in err


def test_progress_bar_on_many_samples(tmp_path: Path) -> None:
    n = 300
    table = tmp_path / "wide.tsv"
    lines = ["id\t" + "\t".join(f"s{j}" for j in range(n))]
    for k, ko in enumerate(("K00691", "K01838", "K01193")):
        lines.append(ko + "\t" + "\t".join(str((j + k) % 7) for j in range(n)))
    table.write_text("\n".join(lines) + "\n")
    env = {**os.environ, "COLUMNS": "120"}
    res = subprocess.run(
        [sys.executable, "-m", "gutbrain", "modules", str(table), "--db", "gmm",
         "-o", str(tmp_path / "o")],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "gmm: scoring" in res.stderr and f"{n}/{n}" in res.stderr


def test_version() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and out.strip() == f"gutbrain {__version__}"


def test_examples_command() -> None:
    code, out, _ = invoke("examples")
    assert code == 0 and "ko-profile" in out
    code, out, _ = invoke("examples", "--path", "ko-profile")
    assert code == 0 and Path(out.strip()).is_file()
    code, _, err = invoke("examples", "--path", "nope")
    assert code == 2 and "unknown example" in err
