"""Deterministic chunk plans: which features (columns) each task fits.

The plan depends only on the problem's shape and model, never on the number of
workers, so a run on one process and a run on a cluster fit the same chunks.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MIXED_CHUNK", "OLS_CHUNK_ELEMENTS", "ChunkPlan", "plan_chunks"]

#: Per OLS task: about this many response values (8 M float64 = 64 MB).
OLS_CHUNK_ELEMENTS = 8_000_000
#: Features per task for random-intercept models (one REML fit costs 10–200 ms).
MIXED_CHUNK = 64


@dataclass(frozen=True)
class ChunkPlan:
    """Consecutive column ranges ``[start, stop)`` covering ``0 … n_features - 1``."""

    n_features: int
    bounds: tuple[tuple[int, int], ...]

    def __len__(self) -> int:
        return len(self.bounds)


def plan_chunks(
    n_samples: int, n_features: int, mixed: bool = False, chunk_size: int | None = None
) -> ChunkPlan:
    """Split ``n_features`` columns into consecutive chunks of (about) equal size.

    Parameters
    ----------
    n_samples, n_features:
        Shape of the response matrix.
    mixed:
        Random-intercept models: :data:`MIXED_CHUNK` features per chunk; otherwise
        about :data:`OLS_CHUNK_ELEMENTS` values (at least one column) per chunk.
    chunk_size:
        Features per chunk, overriding the rule above.

    No features give an empty plan. The last chunk may be shorter.

    >>> plan_chunks(1000, 10, chunk_size=4).bounds
    ((0, 4), (4, 8), (8, 10))
    >>> len(plan_chunks(10_000, 10_000)), plan_chunks(10_000, 10_000).bounds[0]
    (13, (0, 800))
    """
    if chunk_size is None:
        chunk_size = MIXED_CHUNK if mixed else OLS_CHUNK_ELEMENTS // max(n_samples, 1)
    if chunk_size < 1:
        chunk_size = 1
    bounds = tuple(
        (start, min(start + chunk_size, n_features)) for start in range(0, n_features, chunk_size)
    )
    return ChunkPlan(n_features, bounds)
