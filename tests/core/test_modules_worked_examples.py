"""Every worked example of MODULE_ALGORITHM §2.7, on fresh toy fixtures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gutbrain.core.module_cutoff import auto_cutoff
from gutbrain.core.module_types import Module
from gutbrain.core.modules import ScoringOptions, compile_modules, score_modules
from gutbrain.knowledge.module_format import parse_modules

MX01 = "MX01\ttoy module\nKA\tKB\nKC,KD\tKE\nKF\n///\n"
SAMPLE = {"KA": 4.0, "KB": 10.0, "KC": 6.0, "KD": 0.0, "KE": 2.0}  # KF absent


def run(
    text: str,
    sample: dict[str, float],
    estimator: str = "median",
    normalize: bool = False,
    distribute: bool = False,
) -> tuple[list[float], list[float]]:
    mods = parse_modules(text)
    feats = list(sample)
    c = compile_modules(mods, feats, distribute=distribute)
    x = np.array([[sample[f]] for f in feats])
    s = score_modules(c, x, ScoringOptions(estimator, normalize, distribute))  # type: ignore[arg-type]
    return s.coverage[:, 0].tolist(), s.abundance[:, 0].tolist()


def test_coverage_is_exact_two_thirds_and_cutoff_inclusive() -> None:
    cov, _ = run(MX01, SAMPLE)
    assert cov == [0.6666666666666666]
    assert cov[0] >= 0.66
    assert not cov[0] >= 0.7


@pytest.mark.parametrize(
    ("estimator", "normalize", "expected"),
    [
        ("median", False, 6.5),
        ("median", True, 3.0),
        ("average", False, 6.5),
        ("average", True, 13 / 3),
        ("sum", False, 13.0),
        ("sum", True, 13 / 3),
        ("min", False, 6.0),
        ("min", True, 6.0),
    ],
)
def test_estimator_table(estimator: str, normalize: bool, expected: float) -> None:
    _, ab = run(MX01, SAMPLE, estimator, normalize)
    assert math.isclose(ab[0], expected, rel_tol=1e-15)


def test_zero_median_rule() -> None:
    text = "MZ\tzero median\nK1\nK2\nK3\nK4\nK5\n///\n"
    sample = {"K1": 5.0, "K2": 8.0}
    cov, ab = run(text, sample)
    assert cov == [0.4] and ab == [6.5]
    _, ab_n = run(text, sample, normalize=True)
    assert ab_n == [5.0]  # median{5,8,0,0,0} = 0 -> smallest positive


def test_min_first_step_quirk_depends_on_step_order() -> None:
    sample = {"K1": 2.0, "K2": 5.0, "K3": 9.0}
    _, ab = run("MQ\tq\nK1,K2\nK3\n///\n", sample, "min")
    assert ab == [5.0]  # last positive subunit of the first observed step wins
    _, ab_swapped = run("MQ\tq\nK3\nK1,K2\n///\n", sample, "min")
    assert ab_swapped == [2.0]


def test_auto_cutoff_example() -> None:
    pooled = np.array([1.0] * 5 + [0.75] * 2 + [0.5] * 9 + [0.25] * 4)
    assert auto_cutoff([pooled]) == 0.75


def test_distribute_example_single_listing() -> None:
    text = "A\ta\nKX\nKY\n///\nB\tb\nKX\tKZ\n///\n"
    _, ab = run(text, {"KX": 12.0, "KY": 3.0}, "average", distribute=True)
    assert ab == [4.5, 6.0]


def test_distribute_example_repeated_listing_only_last_divided() -> None:
    text = "A\ta\nKX\nKX,KY\n///\nB\tb\nKX\tKZ\n///\n"
    _, ab = run(text, {"KX": 12.0, "KY": 3.0}, "average", distribute=True)
    assert ab == [7.75, 4.0]


def test_readme_example_errors_are_not_reproduced() -> None:
    # Omixer-RPM README: 5 steps with values 10, 8, 5, 2 and one missing step.
    # It claims 5 = 25/5; that is `average -n`. The default median is 6.5.
    text = "MR\tr\nR1\nR2\nR3\nR4\nR5\n///\n"
    sample = {"R1": 10.0, "R2": 8.0, "R3": 5.0, "R4": 2.0}
    assert run(text, sample)[1] == [6.5]
    assert run(text, sample, "average")[1] == [6.25]
    assert run(text, sample, "average", normalize=True)[1] == [5.0]


def test_complex_counts_as_observed_when_any_subunit_present() -> None:
    cov, ab = run("MC\tc\nK1,K2,K3\n///\n", {"K1": 0.0, "K2": 0.0, "K3": 3.0})
    assert cov == [1.0] and ab == [1.0]


def test_no_observed_step_gives_nan_for_every_estimator() -> None:
    for est in ("median", "average", "sum", "min"):
        for n in (False, True):
            cov, ab = run("MN\tn\nK1\nK2\n///\n", {"K1": 0.0, "K3": 1.0}, est, n)
            assert cov == [0.0] and math.isnan(ab[0])


def test_ids_are_case_sensitive_and_space_is_not_a_separator() -> None:
    mods = parse_modules("MS\ts\nK00844 K00845\n///\n")
    assert mods[0].steps == ((("K00844 K00845",),),)
    cov, _ = run("MS\ts\nK00844 K00845\tk1\n///\n", {"K00844": 1.0, "K1": 1.0})
    assert cov == [0.0]


def test_module_not_in_input_at_all_scores_zero_coverage() -> None:
    c = compile_modules([Module("M", "m", ((("KQ",),),))], ["KA"])
    s = score_modules(c, np.array([[1.0, 2.0]]))
    assert s.coverage.tolist() == [[0.0, 0.0]]
