"""A small run of the load benchmark (``benchmarks/bench_web_load.py``): ``gutbrain serve``,
the real sign-in with a TOTP code, copied sessions, 200 dashboard and 200 health-check requests
over 4 connections. Only correctness is asserted (every response 200, nothing in the server log);
speed is the benchmark's business, never a test's.

It serves from SQLite in a temporary folder, or, under ``tools/pg_test_server.sh run`` (``make
test-postgres``), from that throwaway PostgreSQL database (``THROWAWAY_DATABASE_URL``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_web_load.py"


def test_dashboard_under_concurrent_load_answers_every_request(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    argv = [sys.executable, str(BENCH), "--requests", "200", "--warmup", "20"]
    argv += ["--connections", "4", "--clients", "10", "--sessions", "4", "--tool", "python"]
    argv += ["--out", str(out), "--fail-on-errors"]
    throwaway = os.environ.get("THROWAWAY_DATABASE_URL", "").strip()
    if throwaway:
        argv += ["--database-url", throwaway]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(out.read_text())
    assert report["database"].startswith("PostgreSQL" if throwaway else "SQLite")
    for name in ("floor", "dashboard"):
        assert report["summary"][name]["responses"] == 200
        assert report["summary"][name]["errors"] == 0
    assert report["server_log"] == {"tracebacks": 0, "database_locked": 0}
