"""The deployment surface in real processes: ``check --deploy``, ``gutbrain serve`` (plain and
``--demo``) and ``gutbrain createowner``. Each server binds a free loopback port and is stopped."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

GUTBRAIN = [sys.executable, "-m", "gutbrain"]


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GUTBRAIN_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env["GUTBRAIN_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def test_check_deploy_is_clean(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="gutbrain.web.settings.production",
        GUTBRAIN_ALLOWED_HOSTS="practice.example.org",
    )
    run = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "no issues (0 silenced)" in run.stdout
    key = tmp_path / "secret_key"
    assert key.stat().st_mode & 0o777 == 0o600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _opener(jar: http.cookiejar.CookieJar | None = None) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
    if jar is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    return urllib.request.build_opener(*handlers)


def _fetch(
    opener: urllib.request.OpenerDirector, url: str, data: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)
    if data is not None:
        request.add_header("Referer", url)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


class Server:
    def __init__(self, args: list[str], data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = data_dir.parent / f"serve-{self.port}.log"
        self.out = self.log.open("w")
        self.proc = subprocess.Popen(
            [*GUTBRAIN, "serve", "--port", str(self.port), "--data-dir", str(data_dir), *args],
            env=env if env is not None else _env(data_dir),
            stdout=self.out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"serve exited {self.proc.returncode}: {self.output()}")
            try:
                if _fetch(_opener(), self.base + "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        pytest.fail(f"server not ready: {self.output()}")

    def output(self) -> str:
        self.out.flush()
        return self.log.read_text()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.out.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[type[Server]]:
    started: list[Server] = []

    class Started(Server):
        def __init__(self, args: list[str]) -> None:
            super().__init__(args, tmp_path / "data")
            started.append(self)

    yield Started  # type: ignore[misc]
    for server in started:
        server.stop()


def test_serve_answers_on_loopback(serve: type[Server], tmp_path: Path) -> None:
    server = serve([])  # type: ignore[call-arg]
    server.wait_ready()
    status, _, body = _fetch(_opener(), server.base + "/accounts/login/")
    assert status == 200 and "Sign in" in body and "invitation" in body
    status, headers, _ = _fetch(_opener(), server.base + "/clients/")
    assert status == 302 and headers["Location"].startswith("/accounts/login/?next=")
    status, _, css = _fetch(_opener(), server.base + "/static/gutbrain/app.css")
    assert status == 200 and "--accent" in css
    assert (tmp_path / "data" / "gutbrain.sqlite3").exists()
    assert (tmp_path / "data" / "static").is_dir()


def _login(server: Server, email: str, password: str) -> tuple[urllib.request.OpenerDirector, str]:
    jar = http.cookiejar.CookieJar()
    opener = _opener(jar)
    _fetch(opener, server.base + "/accounts/login/")
    token = next(c.value for c in jar if "csrftoken" in c.name)
    status, headers, _ = _fetch(
        opener,
        server.base + "/accounts/login/",
        {"csrfmiddlewaretoken": token, "login": email, "password": password},
    )
    assert status == 302, (email, status)
    return opener, headers["Location"]


def test_serve_demo_prints_working_logins(serve: type[Server]) -> None:
    server = serve(["--demo"])  # type: ignore[call-arg]
    server.wait_ready()
    out = server.output()
    logins = dict(
        re.findall(r"^\s+(owner|practitioner|client)\s+\S+\s+password: (\S+)$", out, re.M)
    )
    emails = dict(re.findall(r"^\s+(owner|practitioner|client)\s+(\S+@\S+)\s+password:", out, re.M))
    secrets = dict(re.findall(r"^\s+(owner|practitioner)\s+TOTP secret: (\S+)$", out, re.M))
    assert set(logins) == {"owner", "practitioner", "client"}
    assert set(secrets) == {"owner", "practitioner"}

    opener, where = _login(server, emails["client"], logins["client"])
    status, _, body = _fetch(opener, server.base + "/portal/")
    assert status == 200 and "Alex Example" in body and "Plan of" in body

    opener, where = _login(server, emails["practitioner"], logins["practitioner"])
    assert where.endswith("/accounts/2fa/authenticate/")
    page = _fetch(opener, server.base + where)[2]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    code = format_hotp_value(hotp_value(secrets["practitioner"], int(time.time()) // 30))
    status, _, _ = _fetch(
        opener, server.base + where, {"csrfmiddlewaretoken": token.group(1), "code": code}
    )
    assert status == 302
    status, _, body = _fetch(opener, server.base + "/clients/")
    assert status == 200 and "Alex Example" in body


def _run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GUTBRAIN, *args, "--data-dir", str(data_dir)],
        env=_env(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_createowner(tmp_path: Path) -> None:
    data = tmp_path / "data"
    args = ["createowner", "--email", "boss@example.org", "--practice", "Gut Clinic"]
    ok = _run(args, data, GUTBRAIN_OWNER_PASSWORD="a long owner pass phrase")
    assert ok.returncode == 0, ok.stderr
    assert "boss@example.org" in ok.stdout and "Gut Clinic" in ok.stdout
    again = _run(args, data, GUTBRAIN_OWNER_PASSWORD="a long owner pass phrase")
    assert again.returncode == 2
    assert again.stderr.strip().count("\n") == 0 and "exists already" in again.stderr
    weak = _run(["createowner", "--email", "b2@example.org"], data, GUTBRAIN_OWNER_PASSWORD="short")
    assert weak.returncode == 2 and "password not accepted" in weak.stderr
    assert weak.stderr.strip().count("\n") == 0


def test_serve_refuses_a_bad_data_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    run = _run(["serve", "--port", "1"], blocker / "sub")
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("gutbrain: error:") and "data folder" in run.stderr


def test_serve_refuses_a_bad_switch_interval(tmp_path: Path) -> None:
    run = _run(["serve", "--port", "1"], tmp_path / "data", GUTBRAIN_WEB_SWITCH_MS="fast")
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("gutbrain: error:") and "GUTBRAIN_WEB_SWITCH_MS" in run.stderr
    assert "Traceback" not in run.stderr
