"""Deterministic chunk plans: which features (columns) each task fits, or which samples
each task profiles.

A plan depends only on the problem's shape and model, never on the number of
workers, so a run on one process and a run on a cluster work on the same chunks.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "MIXED_CHUNK",
    "OLS_CHUNK_ELEMENTS",
    "PROFILE_CHUNK",
    "PROFILE_CHUNK_ELEMENTS",
    "ChunkPlan",
    "plan_chunks",
    "plan_sample_chunks",
]

#: Per OLS task: about this many response values (8 M float64 = 64 MB).
OLS_CHUNK_ELEMENTS = 8_000_000
#: Features per task for random-intercept models (one REML fit costs 10–200 ms).
MIXED_CHUNK = 64
#: Samples per profiling task, at most (a task of 256 samples takes about half a second).
PROFILE_CHUNK = 256
#: Per profiling task: about this many input values (2 M float64 = 16 MB), for wide inputs.
PROFILE_CHUNK_ELEMENTS = 2_000_000


@dataclass(frozen=True)
class ChunkPlan:
    """Consecutive column ranges ``[start, stop)`` covering ``0 … n_features - 1``
    (``n_features`` counts the columns split: features of a model, or samples of a profile).
    """

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


def plan_sample_chunks(n_samples: int, n_features: int, chunk_size: int | None = None) -> ChunkPlan:
    """Split ``n_samples`` samples into consecutive chunks for ``gutbrain analyze``.

    Parameters
    ----------
    n_samples:
        Samples to profile.
    n_features:
        Input values per sample (the features of all inputs).
    chunk_size:
        Samples per chunk, overriding the rule: :data:`PROFILE_CHUNK` samples, fewer
        when that would exceed about :data:`PROFILE_CHUNK_ELEMENTS` input values.

    No samples give an empty plan. The last chunk may be shorter.

    >>> plan_sample_chunks(1000, 53).bounds
    ((0, 256), (256, 512), (512, 768), (768, 1000))
    >>> plan_sample_chunks(1000, 20_000).bounds[0], plan_sample_chunks(5, 53, chunk_size=2).bounds
    ((0, 100), ((0, 2), (2, 4), (4, 5)))
    """
    if chunk_size is None:
        chunk_size = min(PROFILE_CHUNK, PROFILE_CHUNK_ELEMENTS // max(n_features, 1))
    return plan_chunks(n_samples, n_samples, chunk_size=max(chunk_size, 1))
