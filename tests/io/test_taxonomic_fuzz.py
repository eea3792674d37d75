"""Fuzzing the taxonomic readers: arbitrary input never escapes as anything but GutBrainError."""

from __future__ import annotations

import contextlib
import gzip
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gutbrain.errors import GutBrainError
from gutbrain.io.taxonomic import read_taxon_profile

FORMATS = ["auto", "metaphlan", "biom", "qza", "kraken", "table"]
_fuzz = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

line = st.lists(
    st.one_of(
        st.sampled_from(["k__Bacteria|s__A_b", "g__X;s__Y", "Blautia obeum", "#OTU ID", "S", "U"]),
        st.text(max_size=8),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(-5, 1000).map(str),
    ),
    max_size=6,
).map("\t".join)


def _attempt(path: Path, fmt: str) -> None:
    with contextlib.suppress(GutBrainError):
        read_taxon_profile(path, fmt)  # type: ignore[arg-type]


@_fuzz
@given(data=st.binary(max_size=400), fmt=st.sampled_from(FORMATS), gz=st.booleans())
def test_random_bytes(tmp_path: Path, data: bytes, fmt: str, gz: bool) -> None:
    path = tmp_path / "x"
    path.write_bytes(gzip.compress(data) if gz else data)
    _attempt(path, fmt)


@_fuzz
@given(lines=st.lists(line, min_size=0, max_size=8), fmt=st.sampled_from(FORMATS))
def test_random_tables(tmp_path: Path, lines: list[str], fmt: str) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    _attempt(path, fmt)
