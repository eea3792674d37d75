"""Where a job's chunks of samples run: the interface of an executor, and the default one.

``gutbrain analyze`` splits its samples into consecutive chunks and hands each chunk
to a :class:`ChunkRunner`; the default :class:`OneChunk` runs everything as one chunk
in this process. :class:`gutbrain.distributed.ChunkedProfiler` runs a deterministic
plan of chunks in this process or on a Dask cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol, TypeVar

__all__ = ["ChunkRunner", "OneChunk"]

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
