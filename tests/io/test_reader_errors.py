"""Every way a functional profile can be wrong gives one InputFormatError that says where."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from gutbrain.errors import GutBrainError, InputError, InputFormatError, OptionError
from gutbrain.io.functional import read_functional_profile
from gutbrain.io.profile import InputFormat

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
OMIXER = SHARED / "reference" / "modules" / "peer_examples" / "omixer-rpmR"

KO = "KO\tS1\tS2\nK00001\t1\t2\n"


def _bad(
    tmp_path: Path, content: str | bytes, match: str, input_format: InputFormat = "auto"
) -> str:
    path = tmp_path / "table.tsv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(InputFormatError, match=match) as info:
        read_functional_profile(path, input_format)
    message = str(info.value)
    assert str(path) in message
    assert "fix:" in message
    assert "Traceback" not in message and "Error(" not in message
    return message


CASES = [
    # id, content, input format, expected message (regex)
    ("empty", "", "auto", r"table\.tsv: empty file; found no text"),
    ("whitespace-only", "\n \n", "auto", r"empty file"),
    ("header-only", "KO\tS1\tS2\n", "auto", r"table\.tsv: no data rows; found only a header"),
    ("header-only-ko", "KO\tS1\tS2\n\n", "ko", r"no data rows"),
    (
        "non-numeric",
        KO + "K00002\tabc\t3\n",
        "auto",
        r"line 3, column 2 \(S1\): non-numeric value; found 'abc'; expected a finite number",
    ),
    (
        "negative",
        KO + "K00002\t1\t-1.5\n",
        "auto",
        r"line 3, column 3 \(S2\): negative value; found '-1\.5'",
    ),
    ("nan", KO + "K00002\tNaN\t1\n", "auto", r"line 3, column 2 \(S1\): missing value \(NaN\)"),
    ("nan-lower", KO + "K00002\t1\tnan\n", "ko", r"column 3 \(S2\): missing value \(NaN\)"),
    (
        "na",
        KO + "K00002\tNA\t1\n",
        "auto",
        r"line 3, column 2 \(S1\): missing value \(NA\); found 'NA'",
    ),
    (
        "empty-cell",
        KO + "K00002\t\t1\n",
        "auto",
        r"line 3, column 2 \(S1\): missing value \(empty cell\); found an empty cell",
    ),
    ("inf", KO + "K00002\t1\tinf\n", "auto", r"line 3, column 3 \(S2\): infinite value"),
    (
        "overflow",
        KO + "K00002\t1e400\t1\n",
        "auto",
        r"column 2 \(S1\): infinite value; found '1e400'",
    ),
    (
        "duplicate-samples",
        "KO\tS1\tS2\tS1\nK00001\t1\t2\t3\n",
        "auto",
        r"line 1, columns 2 and 4: duplicate sample id; found 'S1'",
    ),
    (
        "duplicate-samples-as-rows",
        "sample\tK00001\tK00002\nS1\t1\t2\nS2\t0\t1\nS1\t3\t4\n",
        "auto",
        r"lines 2 and 4: duplicate sample id; found 'S1'",
    ),
    (
        "duplicate-samples-per-taxon",
        "taxon\tKO\tS1\tS1\ng__A\tK00001\t1\t2\n",
        "ko-per-taxon",
        r"line 1, columns 3 and 4: duplicate sample id",
    ),
    ("ragged-short", KO + "K00002\t3\n", "auto", r"line 3: line 3 has 2 fields, expected 3"),
    ("ragged-long", KO + "K00002\t3\t4\t5\n", "auto", r"line 3 has 4 fields, expected 3"),
    (
        "ragged-trailing-tabs",
        "KO\tS1\tS2\nK00001\t1\t2\t\nK00002\t3\t4\n",
        "auto",
        r"line 3 has 3 fields, expected 4",
    ),
    ("ragged-csv", "KO,S1,S2\nK00001,1,2\nK00002,1\n", "auto", r"line 3 has 2 fields, expected 3"),
    (
        "unnamed-column-value",
        "KO\tS1\t\nK00001\t1\t\nK00002\t2\tx\n",
        "auto",
        r"line 3, column 3: value in a column without a header name; found 'x'",
    ),
    (
        "blank-line-inside",
        KO + "\nK00002\t1\t2\n",
        "auto",
        r"line 3: blank line inside the table",
    ),
    ("empty-header-cell", "KO\t\tS2\nK00001\t1\t2\n", "ko", r"line 1, column 2: empty column"),
    ("one-column", "KO\nK00001\nK00002\n", "ko", r"line 1: no sample columns"),
    (
        "per-taxon-as-ko",
        "species\tKO\ts1\ts2\nBacteroides dorei\tK00001\t1\t2\nBacteroides dorei\tK00002\t0\t1\n",
        "ko",
        r"looks taxon-stratified; found a taxon column \('Bacteroides dorei'\).*"
        r"fix: use --input-format ko-per-taxon \(or --input-format auto\)",
    ),
    (
        "humann-as-ko",
        "# Gene Family\tS1\nK00001\t3\nK00001|g__A.s__B\t2\nK00001|unclassified\t1\n",
        "ko",
        r"looks taxon-stratified; found HUMAnN-style stratified id 'K00001\|g__A\.s__B'.*"
        r"--input-format humann \(or --input-format auto\)",
    ),
    (
        "empty-taxon",
        "taxon\tKO\tS1\ng__A\tK00001\t1\n\tK00002\t1\n",
        "ko-per-taxon",
        r"line 3, column 1 \(taxon\): empty taxon name",
    ),
    (
        "humann-empty-taxon",
        "# Gene Family\tS1\nK00001\t3\nK00001|\t2\n",
        "auto",
        r"line 3, column 1 \(# Gene Family\): empty taxon after '\|'",
    ),
    ("humann-only-unmapped", "# Gene Family\tS1\nUNMAPPED\t3\n", "auto", r"no function rows"),
    (
        "unrecognised",
        "name\tcolour\talpha\nbeta\tred\tgreen\ngamma\tblue\tcyan\n",
        "auto",
        r"unrecognised functional-profile format; found first line 'name\\tcolour\\talpha'.*"
        r"'humann'.*'ko-per-taxon'.*'ko'.*--input-format humann\|ko-per-taxon\|ko",
    ),
    (
        "cr-only-line-ends",
        "KO\tS1\rK00001\t1\rK00002\t2\r",
        "ko",
        r"line 1: old Mac line ends",
    ),
    ("binary-nul", b"KO\tS1\nK0\x00001\t1\n", "auto", r"line 2: not a text table \(binary data\)"),
    (
        "png",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        "auto",
        r"not a text table \(binary data\); found a PNG image",
    ),
    ("gzip-of-xz", b"\xfd7zXZ\x00\x00garbage", "auto", r"found xz-compressed data"),
    (
        "latin-1",
        "KO\tS1\nK00001\t1\ncaf\xe9\t2\n".encode("latin-1"),
        "ko",
        r"line 3: text is not UTF-8",
    ),
    ("utf-16", "KO\tS1\nK00001\t1\n".encode("utf-16"), "auto", r"UTF-16 text"),
]


@pytest.mark.parametrize(
    ("content", "input_format", "match"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_error_messages(
    tmp_path: Path, content: str | bytes, input_format: InputFormat, match: str
) -> None:
    _bad(tmp_path, content, match, input_format)


def test_random_binary_garbage(tmp_path: Path) -> None:
    rng = random.Random(7)
    garbage = bytes(rng.randrange(256) for _ in range(5000)) + b"\x00"
    _bad(tmp_path, garbage, r"not a text table \(binary data\)|text is not UTF-8")


def test_truncated_gzip(tmp_path: Path) -> None:
    lines = ["KO\tS1\tS2"] + [f"K{i:05d}\t{i}\t{2 * i}" for i in range(2000)]
    packed = gzip.compress(("\n".join(lines) + "\n").encode())
    _bad(tmp_path, packed[: len(packed) // 2], r"table\.tsv: truncated or corrupt gzip")


def test_corrupt_gzip_body(tmp_path: Path) -> None:
    packed = bytearray(gzip.compress(b"KO\tS1\nK00001\t1\n" * 50))
    packed[20:30] = b"\xff" * 10
    _bad(tmp_path, bytes(packed), r"truncated or corrupt gzip")


def test_error_inside_gzip_has_line_number(tmp_path: Path) -> None:
    packed = gzip.compress((KO + "K00002\t1\t-3\n").encode())
    _bad(tmp_path, packed, r"line 3, column 3 \(S2\): negative value")


@pytest.mark.parametrize(
    ("cell", "match"),
    [
        ("abc", r"non-numeric value; found 'abc'"),
        ("NaN", r"missing value \(NaN\)"),
        ("", r"missing value \(empty cell\)"),
        ("-2", r"negative value"),
        ("inf", r"infinite value"),
    ],
)
def test_error_far_past_the_head_is_located(tmp_path: Path, cell: str, match: str) -> None:
    """The fast reader fails; the exact scan finds the line, beyond the sniffed head."""
    lines = ["KO\tS1\tS2"] + [f"K{i:05d}\t{i}.5\t{i}" for i in range(20000)]
    lines[15000] = f"K99999\t1\t{cell}"
    content = "\n".join(lines) + "\n"
    assert len(content) > 5 * 64 * 1024
    _bad(tmp_path, content, rf"line 15001, column 3 \(S2\): {match}")


def test_stratified_id_past_the_head(tmp_path: Path) -> None:
    lines = ["KO\tS1"] + [f"K{i:05d}\t{i}" for i in range(20000)] + ["K00001|g__A\t1"]
    _bad(tmp_path, "\n".join(lines), r"looks taxon-stratified.*'K00001\|g__A'", "ko")


def test_real_species_matrix_read_as_ko(tmp_path: Path) -> None:
    path = OMIXER / "species_matrix.tsv"
    if not path.is_file():
        pytest.skip("species_matrix.tsv from ../shared is not available")
    with pytest.raises(InputFormatError, match=r"looks taxon-stratified.*ko-per-taxon"):
        read_functional_profile(path, "ko")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nothere\.tsv: file not found"):
        read_functional_profile(tmp_path / "nothere.tsv")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"is a directory"):
        read_functional_profile(tmp_path)


def test_unknown_input_format(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text(KO)
    with pytest.raises(OptionError, match=r"unknown input format; found 'biom'"):
        read_functional_profile(path, "biom")  # type: ignore[arg-type]


def test_errors_are_gutbrain_errors() -> None:
    assert issubclass(InputFormatError, GutBrainError)
