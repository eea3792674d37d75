"""Reference populations: building, JSON round trip, packaged files, build script."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gutbrain.errors import InputFormatError, OptionError
from gutbrain.io.reference_file import compress_reference, read_reference, write_reference
from gutbrain.knowledge.references_data import load_packaged_reference, packaged_references
from gutbrain.pipeline.features import ComponentTable
from gutbrain.pipeline.reference import (
    MAX_STORED_VALUES,
    N_QUANTILES,
    ReferencePopulation,
    build_reference,
    load_reference,
    packaged_reference,
)

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
PACKAGED = REPO / "src" / "gutbrain" / "knowledge" / "data" / "references"
EXPECTED = ("agp_stool_genus", "hmp2_nonibd_metaphlan4", "zhu2020_controls_modules")


def _table(n_samples: int = 7, seed: int = 0) -> ComponentTable:
    rng = np.random.default_rng(seed)
    values = rng.lognormal(size=(3, n_samples)) / 3.0
    values[1, 0] = np.nan
    values[2] = np.nan
    coverage = np.vstack([np.full(n_samples, 0.8), rng.random(n_samples), np.nan * values[2]])
    return ComponentTable(
        "taxonomic",
        "species",
        "relative abundance",
        tuple(f"S{j}" for j in range(n_samples)),
        ("trait:butyrate", "diversity:shannon", "module:M1"),
        values,
        coverage,
    )


def _build(table: ComponentTable) -> ReferencePopulation:
    return build_reference(table, "toy", "a toy reference", "all samples", ["X2020"])


def test_json_round_trip_is_byte_identical() -> None:
    text = _build(_table()).to_json()
    again = ReferencePopulation.from_json(text)
    assert again.to_json() == text
    assert again == ReferencePopulation.from_json(text)


def test_build_is_deterministic() -> None:
    assert _build(_table()).to_json() == _build(_table()).to_json()
    assert compress_reference(_build(_table()).to_json()) == compress_reference(
        _build(_table()).to_json()
    )


def test_json_is_sorted_and_rounded() -> None:
    ref = _build(_table())
    data = json.loads(ref.to_json())
    assert list(data) == sorted(data)
    for d in data["components"].values():
        assert all(float(f"{v:.12g}") == v for v in d["values"])
        assert d["values"] == sorted(d["values"])
    assert data["components"]["diversity:shannon"]["n"] == 6  # one NaN dropped
    assert data["components"]["module:M1"] == {"coverage": None, "n": 0, "values": []}


def test_large_reference_stored_as_quantiles() -> None:
    ref = _build(_table(n_samples=MAX_STORED_VALUES + 1))
    d = ref.distributions["trait:butyrate"]
    assert d.n == MAX_STORED_VALUES + 1
    assert d.values.size == N_QUANTILES
    assert ReferencePopulation.from_json(ref.to_json()).to_json() == ref.to_json()


def test_percentiles_of_a_table() -> None:
    table = _table()
    ref = _build(table)
    p = ref.percentiles(table)
    assert p.shape == table.values.shape
    assert np.isnan(p[2]).all()  # empty distribution
    assert np.isnan(p[1, 0])  # NaN value
    row = table.values[0]
    mid = [100 * ((row < x).sum() + 0.5 * (row == x).sum()) / row.size for x in row]
    np.testing.assert_allclose(p[0], mid)  # each sample on its own mid-rank


@given(
    st.lists(
        st.one_of(
            st.floats(0, 1e6, allow_nan=False),
            st.sampled_from([0.0, 1 / 3, 2 / 3, 0.1 + 0.2, 1e-13, 123456.78901234567]),
        ),
        min_size=1,
        max_size=40,
    ),
    st.floats(0, 1e6, allow_nan=False),
)
@settings(max_examples=200, deadline=None)
def test_own_rank_and_monotone_through_stored_rounding(xs: list[float], probe: float) -> None:
    """Reference values are stored at 12 digits; the samples they came from must
    still land on their own mid-rank, and percentiles stay monotone in the value."""
    values = np.array([xs, [probe] * len(xs)], dtype=np.float64)
    table = ComponentTable(
        "taxonomic",
        "species",
        "relative abundance",
        tuple(f"S{j}" for j in range(len(xs))),
        ("trait:butyrate", "trait:probe"),
        values,
        np.ones_like(values),
    )
    ref = _build(table)
    p = ref.percentiles(table)[0]
    rounded = np.array([float(f"{x:.12g}") for x in xs])
    mid = [100 * ((rounded < r).sum() + 0.5 * (rounded == r).sum()) / len(xs) for r in rounded]
    np.testing.assert_allclose(p, mid)
    order = np.argsort(values[0], kind="stable")
    assert np.all(np.diff(p[order]) >= 0)


def test_file_round_trip(tmp_path: Path) -> None:
    text = _build(_table()).to_json()
    path = tmp_path / "toy.json.gz"
    write_reference(path, text)
    first = path.read_bytes()
    write_reference(path, text)
    assert path.read_bytes() == first
    assert first[4:8] == b"\x00\x00\x00\x00"  # gzip mtime 0
    assert read_reference(path) == text
    assert load_reference(path).to_json() == text


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("not json", "not valid JSON"),
        ('{"format": "other"}', "not a gutbrain reference"),
        ('{"format": "gutbrain-reference/1"}', "malformed reference"),
        ("[]", "not a gutbrain reference"),
    ],
)
def test_from_json_errors(text: str, match: str) -> None:
    with pytest.raises(InputFormatError, match=match):
        ReferencePopulation.from_json(text)


def test_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json.gz"
    path.write_bytes(gzip.compress(b"{}")[:-6])
    with pytest.raises(InputFormatError, match="damaged reference file"):
        read_reference(path)


def test_unknown_packaged_reference() -> None:
    with pytest.raises(OptionError, match="unknown reference population"):
        load_packaged_reference("nope")


@pytest.mark.parametrize("name", EXPECTED)
def test_shipped_reference_loads(name: str) -> None:
    assert name in packaged_references()
    text = load_packaged_reference(name)
    ref = packaged_reference(name)
    assert ref.name == name
    assert ref.to_json() == text
    assert ref.n_samples > 0
    assert ref.citations
    assert all(d.n <= ref.n_samples for d in ref.distributions.values())


def test_shipped_references_fit_the_size_budget() -> None:
    total = sum(p.stat().st_size for p in PACKAGED.glob("*.json.gz"))
    assert total <= 5 * 1024 * 1024


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_references", REPO / "tools/build_references.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_script_reproduces_shipped_files(tmp_path: Path) -> None:
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared is not available")
    assert _build_script().main(["--shared", str(SHARED), "--out", str(tmp_path)]) == 0
    for name in EXPECTED:
        built = (tmp_path / f"{name}.json.gz").read_bytes()
        assert built == (PACKAGED / f"{name}.json.gz").read_bytes(), name
