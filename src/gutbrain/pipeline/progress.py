"""Progress reporting from long jobs (the CLI draws bars from it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

__all__ = ["ProgressSink", "tick"]


class ProgressSink(Protocol):
    """Receives progress of long steps."""

    def start(self, description: str, total: int) -> Callable[[int], None]:
        """Begin a step of ``total`` units; return the function to call with units done."""
        ...


def tick(progress: ProgressSink | None, description: str, total: int) -> Callable[[int], None]:
    """A step's advance function, or a no-op without a sink.

    >>> tick(None, "x", 10)(3)
    """
    if progress is None:
        return lambda n: None
    return progress.start(description, total)
