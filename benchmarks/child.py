"""Run a benchmark script again as a child process, so each measurement starts from a fresh
interpreter (imports, caches and peak memory of its own); the child prints its result as
JSON on its last line of output."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["run_child"]


def run_child(script: str, *args: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``python SCRIPT --child ARGS…``; the JSON object on the child's last stdout line."""
    done = subprocess.run(
        [sys.executable, script, "--child", *args],
        check=True,
        capture_output=True,
        text=True,
        env=None if env is None else dict(env),
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
