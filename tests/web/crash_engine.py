"""An engine that crashes, for the upload tests: importable (no Django) by the spawned child."""

from __future__ import annotations

from gutbrain.web.results.engine import EngineJob


def crash(job: EngineJob) -> None:
    raise ZeroDivisionError("secret detail")
