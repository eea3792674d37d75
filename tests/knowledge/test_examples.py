"""Packaged examples: every one exists, reads, and the HMP2 sample rebuilds byte-identically."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gutbrain.errors import OptionError
from gutbrain.io.taxonomic import read_taxon_profile
from gutbrain.knowledge.examples import EXAMPLES, example_file

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_is_shipped(name: str) -> None:
    assert example_file(name).is_file()


def test_unknown_example() -> None:
    with pytest.raises(OptionError, match="unknown example"):
        example_file("nope")


def test_hmp2_sample_reads_as_a_species_profile() -> None:
    profile = read_taxon_profile(Path(str(example_file("taxon-profile"))))
    assert profile.samples == ("HSM5MD8H_P",)
    assert len(profile.features) == 53


def test_build_script_reproduces_the_hmp2_sample(shared: Path, tmp_path: Path) -> None:
    out = tmp_path / "sample.tsv"
    subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_examples.py"), "--shared", str(shared),
         "--out", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    assert out.read_bytes() == Path(str(example_file("taxon-profile"))).read_bytes()
