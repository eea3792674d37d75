"""MaAsLin3 parity on its own HMP2 example (COHORT_STATS.md §2.7) and behaviour checks.

Peer data: ``../shared/data/maaslin3_hmp2`` (MaAsLin 3 0.99.1 inputs and its expected
``significant_results.tsv``, MIT; see that folder's README.md). Skipped when absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gutbrain.core.stats import MAASLIN3_COLUMNS, fit_maaslin3
from gutbrain.errors import InputError, OptionError

KEY = ["feature", "name", "model"]
LEVELS = {
    "diagnosis": ["nonIBD", "UC", "CD"],
    "dysbiosis_state": ["none", "dysbiosis_UC", "dysbiosis_CD"],
    "antibiotics": ["No", "Yes"],
}


@pytest.fixture(scope="module")
def hmp2(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    path = shared / "data" / "maaslin3_hmp2"
    if not path.is_dir():
        pytest.skip("MaAsLin3 HMP2 peer data not available")
    got = fit_maaslin3(
        pd.read_csv(path / "HMP2_taxonomy.tsv", sep="\t", index_col=0),
        pd.read_csv(path / "HMP2_metadata.tsv", sep="\t", index_col=0),
        ["diagnosis", "dysbiosis_state", "antibiotics", "age", "reads"],
        levels=LEVELS,
        max_significance=0.1,
        significant_only=True,
    )
    expected = pd.read_csv(path / "expected" / "expected_results_run1.tsv", sep="\t")
    # the expected file has two all-NA rows, an R artefact (COHORT_STATS §2.5)
    return got, expected.dropna(subset=["feature"]).reset_index(drop=True)


def test_hmp2_parity(hmp2: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    got, expected = hmp2
    assert list(got.columns) == [c for c in MAASLIN3_COLUMNS if c != "error"]
    assert len(got) == len(expected) == 1375
    # identical rows in identical order
    assert (got[KEY].to_numpy() == expected[KEY].to_numpy()).all()
    assert (
        got[["metadata", "value"]].to_numpy() == expected[["metadata", "value"]].to_numpy()
    ).all()
    assert (got["N"] == expected["N"]).all()
    assert (got["N_not_zero"] == expected["N_not_zero"]).all()
    # measured: coef 8e-14 abs (4e-12 rel), stderr 3e-14 rel
    np.testing.assert_allclose(got["coef"], expected["coef"], rtol=1e-10)
    np.testing.assert_allclose(got["stderr"], expected["stderr"], rtol=1e-10)
    # p and q: R computes 1 - P(|T| <= t), so its tiny p-values are off by up to 1.2e-16
    # absolute (measured max abs difference 6e-14 over all p/q columns)
    for col in ("pval_individual", "qval_individual", "pval_joint", "qval_joint"):
        np.testing.assert_allclose(got[col], expected[col], rtol=1e-9, atol=1e-12)


def test_hmp2_significance_rule(hmp2: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    got, _ = hmp2
    assert (got["qval_joint"].le(0.1) | got["qval_individual"].le(0.1)).all()


@pytest.fixture
def small() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(4)
    n = 60
    md = pd.DataFrame(
        {"grp": rng.choice(["ctl", "case"], n), "age": rng.normal(50, 9, n)},
        index=[f"s{i}" for i in range(n)],
    )
    counts = rng.poisson(8, (n, 5)) * (rng.random((n, 5)) < 0.6)
    counts[:, 4] = 0
    counts[md["grp"].eq("ctl").to_numpy(), 3] = 0  # present only in cases
    counts[:3, 4] = [1, 2, 3]  # present in three samples
    ft = pd.DataFrame(counts, index=md.index, columns=[f"f{i}" for i in range(5)], dtype=float)
    return ft, md


def test_structure_and_errors_rows(small: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    ft, md = small
    res = fit_maaslin3(ft, md, ["grp", "age"], levels={"grp": ["ctl", "case"]})
    assert tuple(res.columns) == MAASLIN3_COLUMNS
    ab = res[res["model"] == "abundance"].set_index(["feature", "name"])
    # f3 is present only in cases: its reference level has no non-zero sample
    assert ab.loc[("f3", "grpcase"), "error"] == "No data points have the baseline factor level"
    assert np.isnan(ab.loc[("f3", "grpcase"), "pval_individual"])
    assert (res["N"] == 60).all()
    nz = (ft > 0).sum()
    for (feature, _), row in ab.iterrows():
        assert row["N_not_zero"] == nz[feature]
    # q-values: one BH over both models; joint p = m(2 - m)
    ok = res["error"].eq("") & res["pval_individual"].notna()
    assert res.loc[ok, "qval_individual"].notna().all()
    both = res.pivot_table(index=["feature", "name"], columns="model", values="pval_joint")
    assert np.allclose(both["abundance"], both["prevalence"], equal_nan=True)


def test_reproducible_and_seeded(small: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    ft, md = small
    a = fit_maaslin3(ft, md, ["grp", "age"], levels={"grp": ["ctl", "case"]})
    b = fit_maaslin3(ft, md, ["grp", "age"], levels={"grp": ["ctl", "case"]})
    pd.testing.assert_frame_equal(a, b)
    c = fit_maaslin3(ft, md, ["grp", "age"], levels={"grp": ["ctl", "case"]}, seed=2)
    ab_a = a[a["model"] == "abundance"]["pval_individual"].to_numpy()
    ab_c = c[c["model"] == "abundance"]["pval_individual"].to_numpy()
    assert not np.allclose(ab_a, ab_c, equal_nan=True)  # Monte-Carlo part depends on the seed


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"normalization": "CLR"}, OptionError, "unknown normalisation for MaAsLin3; found 'CLR'"),
        ({"transform": "AST"}, OptionError, "unknown transform for MaAsLin3; found 'AST'"),
        ({"fixed": ["grp", "bmi"]}, OptionError, "fixed effect\\(s\\) not found.*found 'bmi'"),
    ],
)
def test_errors(
    small: tuple[pd.DataFrame, pd.DataFrame],
    kwargs: dict[str, object],
    error: type[Exception],
    match: str,
) -> None:
    ft, md = small
    args: dict[str, object] = {"fixed": ["grp", "age"], **kwargs}
    with pytest.raises(error, match=match):
        fit_maaslin3(ft, md, **args)  # type: ignore[arg-type]


def test_no_common_samples(small: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    ft, md = small
    with pytest.raises(InputError, match="no sample in common"):
        fit_maaslin3(ft, md.set_axis([f"x{i}" for i in range(len(md))]), ["grp"])


def test_normalise_then_filter(small: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    ft, md = small
    ft = ft.assign(one=0.0, flat=0.0)
    ft.loc["s0", "one"] = 5.0  # a single non-zero value: no variance among present values
    ft.loc[["s0", "s1"], "flat"] = [2.0, 2.0]  # two equal raw values, but TSS makes them differ
    res = fit_maaslin3(ft, md, ["grp", "age"], levels={"grp": ["ctl", "case"]})
    assert "one" not in set(res["feature"])
    assert "flat" in set(res["feature"])
    strict = fit_maaslin3(ft, md, ["grp", "age"], levels={"grp": ["ctl", "case"]},
                          min_prevalence=0.5)  # fmt: skip
    nz = (ft > 0).sum()
    assert set(strict["feature"]) == set(nz[nz > 30].index)
