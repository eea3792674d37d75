"""Run the analysis of an upload in a child process with a time limit and a memory cap.

A hostile or simply enormous table must not take the worker down with it: the child gets an
address-space limit of what it already uses plus ``extra_memory_mb``; the worker waits at most
``seconds`` and then kills it. The child never touches the database; it sends back the return
value, or the message of a gutbrain error, through a pipe.

The child is *spawned* (a fresh interpreter), not forked: the worker has threads (polars' pool,
the task runner), and a forked copy of a threaded process can wait forever on a lock that a
thread held at the moment of the fork. So ``fn`` must be a module-level function and ``arg``
picklable.
"""

from __future__ import annotations

import multiprocessing
import resource
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from gutbrain.errors import GutBrainError
from gutbrain.web.results.checks import UploadRejectedError

__all__ = ["AnalysisCrashedError", "run_limited"]

T = TypeVar("T")
A = TypeVar("A")

TOO_SLOW = (
    "The analysis took longer than {minutes:g} minutes and was stopped: expected a stool-test "
    "table of usual size. Check that the file holds one profile table, or split it."
)
TOO_BIG = (
    "The analysis needed more memory than the {mb} MB allowed and was stopped: expected a "
    "stool-test table of usual size. Split the table, or ask the practice owner to raise "
    "GUTBRAIN_ANALYSIS_MEMORY_MB."
)


class AnalysisCrashedError(RuntimeError):
    """The child failed unexpectedly; the message holds its traceback (for the log only)."""


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    return pages * resource.getpagesize()


def _child(fn: Callable[[A], Any], arg: A, pipe: Connection, extra_bytes: int) -> None:
    try:
        limit = _address_space() + extra_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError):
        pass  # no /proc or no limits here: run without the cap
    try:
        outcome: tuple[str, Any] = ("ok", fn(arg))
    except (UploadRejectedError, GutBrainError) as exc:
        outcome = ("rejected", str(exc))
    except MemoryError:
        outcome = ("memory", "")
    except BaseException:
        outcome = ("crashed", traceback.format_exc())
    try:
        pipe.send(outcome)
    except MemoryError:
        pipe.send(("memory", ""))
    finally:
        pipe.close()


def run_limited(fn: Callable[[A], T], arg: A, *, seconds: float, extra_memory_mb: int) -> T:
    """``fn(arg)`` in a spawned child; its gutbrain errors come back as :class:`UploadRejectedError`
    with their message, a timeout or memory exhaustion as one with :data:`TOO_SLOW` /
    :data:`TOO_BIG`, anything else as :class:`AnalysisCrashedError`."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(fn, arg, sender, extra_memory_mb << 20), daemon=True
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise UploadRejectedError(TOO_SLOW.format(minutes=seconds / 60))
        try:
            kind, value = receiver.recv()
        except EOFError:  # killed, e.g. by the kernel for memory
            raise UploadRejectedError(TOO_BIG.format(mb=extra_memory_mb)) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if kind == "ok":
        result: T = value
        return result
    if kind == "rejected":
        raise UploadRejectedError(value)
    if kind == "memory":
        raise UploadRejectedError(TOO_BIG.format(mb=extra_memory_mb))
    raise AnalysisCrashedError(value)
