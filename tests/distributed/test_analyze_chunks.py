"""``gutbrain analyze`` over chunks of samples: a LocalCluster (2 workers × 1 thread) and
in-process chunks smaller than the run write the same bytes as the single-process run; the
table-wide decisions are made once; the chunk plan is deterministic; clear option errors.

Data: the bundled real examples (``darzi2016_ko_profile.tsv``: 2 KO profiles;
``hmp2_nonibd_metaphlan4.tsv``: 1 MetaPhlAn 4 sample), tiled into more samples with new ids
(each new sample a different mix or rotation of the real values, so a misplaced column shows);
``tests/data/taxonomic/greengenes_counts.csv`` for the table-wide decisions. No shared data.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from gutbrain.cli.main import app
from gutbrain.errors import OptionError
from gutbrain.io.taxonomic import read_taxon_profile
from gutbrain.knowledge.examples import example_file
from gutbrain.pipeline.analyze import AnalyzeRequest, run_analyze
from gutbrain.pipeline.features import plan_components, select_samples

pytest.importorskip("distributed")

import gutbrain.distributed
from gutbrain.distributed import (
    ChunkedProfiler,
    check_profiling_options,
    dask_client,
    plan_sample_chunks,
)

KO = Path(str(example_file("ko-profile")))
TAXA = Path(str(example_file("taxon-profile")))
GREENGENES = Path(__file__).parents[1] / "data" / "taxonomic" / "greengenes_counts.csv"
#: 11 ids: two pairs whose file names collide ('a/b', 'a_b' → a_b.json, a_b_.json), a dot
IDS = ("S01", "a/b", "S03", "S04", "a_b", "S.06", "S07", "S08", "S09", "a:b", "S11")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """One LocalCluster of 2 worker processes × 1 thread for the module (~2-4 s to start)."""
    with dask_client(workers=2) as c:
        yield c


def _read_tsv(path: Path) -> tuple[str, list[str], np.ndarray]:
    lines = path.read_text().splitlines()
    corner = lines[0].split("\t")[0]
    rows = [line.split("\t") for line in lines[1:]]
    return corner, [r[0] for r in rows], np.array([[float(x) for x in r[1:]] for r in rows])


def _write_tsv(path: Path, corner: str, rows: list[str], ids: tuple[str, ...], x: Any) -> Path:
    text = "\t".join((corner, *ids)) + "\n"
    text += "".join(
        r + "\t" + "\t".join(repr(float(v)) for v in x[i]) + "\n" for i, r in enumerate(rows)
    )
    path.write_text(text)
    return path


def tiled_ko(path: Path, ids: tuple[str, ...]) -> Path:
    """Sample i: a mix w·S1 + (1 − w)·S2 of the two real profiles, a fifth of the KOs zeroed."""
    corner, rows, x = _read_tsv(KO)
    out = np.empty((len(rows), len(ids)))
    for i in range(len(ids)):
        w = (i + 1) / (len(ids) + 1)
        keep = (np.arange(len(rows)) * 7 + i) % 5 != 0
        out[:, i] = np.round(w * x[:, 0] + (1 - w) * x[:, 1], 6) * keep
    return _write_tsv(path, corner, rows, ids, out)


def tiled_taxa(path: Path, ids: tuple[str, ...]) -> Path:
    """Sample i: the real sample's abundances rotated by i species (the same values, another
    species each); the last sample keeps only the top quarter of them."""
    corner, rows, x = _read_tsv(TAXA)
    out = np.column_stack([np.roll(x[:, 0], 3 * i) for i in range(len(ids))])
    out[out[:, -1] < np.quantile(out[:, -1], 0.75), -1] = 0.0
    return _write_tsv(path, corner, rows, ids, out)


def outputs(outdir: Path) -> dict[str, bytes]:
    """Every output file's bytes; summary.json with the output folder masked."""
    files = {
        str(p.relative_to(outdir)): p.read_bytes() for p in sorted(outdir.rglob("*")) if p.is_file()
    }
    files["summary.json"] = files["summary.json"].replace(str(outdir).encode(), b"OUT")
    return files


def three_runs(client: Any, inputs: tuple[Path, ...], tmp: Path, **kw: Any) -> dict[str, bytes]:
    """Single process, in-process chunks of 2 and cluster chunks of 3 (and 1): the same bytes."""
    runs = {
        "single": None,
        "local2": ChunkedProfiler(None, chunk_size=2),
        "cluster3": ChunkedProfiler(client, chunk_size=3),
        "cluster1": ChunkedProfiler(client, chunk_size=1),
    }
    results = {}
    for name, runner in runs.items():
        run_analyze(AnalyzeRequest(inputs, tmp / name, **kw), None, runner)
        results[name] = outputs(tmp / name)
    single = results.pop("single")
    assert len([k for k in single if k.startswith("profiles/")]) >= 3
    for name, files in results.items():
        assert files.keys() == single.keys(), name
        different = [k for k in single if files[k] != single[k]]
        assert not different, f"{name}: {different[:5]}"
    return single


def test_functional_input(client: Any, tmp_path: Path) -> None:
    ko = tiled_ko(tmp_path / "ko.tsv", IDS)
    files = three_runs(client, (ko,), tmp_path)
    assert {"profiles/a_b.json", "profiles/a_b_.json", "profiles/a_b__.json"} <= files.keys()
    assert files["mechanisms.tsv"].count(b"\n") == len(IDS) + 1


def test_taxonomic_input(client: Any, tmp_path: Path) -> None:
    taxa = tiled_taxa(tmp_path / "taxa.tsv", IDS)
    files = three_runs(client, (taxa,), tmp_path)
    assert files["components.tsv"].count(b"\n") > 10 * len(IDS)


def test_taxonomic_and_functional_pair(client: Any, tmp_path: Path) -> None:
    taxa = tiled_taxa(tmp_path / "taxa.tsv", IDS)
    ko = tiled_ko(tmp_path / "ko.tsv", IDS[::-1])  # the same ids, in another column order
    three_runs(client, (taxa, ko), tmp_path)


def test_selected_and_repeated_samples(client: Any, tmp_path: Path) -> None:
    ko = tiled_ko(tmp_path / "ko.tsv", IDS)
    files = three_runs(client, (ko,), tmp_path, samples=("S09", "S01", "S09", "a/b"))
    assert sorted(k for k in files if k.startswith("profiles/")) == [
        "profiles/S01.json",
        "profiles/S09.json",
        "profiles/S09_.json",
        "profiles/a_b.json",
    ]


def test_table_wide_decisions_are_made_once(client: Any, tmp_path: Path) -> None:
    """The first samples are mostly genus-level and integer, the last has a fractional count:
    per chunk, the resolution (hence the reference) and Chao1 would be decided otherwise."""
    lines = GREENGENES.read_text().splitlines()
    # features: F. prausnitzii, Bacteroides (genus only), A. muciniphila, Bacteroides, Unassigned
    counts = [[1, 300, 0, 5, 2], [2, 250, 1, 0, 1], [120, 3, 50, 0, 2], [90, 1, 80, 2, 0]]
    counts += [[40, 10, 55, 0, 1], [30, 2, 70, 0, 0], [60, 5, 40.5, 1, 1]]
    ids = [f"G{i}" for i in range(len(counts))]
    text = ",".join(["taxonomy", *ids]) + "\n"
    for i, line in enumerate(lines[1:]):
        text += line.split(",")[0] + "," + ",".join(str(c[i]) for c in counts) + "\n"
    path = tmp_path / "gg.csv"
    path.write_text(text)
    profile = read_taxon_profile(path)
    assert profile.kind == "counts"
    whole, head = plan_components(profile), plan_components(select_samples(profile, [0, 1]))
    assert (whole.resolution, whole.chao1) == ("species", False)
    assert (head.resolution, head.chao1) == ("genus", True)
    three_runs(client, (path,), tmp_path)


def test_chunk_plan_is_deterministic() -> None:
    plan = plan_sample_chunks(10_000, 4_433)
    assert plan == plan_sample_chunks(10_000, 4_433)
    assert plan.bounds[0] == (0, 256) and plan.bounds[-1] == (9_984, 10_000)
    assert [b[0] for b in plan.bounds[1:]] == [b[1] for b in plan.bounds[:-1]]
    assert plan_sample_chunks(10_000, 20_000).bounds[0] == (0, 100)  # wide inputs: fewer samples
    assert plan_sample_chunks(7, 53, chunk_size=3).bounds == ((0, 3), (3, 6), (6, 7))
    assert plan_sample_chunks(0, 53).bounds == ()
    # the plan does not depend on where it runs
    assert ChunkedProfiler(None, 3).plan(7, 53) == ChunkedProfiler(object(), 3).plan(7, 53)  # type: ignore[arg-type]


runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_cluster_and_chunk_size(
    client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--workers through the CLI (on the module's cluster) and --chunk-size alone."""
    ko = tiled_ko(tmp_path / "ko.tsv", IDS)
    asked: list[tuple[Any, Any]] = []

    @contextmanager
    def fixture_client(workers: Any = None, scheduler: Any = None) -> Iterator[Any]:
        asked.append((workers, scheduler))
        yield client

    monkeypatch.setattr(gutbrain.distributed, "dask_client", fixture_client)
    code, _, err = invoke(
        "analyze", ko, "-o", tmp_path / "w", "--workers", "2", "--chunk-size", "4"
    )
    assert code == 0, err
    assert asked == [(2, None)]
    code, _, err = invoke("analyze", ko, "-o", tmp_path / "c", "--chunk-size", "5")
    assert code == 0, err
    code, _, err = invoke("analyze", ko, "-o", tmp_path / "s")
    assert code == 0, err
    single = outputs(tmp_path / "s")
    assert outputs(tmp_path / "w") == single and outputs(tmp_path / "c") == single


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("--workers", "2", "--scheduler", "tcp://127.0.0.1:1"), "both --workers and --scheduler"),
        (("--workers", "0"), "--workers must be at least 1"),
        (("--chunk-size", "0"), "--chunk-size must be at least 1"),
        (("--workers", "1", "--chunk-size", "-3"), "--chunk-size must be at least 1"),
    ],
)
def test_option_errors(args: tuple[str, ...], match: str, tmp_path: Path) -> None:
    code, _, err = invoke("analyze", KO, "-o", tmp_path, *args)
    assert code == 2
    assert match in err and "fix:" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "profiles").exists()


def test_dask_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(OptionError, match=r"needs Dask.*pip install 'gutbrain\[dask\]'"):
        check_profiling_options(2, None, None)
    code, _, err = invoke("analyze", KO, "-o", tmp_path, "--workers", "2")
    assert code == 2 and "pip install 'gutbrain[dask]'" in err


def test_unreachable_scheduler(tmp_path: Path) -> None:
    with socket.socket() as s:  # a free port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = invoke("analyze", KO, "-o", tmp_path, "--scheduler", f"tcp://127.0.0.1:{port}")
    assert code == 2
    assert "cannot reach the Dask scheduler" in err and f"127.0.0.1:{port}" in err
