"""Benchmark: the practitioner dashboard under load on loopback, against ``/healthz``.

Starts ``gutbrain serve`` (gunicorn, production settings, 2 gthread workers × 4 threads, plain
HTTP on 127.0.0.1) on a free port with a temporary data folder, seeded with a practice whose
practitioner has ``--clients`` client files (each with a result, an assessment and a published
plan). The practitioner signs in through the real forms (password, then the TOTP code computed
from the secret); that session is copied into ``--sessions`` sessions (Django's session store,
same database) so that the connections do not all update one session row.

Then, per repeat, after a warm-up of each URL:

* **floor** -- ``GET /healthz`` without a cookie (no session, no database);
* **dashboard** -- ``GET /`` signed in (session read and saved, user, MFA check, the client list
  and counts, template).

each for ``--requests`` requests over ``--connections`` keep-alive connections. The load comes
from wrk (Debian's ``wrk``, with ``benchmarks/web_load.lua`` for the cookies, the request cap
and the status check) or, with ``--tool python`` or when wrk is missing, from a small
thread-based Python generator (``http.client``; it needs more CPU than wrk, and client and server
share the 2 cores, so it measures slower). Every response other than 200 is an error.

Targets (``../shared/docs/PRACTICE_APP.md`` §5.3): dashboard p95 < 200 ms and 0 errors, on
SQLite and on PostgreSQL; also reported: requests/s, p50/p99, the ratio dashboard / floor, and
the CPU time gunicorn's processes spent per request (psutil; on a shared machine this varies far
less than latency, which also measures whoever else is using the cores).

Usage::

    python benchmarks/bench_web_load.py [--requests 10000] [--connections 16] [--repeats 1]
    tools/pg_test_server.sh run -- sh -c \\
        'python benchmarks/bench_web_load.py --database-url "$DATABASE_URL"'

Writes ``benchmarks/out/bench_web_load[-DB].json`` (``--out``) and prints a markdown table.
Exit code 1 with ``--fail-on-errors`` when any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
LUA = HERE / "web_load.lua"
HOST = "127.0.0.1"
SESSION_COOKIE = "gutbrain_session"  # production settings with GUTBRAIN_HTTPS=0
CSRF_COOKIE = "gutbrain_csrftoken"
TARGET_P95_MS = 200.0


# --- set-up: environment, seed data, server, sign-in ---------------------------------------------


def _environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # the server's own tuning (GUTBRAIN_WEB_WORKERS / _THREADS) passes through
        if k.startswith("GUTBRAIN_WEB_")
        or (not k.startswith(("GUTBRAIN_", "DJANGO_")) and k != "DATABASE_URL")
    }
    env["GUTBRAIN_DATA_DIR"] = str(data_dir)
    env["GUTBRAIN_HTTPS"] = "0"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _django(env: dict[str, str]) -> None:
    """Start Django in this process on the server's settings and database."""
    os.environ.clear()
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gutbrain.web.settings.production"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)


def _seed(n_clients: int) -> dict[str, Any]:
    """A practice with one practitioner (TOTP) and ``n_clients`` client files."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db import transaction

    from gutbrain.web.accounts.models import Practice, Role
    from gutbrain.web.accounts.services import create_account
    from gutbrain.web.assessments.models import Assessment
    from gutbrain.web.clients.models import Client
    from gutbrain.web.plans.models import Plan, PlanStatus
    from gutbrain.web.results.models import Result

    tag = secrets.token_hex(4)
    password = secrets.token_urlsafe(18)
    with transaction.atomic():
        practice = Practice.objects.create(name=f"Load test practice {tag}")
        practitioner = create_account(
            f"prac-{tag}@load.gutbrain.invalid",
            password,
            role=Role.PRACTITIONER,
            practice=practice,
            full_name="Lena Load",
        )
        secret = str(generate_totp_secret())
        TOTP.activate(practitioner, secret)
        for i in range(n_clients):
            name = f"Client {i:03d} {tag}"
            client = Client.objects.create(
                practice=practice,
                practitioner=practitioner,
                display_name=name,
                email=f"client{i}-{tag}@load.gutbrain.invalid",
            )
            sample = f"LOAD-{tag}-{i:03d}"
            Result.objects.create(
                client=client,
                format="gutbrain-profile/1",
                document={"format": "gutbrain-profile/1", "sample": sample, "mechanisms": []},
                sample=sample,
                shared_with_client=True,
            )
            Assessment.objects.create(
                client=client,
                format="gutbrain-assessment/1",
                document={"format": "gutbrain-assessment/1", "date": "2026-11-20", "results": []},
                taken_on=date(2026, 11, 20),
            )
            Plan.objects.create(
                client=client,
                format="gutbrain-plan/1",
                document={"format": "gutbrain-plan/1", "date": "2026-11-20", "versions": []},
                status=PlanStatus.PUBLISHED,
            )
    return {
        "email": practitioner.email,
        "password": password,
        "secret": secret,
        "first_client": f"Client 000 {tag}",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    """``gutbrain serve`` in its own process group, logging to a file."""

    def __init__(self, data_dir: Path, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log = log
        self._out = log.open("w")
        argv = [sys.executable, "-m", "gutbrain", "serve", "--host", HOST]
        argv += ["--port", str(self.port), "--data-dir", str(data_dir)]
        self.proc = subprocess.Popen(
            argv,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gutbrain serve exited {self.proc.returncode}:\n{self.output()}")
            try:
                if _fetch(_opener(None), self.base + "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gutbrain serve not ready after {timeout:.0f} s:\n{self.output()}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of gunicorn and its workers so far (psutil, if installed)."""
        try:
            import psutil
        except ImportError:
            return math.nan
        root = psutil.Process(self.proc.pid)
        total = 0.0
        for proc in [root, *root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def output(self) -> str:
        self._out.flush()
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._out.close()


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener(jar: http.cookiejar.CookieJar | None) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [_KeepRedirects()]
    if jar is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    return urllib.request.build_opener(*handlers)


def _fetch(
    opener: urllib.request.OpenerDirector, url: str, form: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """(status, Location header, body) without following redirects."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data)
    if form is not None:
        request.add_header("Referer", url)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers.get("Location", ""), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", ""), exc.read().decode()


def _csrf(body: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not found:
        raise SystemExit("no CSRF token in the sign-in form")
    return found.group(1)


def _sign_in(base: str, login: dict[str, Any]) -> str:
    """Sign in through the real forms (password, then TOTP); returns the session key."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    jar = http.cookiejar.CookieJar()
    opener = _opener(jar)
    status, _, body = _fetch(opener, base + "/accounts/login/")
    status, where, _ = _fetch(
        opener,
        base + "/accounts/login/",
        {
            "csrfmiddlewaretoken": _csrf(body),
            "login": login["email"],
            "password": login["password"],
        },
    )
    if status != 302 or "/2fa/" not in where:
        raise SystemExit(f"sign-in did not ask for the second factor: {status} {where}")
    status, _, body = _fetch(opener, base + where)
    code = str(format_hotp_value(hotp_value(login["secret"], int(time.time()) // 30)))
    status, _, _ = _fetch(opener, base + where, {"csrfmiddlewaretoken": _csrf(body), "code": code})
    if status != 302:
        raise SystemExit(f"the TOTP step answered {status}")
    status, _, body = _fetch(opener, base + "/")
    if status != 200 or login["first_client"] not in body:
        raise SystemExit(f"the dashboard answered {status} without the seeded clients")
    return next(c.value for c in jar if c.name == SESSION_COOKIE and c.value)


def _copy_session(key: str, copies: int) -> list[str]:
    """``copies`` more sessions with the same contents (Django's session store)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections

    data = SessionStore(session_key=key).load()
    if not data:
        raise SystemExit("the signed-in session is not in the database")
    keys = [key]
    for _ in range(copies):
        store = SessionStore()
        store.update(data)
        store.create()
        keys.append(str(store.session_key))
    connections.close_all()
    return keys


# --- load generators -----------------------------------------------------------------------------


def _wrk(
    port: int, path: str, cookies: list[str], requests: int, connections: int, threads: int
) -> dict[str, Any]:
    threads = max(1, min(threads, connections))
    cap = math.ceil(requests / threads)
    argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", "600s", "--timeout", "10s"]
    argv += ["-s", str(LUA), f"http://{HOST}:{port}{path}", "--", str(cap), ",".join(cookies)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    capped = 0
    for text in proc.stdout:
        lines.append(text)
        if text.startswith("WRKCAP"):
            capped += 1
            if capped == threads:  # every thread is done: end wrk's sleep, get its summary
                proc.send_signal(signal.SIGINT)
    returncode = proc.wait(timeout=60)
    stderr = proc.stderr.read() if proc.stderr else ""
    line = next((x for x in lines if x.startswith("WRKJSON ")), None)
    if returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({returncode}):\n{''.join(lines)}\n{stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    seconds = raw["duration_us"] / 1e6
    return {
        "responses": raw["responses"],
        "errors": raw["non200"] + raw["socket_errors"] + raw["timeouts"],
        "non200": raw["non200"],
        "socket_errors": raw["socket_errors"] + raw["timeouts"],
        "seconds": seconds,
        "rps": raw["responses"] / seconds,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
    }


def _python(
    port: int, path: str, cookies: list[str], requests: int, connections: int
) -> dict[str, Any]:
    """Threads, one keep-alive ``http.client`` connection each, until ``requests`` are sent."""
    lock = threading.Lock()
    left = [requests]
    latencies: list[float] = []
    counts = {"non200": 0, "socket_errors": 0}

    def worker(n: int) -> None:
        headers = {"Cookie": cookies[n % len(cookies)]} if cookies else {}
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        mine: list[float] = []
        while True:
            with lock:
                if left[0] <= 0:
                    break
                left[0] -= 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                with lock:
                    counts["socket_errors"] += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
                continue
            mine.append(time.perf_counter() - t0)
            if response.status != 200:
                with lock:
                    counts["non200"] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seconds = time.perf_counter() - started
    if len(latencies) > 1:
        ms = [c * 1000 for c in statistics.quantiles(latencies, n=100, method="inclusive")]
    else:
        ms = [latencies[0] * 1000 if latencies else math.nan] * 99
    return {
        "responses": len(latencies),
        "errors": counts["non200"] + counts["socket_errors"],
        **counts,
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "p50_ms": ms[49],
        "p95_ms": ms[94],
        "p99_ms": ms[98],
        "max_ms": max(latencies) * 1000 if latencies else math.nan,
    }


def _load(
    tool: str, port: int, path: str, cookies: list[str], args: argparse.Namespace, n: int
) -> dict[str, Any]:
    if tool == "wrk":
        return _wrk(port, path, cookies, n, args.connections, args.threads)
    return _python(port, path, cookies, n, args.connections)


# --- report --------------------------------------------------------------------------------------


def _progress(started: float, what: str) -> None:
    print(f"[{time.perf_counter() - started:6.1f} s] {what}", file=sys.stderr, flush=True)


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


def _database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        version = connection.cursor().connection.info.server_version
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (WAL)"


def _tool_version(tool: str) -> str:
    if tool != "wrk":
        return "python threads (http.client)"
    run = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    first = (run.stdout or run.stderr).splitlines()
    return first[0].split(" Copyright")[0] if first else "wrk"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000, help="requests per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=200, help="requests per URL before timing")
    parser.add_argument("--clients", type=int, default=50, help="client files of the practitioner")
    parser.add_argument("--sessions", type=int, default=16, help="signed-in sessions to rotate")
    parser.add_argument(
        "--database-url",
        default=None,
        help="server database (postgres://…); default SQLite in the temporary data folder",
    )
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--out", type=Path, default=None, help="JSON file; '-' for none")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    parser.add_argument("--fail-on-errors", action="store_true", help="exit 1 on any error")
    args = parser.parse_args()
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    if tool == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk not found; fix: apt-get install -y wrk, or --tool python")

    work = Path(tempfile.mkdtemp(prefix="gutbrain-load-"))
    data_dir = work / "data"
    env = _environment(data_dir, args.database_url)
    server: Server | None = None
    try:
        started = time.perf_counter()
        _django(env)
        database = _database_label()
        login = _seed(args.clients)
        _progress(started, f"migrated and seeded ({args.clients} clients)")
        from django.db import connections

        connections.close_all()
        server = Server(data_dir, env, work / "serve.log")
        server.wait_ready()
        _progress(started, f"gutbrain serve ready on port {server.port}")
        keys = _copy_session(_sign_in(server.base, login), max(0, args.sessions - 1))
        _progress(started, f"signed in; {len(keys)} sessions")
        cookies = [f"{SESSION_COOKIE}={k}" for k in keys]
        targets = {"floor": ("/healthz", []), "dashboard": ("/", cookies)}
        for path, jar in targets.values():
            _load(tool, server.port, path, jar, args, args.warmup)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
        for _ in range(args.repeats):
            for name, (path, jar) in targets.items():
                cpu = server.cpu_seconds()
                run = _load(tool, server.port, path, jar, args, args.requests)
                run["server_cpu_ms"] = (server.cpu_seconds() - cpu) * 1000 / run["responses"]
                runs[name].append(run)
        log = server.output()
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    summary = {
        name: {k: _median(r, k) for k in ("rps", "p50_ms", "p95_ms", "p99_ms", "max_ms")}
        | {"server_cpu_ms": _median(r, "server_cpu_ms")}
        | {"errors": sum(x["errors"] for x in r), "responses": sum(x["responses"] for x in r)}
        for name, r in runs.items()
    }
    dash, floor = summary["dashboard"], summary["floor"]
    errors = dash["errors"] + floor["errors"]
    server_problems = {
        "tracebacks": log.count("Traceback"),
        "database_locked": log.count("database is locked"),
    }
    met = dash["p95_ms"] < TARGET_P95_MS and errors == 0 and not any(server_problems.values())
    report = {
        "date": date.today().isoformat(),
        "machine": f"{platform.node()} {os.cpu_count()} cores, {platform.platform()}",
        "python": platform.python_version(),
        "database": database,
        "tool": _tool_version(tool),
        "requests": args.requests,
        "connections": args.connections,
        "threads": args.threads if tool == "wrk" else args.connections,
        "repeats": args.repeats,
        "clients": args.clients,
        "sessions": len(cookies),
        "summary": summary,
        "ratio_p95_dashboard_over_floor": dash["p95_ms"] / floor["p95_ms"],
        "ratio_rps_floor_over_dashboard": floor["rps"] / dash["rps"],
        "ratio_cpu_dashboard_over_floor": dash["server_cpu_ms"] / floor["server_cpu_ms"],
        "server_log": server_problems,
        "target": f"dashboard p95 < {TARGET_P95_MS:.0f} ms, 0 errors",
        "target_met": met,
        "runs": runs,
    }
    out = args.out
    if out is None:
        suffix = "-postgres" if "PostgreSQL" in database else ""
        out = OUT / f"bench_web_load{suffix}.json"
    if str(out) != "-":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2) + "\n")

    print(
        f"{database}; {report['tool']}; {args.requests} requests × {args.repeats} over "
        f"{args.connections} connections; {args.clients} clients, {len(cookies)} sessions"
    )
    print(
        "| URL | requests/s | p50 ms | p95 ms | p99 ms | max ms | server CPU ms/request | errors |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, (path, _) in targets.items():
        s = summary[name]
        print(
            f"| {name} `{path}` | {s['rps']:,.0f} | {s['p50_ms']:.1f} | {s['p95_ms']:.1f} "
            f"| {s['p99_ms']:.1f} | {s['max_ms']:.0f} | {s['server_cpu_ms']:.2f} | {s['errors']} |"
        )
    print(
        f"dashboard / floor: p95 × {report['ratio_p95_dashboard_over_floor']:.1f}, "
        f"throughput ÷ {report['ratio_rps_floor_over_dashboard']:.1f}, server CPU per request × "
        f"{report['ratio_cpu_dashboard_over_floor']:.1f}; server log: "
        f"{server_problems['tracebacks']} tracebacks, {server_problems['database_locked']} "
        f"'database is locked'; target ({report['target']}): {'met' if met else 'NOT met'}"
    )
    return 1 if args.fail_on_errors and (errors or any(server_problems.values())) else 0


if __name__ == "__main__":
    sys.exit(main())
