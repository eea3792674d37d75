"""Reading plan edits from YAML: structure, line numbers, every error family, fuzz."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gutbrain.errors import GutBrainError, InputError, InputFormatError
from gutbrain.io.plan_edits import read_edits

GOOD = """\
# practitioner edits
edits:
  - op: move
    item: stress-practice
    position: 1
    author: Dr Sam Lee
    time: 2026-11-21T09:30
    reason: what the client wants first
  - op: add
    author: Dr Sam Lee
    time: 2026-11-22
    reason: enjoys cooking
    fields: {title: Cook at home, what: One new bean recipe a week., duration_weeks: 6}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "edits.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_edits_with_lines(tmp_path: Path) -> None:
    move, add = read_edits(write(tmp_path, GOOD))
    assert (move.line, move.op, move.item, move.position) == (3, "move", "stress-practice", 1)
    assert move.time == "2026-11-21T09:30"
    assert add.line == 9 and add.time == "2026-11-22"  # a YAML date stays ISO text
    assert add.fields == {"title": "Cook at home", "what": "One new bean recipe a week.",
                          "duration_weeks": 6}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "match", "line"),
    [
        ("edits: [\n", "not valid YAML", None),
        ("- op: move\n", "no list of edits", 1),
        ("edits: 3\n", "no list of edits", 1),
        ("edits:\n  - 3\n", "an edit must be a mapping", 2),
        ("edits:\n  - {op: move, author: a, time: t, reason: r, colour: red}\n", "unknown key", 2),
        ("edits:\n\n  - {op: move, author: a}\n", "edit lacks time, reason", 3),
        ("edits:\n  - {op: 3, author: a, time: t, reason: r}\n", "op must be text", 2),
        ("edits:\n  - {op: move, author: a, time: t, reason: r, position: x}\n",
         "position must be a whole number", 2),
        ("edits:\n  - {op: add, author: a, time: t, reason: r, fields: [1]}\n",
         "fields must be a mapping", 2),
    ],
)  # fmt: skip
def test_errors(tmp_path: Path, text: str, match: str, line: int | None) -> None:
    with pytest.raises(InputFormatError, match=match) as info:
        read_edits(write(tmp_path, text))
    if line is not None:
        assert f"edits.yaml, line {line}:" in str(info.value)


def test_empty_list(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="the edits list is empty"):
        read_edits(write(tmp_path, "edits: []\n"))


@given(st.binary(max_size=300))
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_fuzz_bytes_only_raise_gutbrain_errors(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    with contextlib.suppress(GutBrainError):
        read_edits(path)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["op", "author", "time", "reason", "item", "position", "fields", "x"]),
            yaml_values,
            max_size=7,
        ),
        max_size=3,
    )
)
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_fuzz_structures(tmp_path: Path, edits: list[dict[str, object]]) -> None:
    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"edits": edits}), encoding="utf-8")
    with contextlib.suppress(GutBrainError):
        read_edits(path)
