"""Reading YAML answers files: positions in messages, refused inputs, and fuzzing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gutbrain.assess import AnswerSet, answer_set_from_mapping
from gutbrain.errors import GutBrainError, InputError, InputFormatError
from gutbrain.io.answers import (
    MAX_ANSWER_BYTES,
    AnswerDocument,
    parse_answer_bytes,
    read_answer_document,
)
from gutbrain.knowledge.examples import example_file
from gutbrain.pipeline.assess import load_answers

GOOD = """\
client: {id: c-001, name: Alex Example, age: 34, sex: female}
date: 2026-11-20
answers:
  phq9: [1, 1, 2, 0, 1, 0, 1, 0, 0]
  gad7:
    q1: 1
    q2: 2
preferences: [vegetarian, lactose_intolerant]
medications: [maoi]
"""


def write(tmp_path: Path, text: str | bytes, name: str = "answers.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_example_file_reads() -> None:
    answers = load_answers(Path(str(example_file("answers"))))
    assert answers.client.name == "Alex Example"
    assert answers.date == dt.date(2026, 11, 20)
    assert len(answers.answers) == 10


def test_good_file_and_positions(tmp_path: Path) -> None:
    doc = read_answer_document(write(tmp_path, GOOD))
    assert doc.data["date"] == dt.date(2026, 11, 20)  # type: ignore[index]
    assert doc.positions[("answers", "phq9", 2)] == (4, 16)
    assert doc.positions[("answers", "gad7", "q2")] == (7, 9)
    assert doc.positions[("answers", "gad7")] == (5, 3)  # a block mapping: the key
    assert doc.locate(("nope",)) is None
    answers = load_answers(tmp_path / "answers.yaml")
    assert answers.answers_for("gad7") == (1, 2, None, None, None, None, None)


@pytest.mark.parametrize(
    ("replace", "by", "where", "match"),
    [
        (
            "phq9: [1, 1, 2,",
            "phq9: [1, 1, 7,",
            "line 4, column 16 (answers.phq9.q3)",
            "out of range for PHQ-9 item q3",
        ),
        (
            "phq9: [1, 1, 2, 0, 1, 0, 1, 0, 0]",
            "phq9: [1, 1, 2]",
            "line 4, column 3 (answers.phq9)",
            "wrong number of answers for PHQ-9",
        ),
        (
            "  gad7:",
            "  gad8:",
            "line 5, column 3 (answers.gad8)",
            "unknown instrument 'gad8'.*phq9, gad7",
        ),
        (
            "    q2: 2",
            "    q9: 2",
            "line 7, column 9 (answers.gad7.q9)",
            "unknown item 'q9' for GAD-7",
        ),
        (
            "lactose_intolerant]",
            "lactos]",
            "line 8, column 27 (preferences[1])",
            "unknown preference 'lactos'.*lactose_intolerant",
        ),
        (
            "[maoi]",
            "[mao]",
            "line 9, column 15 (medications[0])",
            "unknown medication 'mao'.*maoi, linezolid",
        ),
        ("date: 2026-11-20", "date: 20.11.2026", "line 2, column 7 (date)", "invalid date"),
        ("age: 34", "age: 340", "line 1, column 46 (client.age)", "invalid client age"),
        (
            "medications: [maoi]",
            "medication: [maoi]",
            "line 9, column 1 (medication)",
            "unknown field 'medication'",
        ),
    ],
)
def test_errors_point_at_the_line(
    tmp_path: Path, replace: str, by: str, where: str, match: str
) -> None:
    assert replace in GOOD
    path = write(tmp_path, GOOD.replace(replace, by))
    with pytest.raises(InputFormatError, match=match) as info:
        load_answers(path)
    assert info.value.where == f"{path}, {where}"
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("content", "error", "match"),
    [
        (b"", InputFormatError, "empty answers file"),
        (b"  \n# only a comment\n", InputFormatError, "empty answers file"),
        (b"\xff\xfe c", InputFormatError, "not UTF-8.*byte 0xff"),
        (b"a: [1, 2\n", InputFormatError, "line 2, column 1: not valid YAML"),
        (b"answers:\n\tphq9: [1]\n", InputFormatError, "not valid YAML.*spaces"),
        (b"a: 1\n---\nb: 2\n", InputFormatError, "not valid YAML.*single document"),
        (b"a: 1\nb: 2\na: 3\n", InputFormatError, "line 3, column 1: duplicate key 'a'"),
        (
            b"answers:\n  phq9: [0]\n  phq9: [1]\n",
            InputFormatError,
            "line 3, column 3: duplicate key 'phq9'",
        ),
        (b"date: 2026-02-30\n", InputFormatError, "cannot be read.*out of range"),
        (b"a: !!int abc\n", InputFormatError, "cannot be read"),
        (b"a: !!python/object:os.system x\n", InputFormatError, "not valid YAML"),
        (b"[" * 5000 + b"]" * 5000, InputFormatError, "not valid YAML|nested too deeply"),
        (b"x" * (MAX_ANSWER_BYTES + 1), InputFormatError, "too large"),
        (b"- 1\n- 2\n", InputFormatError, "not an answers document.*a list of 2"),
        (b"just text\n", InputFormatError, "not an answers document"),
    ],
)
def test_refused_files(
    tmp_path: Path, content: bytes, error: type[GutBrainError], match: str
) -> None:
    with pytest.raises(error, match=match):
        load_answers(write(tmp_path, content))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_answer_document(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a directory"):
        read_answer_document(tmp_path)


def test_aliases_are_walked_once() -> None:
    # a small 'billion laughs': positions must not expand the aliases
    text = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    for level in "bcdefghij":
        prev = chr(ord(level) - 1)
        text += f"{level}: &{level} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    doc = parse_answer_bytes(text.encode(), "laughs.yaml")
    assert len(doc.positions) < 200
    with pytest.raises(InputFormatError, match="unknown field 'a'"):
        load_answers_from(doc)


def load_answers_from(doc: AnswerDocument) -> AnswerSet:
    return answer_set_from_mapping(doc.data, source=doc.source, locate=doc.locate)


# --------------------------------------------------------------------------- fuzzing

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 1000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.dates(),
)
_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=10)
        | st.dictionaries(st.text(max_size=10), children, max_size=6)
    ),
    max_leaves=30,
)
_keys = st.sampled_from(
    ["client", "date", "answers", "preferences", "medications", "conditions", "other"]
)
_instrument_keys = st.sampled_from(["phq9", "gad7", "pss10", "who5", "bsfs", "ipaq_sf", "evs", "x"])
_documents = st.fixed_dictionaries(
    {
        "client": st.one_of(_values, st.fixed_dictionaries({"id": _scalars, "age": _scalars})),
        "date": st.one_of(st.dates(), _scalars),
        "answers": st.one_of(_values, st.dictionaries(_instrument_keys, _values, max_size=4)),
    },
    optional={
        "preferences": _values,
        "medications": _values,
        "conditions": _values,
    },
) | st.dictionaries(_keys, _values)


def _only_gutbrain_errors(data: bytes) -> None:
    try:
        doc = parse_answer_bytes(data, "fuzz.yaml")
        load_answers_from(doc)
    except GutBrainError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_fuzz_random_bytes(data: bytes) -> None:
    _only_gutbrain_errors(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="abcdeq019:-[]{},&*!|>'\"#\n\t %@`?.", max_size=120))
def test_fuzz_yaml_like_text(text: str) -> None:
    _only_gutbrain_errors(text.encode())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents)
def test_fuzz_random_structures(document: object) -> None:
    _only_gutbrain_errors(yaml.safe_dump(document).encode())
