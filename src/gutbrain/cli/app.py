"""The typer application, error handling and progress bars shared by all commands."""

from __future__ import annotations

import functools
import os
import traceback
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from gutbrain.errors import GutBrainError

__all__ = ["RichProgress", "app", "err_console", "handle_errors"]

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="gutbrain: gut–brain-axis profiling from microbiome data.",
)
err_console = Console(stderr=True, highlight=False)

#: Columns (samples, or taxon × sample pairs) from which a progress bar is drawn.
PROGRESS_MIN_UNITS = 200


def _fail(message: str, code: int) -> typer.Exit:
    err_console.print(f"gutbrain: error: {message}", markup=False, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn gutbrain errors into one line + exit 2, and hide tracebacks."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except GutBrainError as exc:
            raise _fail(str(exc), 2) from None
        except KeyboardInterrupt:
            raise _fail("interrupted", 130) from None
        except MemoryError:
            raise _fail("out of memory; fix: process fewer samples at a time", 1) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if os.environ.get("GUTBRAIN_DEBUG"):
                traceback.print_exc()
            raise _fail(
                f"internal error ({type(exc).__name__}); this is a gutbrain bug: please "
                "report it with the command you ran (set GUTBRAIN_DEBUG=1 for details)",
                1,
            ) from None

    return wrapper


class RichProgress:
    """Progress sink drawing a bar on stderr for long steps only."""

    def __init__(self, min_units: int = PROGRESS_MIN_UNITS) -> None:
        self.min_units = min_units
        self.progress: Progress | None = None

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def start(self, description: str, total: int) -> Callable[[int], None]:
        if total < self.min_units:
            return lambda n: None
        if self.progress is None:
            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=err_console,
            )
            self.progress.start()
        task: TaskID = self.progress.add_task(description, total=total)
        progress = self.progress
        return lambda n: progress.advance(task, n)
