"""Coverage cut-off (explicit and automatic) and computability from the input's id kinds."""

from __future__ import annotations

import numpy as np
import pytest

from gutbrain.core.module_cutoff import auto_cutoff, computability, validate_cutoff
from gutbrain.errors import InputError, OptionError
from gutbrain.knowledge.modules import load_database


@pytest.mark.parametrize(
    ("pooled", "expected"),
    [
        ([1.0] * 5 + [0.75] * 2 + [0.5] * 9 + [0.25] * 4, 0.75),
        ([0.5, 0.5], 0.5),  # a single distinct value
        ([1.0, 0.5, 0.5], 1.0),  # two values: cut-off is the top one
        ([1.0, 0.8, 0.6, 0.6, 0.4, 0.4], 0.6),  # tie: the lower level (0.4) wins
    ],
)
def test_auto_cutoff(pooled: list[float], expected: float) -> None:
    assert auto_cutoff([np.array([*pooled, 0.0])]) == expected


def test_auto_cutoff_without_any_coverage_is_an_error() -> None:
    with pytest.raises(InputError, match="automatic coverage cut-off is undefined"):
        auto_cutoff([np.zeros((3, 2))])


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_cutoff_range(bad: float) -> None:
    with pytest.raises(OptionError, match="coverage cut-off out of range"):
        validate_cutoff(bad)


def test_gbms_not_computable_from_ko_input() -> None:
    gbm = load_database("gbm")
    comp = {c.module_id: c for c in computability(gbm.modules, frozenset({"KO"}), 0.66)}
    zero = {"MGB011", "MGB013", "MGB014", "MGB017", "MGB030", "MGB042"}
    half = {"MGB001", "MGB003"}
    assert {m for m, c in comp.items() if not c.computable} == zero | half
    assert all(comp[m].max_coverage == 0.0 for m in zero)
    assert all(comp[m].max_coverage == 0.5 for m in half)
    # At cut-off 0.5 the two half-coverable modules become computable again
    comp5 = computability(gbm.modules, frozenset({"KO"}), 0.5)
    assert {c.module_id for c in comp5 if not c.computable} == zero
    # With COG ids in the input too, serotonin synthesis I is fully coverable
    comp_cog = {c.module_id: c for c in computability(gbm.modules, frozenset({"KO", "COG"}), 0.66)}
    assert comp_cog["MGB001"].computable and comp_cog["MGB001"].max_coverage == 1.0


def test_every_gmm_is_computable_from_ko() -> None:
    gmm = load_database("gmm")
    assert all(c.computable for c in computability(gmm.modules, frozenset({"KO"}), 1.0))
