"""Dask execution of pipeline steps over chunks of features or samples.

:class:`ChunkedFitter` fits a prepared MaAsLin2 LM problem in column chunks of a
deterministic :func:`plan_chunks` plan, in this process or on a Dask cluster (a
``LocalCluster`` of ``--workers N`` processes × 1 thread, or a running scheduler given
by address), then hands the pooled fits back for one Benjamini–Hochberg adjustment.
Both paths use the same plan and one BLAS thread per fit, so their results are
bitwise identical.

:class:`ChunkedProfiler` runs ``gutbrain analyze``'s per-sample profiling over chunks of
samples (:func:`plan_sample_chunks`) in the same two ways; the output files are
byte-identical to the single-process run's.
"""

from gutbrain.distributed.chunks import ChunkPlan, plan_chunks, plan_sample_chunks
from gutbrain.distributed.engine import ChunkedFitter, dask_client
from gutbrain.distributed.profiling import ChunkedProfiler, check_profiling_options

__all__ = [
    "ChunkPlan",
    "ChunkedFitter",
    "ChunkedProfiler",
    "check_profiling_options",
    "dask_client",
    "plan_chunks",
    "plan_sample_chunks",
]
