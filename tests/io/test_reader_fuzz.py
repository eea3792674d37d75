"""Hypothesis invariants of the functional-profile readers."""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gutbrain.core.module_types import id_namespace
from gutbrain.errors import GutBrainError
from gutbrain.io import ko_table
from gutbrain.io.functional import read_functional_profile
from gutbrain.io.profile import FunctionalProfile, InputFormat
from gutbrain.io.textfile import read_head

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _read_or_gutbrain_error(path: Path, input_format: InputFormat) -> None:
    try:
        profile = read_functional_profile(path, input_format)
    except GutBrainError as exc:
        assert "Traceback" not in str(exc)
        return
    assert isinstance(profile, FunctionalProfile)
    assert profile.community.values.shape == profile.community.shape


FORMATS = st.sampled_from(["auto", "ko", "ko-per-taxon", "humann"])
TABLE_CHARS = 'K0123456789.\t,\n\r-+eE|#: _aNinfUNMAPED"x\x00\xe9'


@FUZZ
@given(content=st.binary(max_size=600), input_format=FORMATS, packed=st.booleans())
def test_arbitrary_bytes_give_a_profile_or_a_gutbrain_error(
    workdir: Path, content: bytes, input_format: InputFormat, packed: bool
) -> None:
    path = workdir / "bytes.dat"
    path.write_bytes(gzip.compress(content) if packed else content)
    _read_or_gutbrain_error(path, input_format)


@FUZZ
@given(
    text=st.text(alphabet=TABLE_CHARS, max_size=400),
    header=st.sampled_from(["KO\tS1\tS2\n", "# Gene Family\tS1\n", "t\tKO\tS1\n", "id,S1\n", ""]),
    input_format=FORMATS,
)
def test_table_like_text_gives_a_profile_or_a_gutbrain_error(
    workdir: Path, text: str, header: str, input_format: InputFormat
) -> None:
    path = workdir / "text.tsv"
    path.write_bytes((header + text).encode("utf-8", "surrogatepass"))
    _read_or_gutbrain_error(path, input_format)


KO_IDS = st.integers(0, 99999).map(lambda i: f"K{i:05d}")
SAMPLE_IDS = st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,8}", fullmatch=True).filter(
    lambda s: id_namespace(s) == "other"
)
VALUES = st.floats(min_value=0.0, allow_nan=False, allow_infinity=False)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[str], np.ndarray]:
    features = draw(st.lists(KO_IDS, min_size=1, max_size=8, unique=True))
    samples = draw(st.lists(SAMPLE_IDS, min_size=1, max_size=6, unique=True))
    values = draw(
        st.lists(
            st.lists(VALUES, min_size=len(samples), max_size=len(samples)),
            min_size=len(features),
            max_size=len(features),
        )
    )
    return features, samples, np.array(values, dtype=np.float64).reshape(len(features), -1)


def _write(
    path: Path, features: list[str], samples: list[str], values: np.ndarray, style: str
) -> None:
    sep = "," if style == "csv" else "\t"
    lines = [sep.join(["KO", *samples])]
    lines += [
        sep.join([f, *map(repr, row.tolist())]) for f, row in zip(features, values, strict=True)
    ]
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if style == "gzip" else data)


def _by_id(profile: FunctionalProfile) -> dict[tuple[str, str], str]:
    t = profile.community
    return {
        (f, s): repr(float(t.values[i, j]))
        for i, f in enumerate(t.features)
        for j, s in enumerate(t.samples)
    }


@FUZZ
@given(table=tables(), style=st.sampled_from(["tsv", "csv", "gzip"]))
def test_written_tables_round_trip_exactly(
    workdir: Path, table: tuple[list[str], list[str], np.ndarray], style: str
) -> None:
    features, samples, values = table
    path = workdir / "round_trip.dat"
    _write(path, features, samples, values, style)
    profile = read_functional_profile(path)
    assert profile.format == "ko"
    assert profile.community.features == tuple(features)
    assert profile.community.samples == tuple(samples)
    got = [repr(v) for v in profile.community.values.ravel().tolist()]
    assert got == [repr(v) for v in values.ravel().tolist()]


@FUZZ
@given(table=tables(), data=st.data())
def test_row_and_column_order_does_not_change_values(
    workdir: Path, table: tuple[list[str], list[str], np.ndarray], data: st.DataObject
) -> None:
    features, samples, values = table
    rows = data.draw(st.permutations(range(len(features))))
    cols = data.draw(st.permutations(range(len(samples))))
    first, second = workdir / "order_a.tsv", workdir / "order_b.tsv"
    _write(first, features, samples, values, "tsv")
    _write(
        second,
        [features[i] for i in rows],
        [samples[j] for j in cols],
        values[np.ix_(rows, cols)],
        "tsv",
    )
    a, b = read_functional_profile(first), read_functional_profile(second)
    assert _by_id(a) == _by_id(b)
    assert b.community.features == tuple(features[i] for i in rows)


GRID_CHARS = 'K0123456789.\t,\n\r-+eE: _aNinfNA"x |#\ufeff\xe9'


def _grid_outcome(path: Path, head: str, n_labels: int, exact: bool) -> object:
    try:
        grid = ko_table.read_grid(path, head, n_labels, exact=exact)
    except GutBrainError as exc:
        return f"{type(exc).__name__}: {exc}"
    return grid.header, grid.labels, [repr(v) for v in grid.values.ravel().tolist()]


@FUZZ
@given(
    text=st.text(alphabet=GRID_CHARS, max_size=200),
    header=st.sampled_from(["KO\tS1\tS2\n", "id,S1,S2\n", "KO\tS1\t\n", "t\tKO\tS1\n", "KO,S1,\n"]),
    packed=st.booleans(),
)
def test_fast_reader_agrees_with_exact_scan(
    workdir: Path, text: str, header: str, packed: bool
) -> None:
    """Whenever either reader accepts a table, both return the same labels and values."""
    path = workdir / "grid.dat"
    data = (header + text).encode()
    path.write_bytes(gzip.compress(data) if packed else data)
    try:
        head = read_head(path)
    except GutBrainError:
        return
    n_labels = 2 if header.startswith("t\t") else 1
    fast = _grid_outcome(path, head, n_labels, exact=False)
    exact = _grid_outcome(path, head, n_labels, exact=True)
    if not (isinstance(fast, str) and isinstance(exact, str)):
        assert fast == exact
