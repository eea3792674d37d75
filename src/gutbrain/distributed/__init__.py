"""Dask execution of pipeline steps over chunks of features.

:class:`ChunkedFitter` fits a prepared MaAsLin2 LM problem in column chunks of a
deterministic :func:`plan_chunks` plan, in this process or on a Dask cluster (a
``LocalCluster`` of ``--workers N`` processes × 1 thread, or a running scheduler given
by address), then hands the pooled fits back for one Benjamini–Hochberg adjustment.
Both paths use the same plan and one BLAS thread per fit, so their results are
bitwise identical.
"""

from gutbrain.distributed.chunks import ChunkPlan, plan_chunks
from gutbrain.distributed.engine import ChunkedFitter, dask_client

__all__ = ["ChunkPlan", "ChunkedFitter", "dask_client", "plan_chunks"]
