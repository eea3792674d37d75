"""Application layer: whole jobs shared by the command line and the web app.

Each job reads inputs through :mod:`gutbrain.io`, computes with
:mod:`gutbrain.core` and the knowledge base, and writes through
:mod:`gutbrain.io`. Nothing here prints; progress goes to an optional sink.
"""

from gutbrain.pipeline.modules import ModulesRequest, run_modules
from gutbrain.pipeline.progress import ProgressSink

__all__ = ["ModulesRequest", "ProgressSink", "run_modules"]
