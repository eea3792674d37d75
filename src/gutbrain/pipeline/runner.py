"""Where a job's chunks of samples run: the interface of an executor, and the default one.

``gutbrain analyze`` splits its samples into consecutive chunks and hands each chunk
to a :class:`ChunkRunner`; the default :class:`OneChunk` runs everything as one chunk
in this process. :class:`gutbrain.distributed.ChunkedProfiler` runs a deterministic
plan of chunks in this process or on a Dask cluster.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol, TypeVar

from gutbrain.errors import OptionError

__all__ = ["ChunkRunner", "OneChunk", "check_cluster_options", "dask_missing", "require_dask"]

S = TypeVar("S")
C = TypeVar("C")
R = TypeVar("R")


class ChunkRunner(Protocol):
    """Plans chunks of samples and runs a function over them."""

    def plan(self, n_samples: int, n_features: int) -> Sequence[tuple[int, int]]:
        """Consecutive ranges ``[start, stop)`` covering ``0 … n_samples - 1``.

        ``n_features`` is the number of input values per sample (all inputs).
        """
        ...

    def map(self, fn: Callable[[S, C], R], shared: S, chunks: Iterable[C]) -> Iterator[R]:
        """``fn(shared, chunk)`` for every chunk, yielded in the order of ``chunks``.

        ``chunks`` is consumed lazily, so that only the chunks being worked on are held.
        """
        ...


class OneChunk:
    """All samples as one chunk, in this process (the default runner).

    >>> runner = OneChunk()
    >>> runner.plan(5, 100), runner.plan(0, 100)
    (((0, 5),), ())
    >>> list(runner.map(lambda k, x: k * x, 10, [1, 2]))
    [10, 20]
    """

    def plan(self, n_samples: int, n_features: int) -> Sequence[tuple[int, int]]:
        return ((0, n_samples),) if n_samples else ()

    def map(self, fn: Callable[[S, C], R], shared: S, chunks: Iterable[C]) -> Iterator[R]:
        for chunk in chunks:
            yield fn(shared, chunk)


def check_cluster_options(workers: int | None, scheduler: str | None) -> str | None:
    """Check ``--workers`` / ``--scheduler`` (the same options for every command that runs
    on Dask); return the one given as written (``--workers N`` / ``--scheduler ADDR``), or
    ``None`` when neither is.

    >>> check_cluster_options(None, None), check_cluster_options(2, None)
    (None, '--workers 2')
    >>> check_cluster_options(0, None)
    Traceback (most recent call last):
    ...
    gutbrain.errors.OptionError: --workers must be at least 1; found 0; expected a positive \
number of worker processes; fix: e.g. --workers 2
    """
    if workers is not None and scheduler is not None:
        raise OptionError(
            "both --workers and --scheduler",
            found=f"--workers {workers} --scheduler {scheduler}",
            expected="one of them: --workers N (local cluster) or --scheduler tcp://HOST:PORT",
            fix="drop one of the two",
        )
    if workers is not None and workers < 1:
        raise OptionError(
            "--workers must be at least 1",
            found=str(workers),
            expected="a positive number of worker processes",
            fix="e.g. --workers 2",
        )
    if workers is not None:
        return f"--workers {workers}"
    return None if scheduler is None else f"--scheduler {scheduler}"


def dask_missing(given: str, work: str) -> OptionError:
    """The error for ``given`` (``--workers N`` / ``--scheduler …``) without Dask installed;
    ``work`` names what would have been distributed (``fitting``, ``profiling``)."""
    return OptionError(
        f"distributed {work} needs Dask, which is not installed",
        found=given,
        expected="the optional Dask dependency (dask[distributed])",
        fix="pip install 'gutbrain[dask]', or run without --workers/--scheduler",
    )


def require_dask(given: str, work: str) -> None:
    """Raise :func:`dask_missing` unless Dask's ``distributed`` can be imported."""
    if importlib.util.find_spec("distributed") is None:
        raise dask_missing(given, work)
