"""Per-sample profiling (``gutbrain analyze``) over chunks of samples, in-process or on Dask.

:class:`ChunkedProfiler` is a :class:`~gutbrain.pipeline.runner.ChunkRunner`: it splits
the samples by the deterministic :func:`~gutbrain.distributed.chunks.plan_sample_chunks`
plan and runs each chunk with one BLAS thread, one after the other in this process or
as tasks on a Dask cluster. The job's shared part (plans, references, mechanisms) goes
to every worker once; each chunk's slice of the inputs goes to one worker, which sends
back the chunk's profile documents and table rows and writes nothing itself (a remote
worker need not share our disk). At most a few chunks per worker are in flight, and
results are handed back in chunk order, buffering only those that finish early, so
the main process can write them as they come.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from gutbrain.distributed.chunks import plan_sample_chunks
from gutbrain.distributed.engine import one_blas_thread
from gutbrain.errors import OptionError
from gutbrain.pipeline.runner import check_cluster_options, require_dask

if TYPE_CHECKING:
    from distributed import Client, Future

__all__ = ["ChunkedProfiler", "check_profiling_options"]

S = TypeVar("S")
C = TypeVar("C")
R = TypeVar("R")

#: Chunks in flight per worker thread: one running, one waiting.
IN_FLIGHT_PER_THREAD = 2


def check_profiling_options(
    workers: int | None, scheduler: str | None, chunk_size: int | None
) -> None:
    """Reject invalid ``--workers`` / ``--scheduler`` / ``--chunk-size`` values before
    anything is read or started.

    >>> check_profiling_options(2, None, 100)
    >>> check_profiling_options(None, None, 0)
    Traceback (most recent call last):
    ...
    gutbrain.errors.OptionError: --chunk-size must be at least 1; found 0; expected a positive \
number of samples per chunk; fix: e.g. --chunk-size 256, or leave it out for the default plan
    """
    given = check_cluster_options(workers, scheduler)
    if chunk_size is not None and chunk_size < 1:
        raise OptionError(
            "--chunk-size must be at least 1",
            found=str(chunk_size),
            expected="a positive number of samples per chunk",
            fix="e.g. --chunk-size 256, or leave it out for the default plan",
        )
    if given is not None:
        require_dask(given, "profiling")


def _run_chunk(fn: Callable[[S, C], R], shared: S, chunk: C) -> R:
    """One task: ``fn(shared, chunk)`` with one BLAS thread."""
    with one_blas_thread():
        return fn(shared, chunk)


class ChunkedProfiler:
    """Runs a job's sample chunks in this process or on a Dask cluster.

    Parameters
    ----------
    client:
        A Dask client (see :func:`~gutbrain.distributed.engine.dask_client`); ``None``
        runs the chunks one after the other in this process.
    chunk_size:
        Samples per chunk; ``None`` = :func:`plan_sample_chunks`'s rule.

    Examples
    --------
    >>> runner = ChunkedProfiler(chunk_size=2)
    >>> runner.plan(5, 100)
    ((0, 2), (2, 4), (4, 5))
    >>> list(runner.map(lambda k, x: k + x, 10, [1, 2, 3]))
    [11, 12, 13]
    """

    def __init__(self, client: Client | None = None, chunk_size: int | None = None) -> None:
        self.client = client
        self.chunk_size = chunk_size

    def plan(self, n_samples: int, n_features: int) -> Sequence[tuple[int, int]]:
        """The chunks of samples (the same in this process and on a cluster)."""
        return plan_sample_chunks(n_samples, n_features, self.chunk_size).bounds

    def map(self, fn: Callable[[S, C], R], shared: S, chunks: Iterable[C]) -> Iterator[R]:
        """``fn(shared, chunk)`` for every chunk, yielded in chunk order."""
        if self.client is None:
            for chunk in chunks:
                yield _run_chunk(fn, shared, chunk)
        else:
            yield from _on_cluster(self.client, fn, shared, chunks)


def _on_cluster(
    client: Client, fn: Callable[[S, C], R], shared: S, chunks: Iterable[C]
) -> Iterator[R]:
    from distributed import as_completed

    threads = sum(client.nthreads().values()) or 1
    window = max(IN_FLIGHT_PER_THREAD * threads, 2)
    [shared_future] = client.scatter([shared], broadcast=True, hash=False)
    todo = enumerate(chunks)
    index: dict[Future, int] = {}

    def submit() -> Future | None:
        for i, chunk in todo:
            [data] = client.scatter([chunk], hash=False)
            future: Future = client.submit(_run_chunk, fn, shared_future, data, pure=False)
            index[future] = i
            return future
        return None

    try:
        started = [f for f in (submit() for _ in range(window)) if f is not None]
        if not started:
            return
        early: dict[int, Any] = {}
        wanted = 0
        running = as_completed(started, loop=client.loop)
        for future in running:
            early[index.pop(future)] = future.result()
            future.release()
            more = submit()
            if more is not None:
                running.add(more)
            while wanted in early:
                result: R = early.pop(wanted)
                yield result
                wanted += 1
    finally:  # an error here or in the caller: stop the chunks still running
        if index:
            client.cancel(list(index))
