"""Dask scale-out of ``gutbrain cohort``: a LocalCluster (2 workers × 1 thread) gives the same
results, bit for bit, as the in-process run with the same chunk plan; the plan is deterministic;
clear errors for an unreachable scheduler, a model that cannot be distributed and missing Dask.

Peer data: ``../shared/data/maaslin2_hmp2`` (MaAsLin2 1.15.1 HMP2 example, MIT; skipped when
absent). The synthetic-table tests need no shared data, so the cluster path always runs in CI.
"""

from __future__ import annotations

import importlib.util
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from gutbrain.cli.main import app
from gutbrain.core.stats import fit_maaslin2
from gutbrain.core.stats.fdr import benjamini_hochberg
from gutbrain.errors import OptionError
from gutbrain.pipeline.cohort import CohortRequest, check_request

pytest.importorskip("distributed")

from gutbrain.distributed import ChunkedFitter, dask_client, plan_chunks

RUN1: dict[str, Any] = {
    "fixed": ["diagnosis", "dysbiosisnonIBD", "dysbiosisUC", "dysbiosisCD", "antibiotics", "age"],
    "random": ["site", "subject"],
    "reference": "diagnosis,nonIBD",
    "transform": "AST",
    "standardize": False,
}


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """One LocalCluster of 2 worker processes × 1 thread for the module (~2-4 s to start)."""
    with dask_client(workers=2) as c:
        yield c


@pytest.fixture(scope="module")
def synthetic() -> tuple[pd.DataFrame, pd.DataFrame]:
    """400 samples × 150 sparse count features, a 3-level group and a numeric covariate."""
    rng = np.random.default_rng(20261126)
    n, m = 400, 150
    ids = [f"S{i:03d}" for i in range(n)]
    meta = pd.DataFrame(
        {"group": rng.choice(["ctl", "mdd", "ibs"], size=n), "age": rng.normal(45, 12, size=n)},
        index=ids,
    )
    lam = rng.gamma(0.5, 20.0, size=m) * np.where(meta["group"].eq("mdd"), 1.5, 1.0)[:, None]
    counts = rng.poisson(lam) * (rng.random((n, m)) < 0.6)
    return pd.DataFrame(counts.astype(float), index=ids, columns=[f"f{j}" for j in range(m)]), meta


def _both(client: Any, chunk_size: int, **kwargs: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    local = fit_maaslin2(**kwargs, fit_problem=ChunkedFitter(None, chunk_size=chunk_size))
    remote = fit_maaslin2(**kwargs, fit_problem=ChunkedFitter(client, chunk_size=chunk_size))
    return local, remote


def test_ols_cluster_equals_in_process(
    client: Any, synthetic: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    features, meta = synthetic
    args = {"features": features, "metadata": meta, "fixed": ["group", "age"]}
    local, remote = _both(client, 37, reference="group,ctl", **args)  # 5 chunks, last one short
    assert len(local) % 3 == 0 and len(local) > 300  # 3 rows per feature kept by the filter
    pd.testing.assert_frame_equal(local, remote, check_exact=True)
    for col in ("coef", "stderr", "pval", "qval"):
        assert np.array_equal(local[col].to_numpy(), remote[col].to_numpy(), equal_nan=True)
    # one BH over all pooled rows, as the single-process run
    assert np.array_equal(local["qval"].to_numpy(), benjamini_hochberg(local["pval"].to_numpy()))
    # and the same numbers (to rounding) as fitting every feature at once
    whole = fit_maaslin2(reference="group,ctl", **args)
    pd.testing.assert_frame_equal(whole, local, check_exact=False, rtol=1e-10, atol=1e-300)


def test_mixed_model_cluster_equals_in_process_hmp2(client: Any, shared: Path) -> None:
    path = shared / "data" / "maaslin2_hmp2"
    if not path.is_dir():
        pytest.skip("MaAsLin2 HMP2 peer data not available")
    features = pd.read_csv(path / "HMP2_taxonomy.tsv", sep="\t", index_col=0)
    metadata = pd.read_csv(path / "HMP2_metadata.tsv", sep="\t", index_col=0)
    # samples are rows: keep 18 of the 87 taxa to bound the runtime (3 chunks of 6)
    subset = features.iloc[:, :18] if features.shape[0] > features.shape[1] else features.iloc[:18]
    local, remote = _both(client, 6, features=subset, metadata=metadata, **RUN1)
    assert len(local) == 18 * 7
    pd.testing.assert_frame_equal(local, remote, check_exact=True)
    assert np.isfinite(local["pval"]).all()


def test_chunk_plan_is_deterministic_and_covers_every_feature() -> None:
    for n, m, mixed, size in [(10_000, 10_000, False, None), (87, 1_000, True, None), (5, 7, 0, 3)]:
        plan = plan_chunks(n, m, mixed=bool(mixed), chunk_size=size)
        assert plan == plan_chunks(n, m, mixed=bool(mixed), chunk_size=size)
        covered = [j for a, b in plan.bounds for j in range(a, b)]
        assert covered == list(range(m))
        assert all(b > a for a, b in plan.bounds)
    assert plan_chunks(100, 0).bounds == ()
    assert plan_chunks(10**9, 3).bounds == ((0, 1), (1, 2), (2, 3))  # at least one column


def test_fitter_plan_does_not_depend_on_the_client(
    client: Any, synthetic: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    from gutbrain.core.stats.maaslin2 import prepare_maaslin2

    features, meta = synthetic
    problem = prepare_maaslin2(features, meta, ["group", "age"], reference="group,ctl")
    assert problem is not None
    assert ChunkedFitter(client).plan(problem) == ChunkedFitter(None).plan(problem)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_unreachable_scheduler_is_one_clear_error() -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    with (
        pytest.raises(OptionError, match=r"cannot reach the Dask scheduler.*fix: start one") as exc,
        dask_client(scheduler=address, timeout=1),
    ):
        pass
    assert address in str(exc.value)


def test_cli_unreachable_scheduler(
    synthetic: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    features, meta = synthetic
    features.to_csv(tmp_path / "f.tsv", sep="\t")
    meta.to_csv(tmp_path / "m.tsv", sep="\t")
    address = f"tcp://127.0.0.1:{_free_port()}"
    result = CliRunner().invoke(
        app,
        [
            *(
                "cohort",
                str(tmp_path / "f.tsv"),
                str(tmp_path / "m.tsv"),
                "-o",
                str(tmp_path / "o"),
            ),
            *("--fixed", "group,age", "--reference", "group,ctl", "--scheduler", address),
        ],
    )
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert message.startswith("gutbrain: error: ")
    assert address in message and "cannot reach the Dask scheduler" in message
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o" / "all_results.tsv").exists()


def test_cli_workers_gives_the_in_process_results(
    synthetic: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    features, meta = synthetic
    features.to_csv(tmp_path / "f.tsv", sep="\t")
    meta.to_csv(tmp_path / "m.tsv", sep="\t")
    base = ["cohort", str(tmp_path / "f.tsv"), str(tmp_path / "m.tsv")]
    opts = ["--fixed", "group,age", "--reference", "group,ctl"]
    runner = CliRunner()
    one = runner.invoke(app, [*base, "-o", str(tmp_path / "a"), *opts])
    two = runner.invoke(app, [*base, "-o", str(tmp_path / "b"), *opts, "--workers", "1"])
    assert one.exit_code == 0 and two.exit_code == 0, two.stderr
    a = pd.read_csv(tmp_path / "a" / "all_results.tsv", sep="\t")
    b = pd.read_csv(tmp_path / "b" / "all_results.tsv", sep="\t")
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("model", ["maaslin3", "wilcoxon"])
def test_workers_only_with_lm(model: str, tmp_path: Path) -> None:
    request = CohortRequest(
        tmp_path / "f.tsv", tmp_path / "m.tsv", tmp_path, ("g",), model=model, workers=2
    )
    with pytest.raises(OptionError, match=f"not available with --model {model}.*fix:"):
        check_request(request)


def test_dask_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name)
    )
    request = CohortRequest(tmp_path / "f.tsv", tmp_path / "m.tsv", tmp_path, ("g",), workers=2)
    with pytest.raises(OptionError, match=r"needs Dask.*pip install 'gutbrain\[dask\]'"):
        check_request(request)
