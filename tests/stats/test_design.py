"""Design matrices: levels, reference, standardisation, missing values, naming, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gutbrain.core.stats.design import build_design, coefficient_terms, parse_reference
from gutbrain.errors import InputError, OptionError


@pytest.fixture
def metadata() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "diagnosis": ["CD", "UC", "nonIBD", "CD", "UC", "nonIBD"],
            "antibiotics": ["No", "Yes", "No", "No", "Yes", None],
            "age": [10.0, 20.0, 30.0, 40.0, np.nan, 60.0],
            "smoker": [True, False, True, False, True, False],
            "site": ["a", "a", "b", "b", "c", "c"],
        }
    )


def test_levels_reference_and_na_rows(metadata: pd.DataFrame) -> None:
    d = build_design(metadata, ["diagnosis", "antibiotics", "age"], ["site"], "diagnosis,nonIBD")
    assert d.columns == ("(Intercept)", "diagnosisCD", "diagnosisUC", "antibioticsYes", "age")
    assert d.rows.tolist() == [True, True, True, True, False, False]
    np.testing.assert_array_equal(
        d.matrix,
        [
            [1, 1, 0, 0, 10],
            [1, 0, 1, 1, 20],
            [1, 0, 0, 0, 30],
            [1, 1, 0, 0, 40],
        ],
    )
    assert d.terms == (
        ("diagnosis", "CD"),
        ("diagnosis", "UC"),
        ("antibiotics", "Yes"),
        ("age", "age"),
    )
    assert [g.tolist() for g in d.groups] == [[0, 0, 1, 1]]


def test_logical_column_is_a_factor(metadata: pd.DataFrame) -> None:
    d = build_design(metadata, ["smoker"])
    assert d.columns == ("(Intercept)", "smokerTRUE")


def test_standardize_like_r_scale(metadata: pd.DataFrame) -> None:
    d = build_design(metadata, ["age"], standardize=True)
    age = metadata["age"].to_numpy()
    ok = age[~np.isnan(age)]
    expected = (ok - ok.mean()) / ok.std(ddof=1)
    np.testing.assert_allclose(d.matrix[:, 1], expected, rtol=1e-14)


def test_reference_string_parsing() -> None:
    assert parse_reference("a,x;b,y;") == {"a": "x", "b": "y"}
    assert parse_reference({"a": "x"}) == {"a": "x"}
    with pytest.raises(OptionError, match="malformed reference; found 'a'"):
        parse_reference("a")


def test_coefficient_terms_longest_prefix() -> None:
    assert coefficient_terms(["dysbiosisYes", "dysbiosisUCYes"], ["dysbiosis", "dysbiosisUC"]) == [
        ("dysbiosis", "Yes"),
        ("dysbiosisUC", "Yes"),
    ]


@pytest.mark.parametrize(
    ("fixed", "random", "reference", "error", "match"),
    [
        (
            ["diagnosis"],
            [],
            None,
            OptionError,
            "fixed effect 'diagnosis': categorical variable with more than two levels needs a "
            "reference; found 3 levels: CD, nonIBD, UC; expected a reference level for it",
        ),
        (
            ["bmi"],
            [],
            None,
            OptionError,
            "fixed effect\\(s\\) not found in the metadata; found 'bmi'; expected one of the "
            "metadata columns: diagnosis, antibiotics, age, smoker, site",
        ),
        (
            ["age"],
            ["subject"],
            None,
            OptionError,
            "random effect\\(s\\) not found in the metadata; found 'subject'",
        ),
        (
            ["diagnosis"],
            [],
            "diagnosis,healthy",
            OptionError,
            "fixed effect 'diagnosis': reference level not found; found 'healthy'; "
            "expected one of the levels CD, nonIBD, UC",
        ),
        (
            ["age"],
            [],
            "diagnosis,CD",
            OptionError,
            "reference given for a variable that is not a fixed effect; found 'diagnosis'",
        ),
        (
            ["age"],
            [],
            "age,10",
            OptionError,
            "reference given for a numeric variable",
        ),
    ],
)
def test_design_errors(
    metadata: pd.DataFrame,
    fixed: list[str],
    random: list[str],
    reference: str | None,
    error: type[Exception],
    match: str,
) -> None:
    with pytest.raises(error, match=match):
        build_design(metadata, fixed, random, reference)


def test_single_level_factor_is_an_input_error(metadata: pd.DataFrame) -> None:
    md = metadata.assign(batch="b1")
    with pytest.raises(InputError, match=r"fewer than two levels.*found levels: b1"):
        build_design(md, ["batch"])


def test_design_does_not_mutate(metadata: pd.DataFrame) -> None:
    before = metadata.copy()
    build_design(metadata, ["age", "diagnosis"], reference="diagnosis,CD", standardize=True)
    pd.testing.assert_frame_equal(metadata, before)
