"""Newick reader: structure, quoting, comments, compression, deep trees and error messages."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from gutbrain.errors import InputFormatError
from gutbrain.io.newick import parse_newick, read_newick

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def test_structure_postorder() -> None:
    t = parse_newick("((a:1,b:2)x:0.5,c:3)root;")
    assert t.names == ("a", "b", "x", "c", "root")
    assert t.parent.tolist() == [2, 2, 4, 4, -1]
    assert t.length.tolist() == [1.0, 2.0, 0.5, 3.0, 0.0]
    assert t.is_tip.tolist() == [True, True, False, True, False]
    assert dict(t.tip_index) == {"a": 0, "b": 1, "c": 3}
    assert np.all(t.parent[:-1] > np.arange(t.n_nodes - 1))
    assert (t.n_nodes, t.n_tips) == (5, 3)


def test_quotes_comments_whitespace_and_missing_lengths() -> None:
    text = "[head] ( 'a b':1.5 [c1], 'it''s' ,\n  under_score:2e-1 [x] )'r;';\n"
    t = parse_newick(text)
    assert t.names == ("a b", "it's", "under_score", "r;")
    assert t.length.tolist() == [1.5, 0.0, 0.2, 0.0]
    assert t.has_length.tolist() == [True, False, True, False]


def test_tree_is_immutable() -> None:
    t = parse_newick("(a:1,b:2);")
    with pytest.raises(ValueError, match="read-only"):
        t.length[0] = 5.0
    with pytest.raises(TypeError):
        t.tip_index["c"] = 1  # type: ignore[index]


def test_deep_tree_without_recursion_limit() -> None:
    depth = 20_000
    text = "(" * depth + "a:1" + "".join(f",t{i}:1):1" for i in range(depth)) + ";"
    t = parse_newick(text)
    assert t.n_tips == depth + 1
    assert t.tips_of(["a"]).tolist() == [0]


def test_gzip_and_plain_files(tmp_path: Path) -> None:
    text = "((a:1,b:2):1,c:3);"
    plain = tmp_path / "t.nwk"
    plain.write_text(text)
    packed = tmp_path / "t.nwk.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    assert read_newick(plain).names == read_newick(packed).names


def test_hmp_tree() -> None:
    path = SHARED / "data" / "microbeds_hmpv35" / "tree.nwk"
    if not path.exists():
        pytest.skip("shared HMP tree not available")
    t = read_newick(path)
    assert len(t.tip_index) == 10_730


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty Newick file"),
        ("   [only a comment]\n", "empty Newick file"),
        ("((a,b),c", r"line 1, column 1: unbalanced parentheses.*1 '\(' not closed"),
        ("((a,b),c;", r"column 1: unbalanced parentheses.*not closed before ';'"),
        ("(a,b));", r"column 6: unbalanced parentheses.*'\)' without matching"),
        ("(a,b)", r"column 6: missing ';'"),
        ("(a:1,b:x);", r"column 8: branch length is not a number.*'x'"),
        ("(a,b);garbage", r"column 7: text after the final ';'"),
        ("(a b,c);", r"column 4: unexpected text"),
        ("(a,b)c(d);", r"column 7: unexpected '\('"),
        ("a,b;", r"',' outside parentheses"),
        ("(a:1:2,b);", r"second branch length"),
        ("('a,b);", r"unclosed quoted label"),
        ("(a[x,b);", r"unclosed comment"),
        ("(a,b],c);", r"unexpected '\]'"),
        ("((a,b),a);", r"duplicate tip names.*'a'"),
        ("(a,\nb)\n)x;", r"line 3, column 1: unbalanced parentheses"),
    ],
)
def test_malformed_newick(text: str, match: str) -> None:
    with pytest.raises(InputFormatError, match=match):
        parse_newick(text, source="t.nwk")


def test_error_is_one_line_with_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nwk"
    bad.write_text("(a,b")
    with pytest.raises(InputFormatError) as info:
        read_newick(bad)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(str(bad))


def test_binary_file_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nwk"
    bad.write_bytes(b"\xff\xfe\x00(")
    with pytest.raises(InputFormatError, match="not UTF-8 text"):
        read_newick(bad)
    corrupt = tmp_path / "bad.nwk.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(InputFormatError, match="corrupt gzip file"):
        read_newick(corrupt)
