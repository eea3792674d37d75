"""Crashes: a server killed (SIGKILL) in the middle of an upload body, a worker killed in the
middle of an analysis, and the start-up clean-up that makes both recoverable.

The first two run real processes (``gutbrain serve`` on a free loopback port with a temporary
data folder, as in ``test_serve.py``); the rest call the recovery directly.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from gutbrain.knowledge.examples import example_file
from gutbrain.web.results.models import Result, Upload, UploadStatus
from gutbrain.web.results.services import MAX_ATTEMPTS, recover
from gutbrain.web.results.storage import tmp_dir, uploads_dir
from tests.web.conftest import World
from tests.web.test_serve import Server, _fetch, _opener, serve

__all__ = ["serve"]

EXAMPLE = example_file("taxon-profile").read_bytes()
#: the example profile with extra zero rows: large enough to be sent slowly, still valid
BIG = EXAMPLE + b"".join(b"Genusx%d_speciesy%d\t0\n" % (i, i) for i in range(20000))
BOUNDARY = "gutbrain-kill-test-boundary"


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _db(data: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data / "gutbrain.sqlite3", timeout=10) as con:
        return list(con.execute(sql))


def _practitioner_session(server: Server) -> tuple[urllib.request.OpenerDirector, Any, str]:
    out = server.output()
    email = re.search(r"^\s+practitioner\s+(\S+@\S+)\s+password: (\S+)$", out, re.M)
    secret = re.search(r"^\s+practitioner\s+TOTP secret: (\S+)$", out, re.M)
    assert email and secret, out
    jar = http.cookiejar.CookieJar()
    opener = _opener(jar)
    _fetch(opener, server.base + "/accounts/login/")
    token = next(c.value for c in jar if "csrftoken" in c.name)
    form = {"csrfmiddlewaretoken": token, "login": email.group(1), "password": email.group(2)}
    status, headers, _ = _fetch(opener, server.base + "/accounts/login/", form)
    assert status == 302
    page = _fetch(opener, server.base + headers["Location"])[2]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf
    code = format_hotp_value(hotp_value(secret.group(1), int(time.time()) // 30))
    form = {"csrfmiddlewaretoken": csrf.group(1), "code": code}
    assert _fetch(opener, server.base + headers["Location"], form)[0] == 302
    clients = _fetch(opener, server.base + "/clients/")[2]
    client = re.search(r"/clients/([0-9a-f-]{36})/", clients)
    assert client
    return opener, jar, f"/clients/{client.group(1)}/uploads/new/"


def _multipart(token: str, name: str, data: bytes) -> tuple[bytes, bytes]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f'{token}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{name}"\r\nContent-Type: text/tab-separated-values\r\n\r\n'
    ).encode()
    return head + data, f"\r\n--{BOUNDARY}--\r\n".encode()


def _token(opener: urllib.request.OpenerDirector, server: Server, path: str) -> str:
    page = _fetch(opener, server.base + path)[2]
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def _upload(opener: urllib.request.OpenerDirector, server: Server, path: str, data: bytes) -> str:
    first, last = _multipart(_token(opener, server, path), "big.tsv", data)
    request = urllib.request.Request(server.base + path, data=first + last)
    request.add_header("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    request.add_header("Referer", server.base + path)
    with pytest.raises(urllib.error.HTTPError) as redirect:  # _NoRedirect: a 302 raises
        opener.open(request, timeout=30)
    assert redirect.value.code == 302, redirect.value.read()[:2000]
    return str(redirect.value.headers["Location"])


def _wait_done(data: Path, upload_id: str, timeout: float = 90) -> tuple[str, str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = _db(
            data, f"SELECT status, error, attempts FROM results_upload WHERE id = '{upload_id}'"
        )
        if rows and rows[0][0] in ("done", "failed"):
            return rows[0]
        time.sleep(0.3)
    pytest.fail(f"upload {upload_id} not finished: {rows}")


def _kill(server: Server) -> None:
    os.killpg(server.proc.pid, signal.SIGKILL)
    server.proc.wait(timeout=10)


def test_server_killed_mid_upload_leaves_nothing_and_the_file_goes_in_again(
    serve: type[Server], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    server = serve(["--demo"])  # type: ignore[call-arg]
    server.wait_ready()
    opener, jar, path = _practitioner_session(server)
    results_before = _db(data, "SELECT count(*) FROM results_result")[0][0]

    first, last = _multipart(_token(opener, server, path), "big.tsv", BIG)
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nCookie: {cookies}\r\n"
        f"Referer: {server.base}{path}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(first) + len(last)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head)
        sent = 0
        part = data / "uploads" / "tmp"
        while sent < len(first) // 2:  # half the body, slowly
            sock.sendall(first[sent : sent + 16384])
            sent += 16384
            time.sleep(0.01)
        deadline = time.monotonic() + 20
        while not list(part.glob("*.part")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(part.glob("*.part")), "the upload never reached the data folder"
        _kill(server)  # kill -9 the whole server (gunicorn, workers, task worker)
    assert list(part.glob("*.part"))  # the half-written file is there ...

    again = serve([])  # type: ignore[call-arg]
    again.wait_ready()
    assert _files(data / "uploads") == []  # ... and gone after the start-up clean-up
    assert _db(data, "SELECT count(*) FROM results_upload")[0][0] == 0
    assert _db(data, "SELECT count(*) FROM results_result")[0][0] == results_before

    location = _upload(opener, again, path, BIG)  # the same session, the same file
    upload_id = location.rstrip("/").rsplit("/", 1)[-1]
    status, error, _ = _wait_done(data, upload_id.replace("-", ""))
    assert status == "done", error
    assert _db(data, "SELECT count(*) FROM results_result")[0][0] == results_before + 1
    page = _fetch(opener, again.base + location)[2]
    assert "report (HTML)" in page


def _worker_pid(server: Server) -> int | None:
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes()
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if b"gutbrain_worker" in cmd and ppid == server.proc.pid:
            return int(proc.name)
    return None


def test_worker_killed_mid_analysis_is_recovered(serve: type[Server], tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = serve(["--demo"])  # type: ignore[call-arg]
    server.wait_ready()
    opener, _, path = _practitioner_session(server)
    big = EXAMPLE + b"".join(b"Genusx%d_speciesy%d\t0\n" % (i, i) for i in range(60000))
    upload_id = _upload(opener, server, path, big).rstrip("/").rsplit("/", 1)[-1]
    key = upload_id.replace("-", "")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rows = _db(data, f"SELECT status FROM results_upload WHERE id = '{key}'")
        if rows and rows[0][0] != "queued":
            break
        time.sleep(0.05)
    assert rows[0][0] == "running", rows  # caught in the middle of the analysis
    pid = _worker_pid(server)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)  # serve restarts the worker, which re-queues the upload
    status, error, attempts = _wait_done(data, key)
    assert status == "done", error
    assert attempts == 2
    assert "restarting it" in server.output()


# --- the recovery itself (in-process, immediate task backend) ----------------------------------


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.GUTBRAIN_REPORT_PDF = False
    return tmp_path / "data"


def _stored_upload(world: World, **fields: Any) -> Upload:
    name = uuid.uuid4().hex
    (uploads_dir() / name).write_bytes(EXAMPLE)
    import hashlib

    return Upload.objects.create(
        client=world.files["client_a1"].client,
        original_name="crash.tsv",
        stored_name=name,
        sha256=hashlib.sha256(EXAMPLE).hexdigest(),
        size=len(EXAMPLE),
        detected_format="text",
        **fields,
    )


def test_recover_requeues_a_running_upload(world: World, data_dir: Path) -> None:
    upload = _stored_upload(world, status=UploadStatus.RUNNING, attempts=1)
    done = recover(None)
    assert done.requeued == 1
    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE and upload.attempts == 2, upload.error
    assert Result.objects.filter(upload=upload).count() == 1


def test_recover_gives_up_after_repeated_interruptions(world: World, data_dir: Path) -> None:
    upload = _stored_upload(world, status=UploadStatus.RUNNING, attempts=MAX_ATTEMPTS)
    assert recover(None).failed == 1
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED
    assert "interrupted 3 times" in upload.error and "Upload the file again" in upload.error
    page = world.login("prac_a1").get(reverse("upload_status", args=[upload.pk]))
    assert b"interrupted 3 times" in page.content and b"Traceback" not in page.content


def test_recover_removes_temporary_and_orphaned_files_only(world: World, data_dir: Path) -> None:
    kept = _stored_upload(world, status=UploadStatus.DONE)
    (tmp_dir() / "abc.part").write_bytes(b"half")
    (tmp_dir() / "work-x").mkdir()
    (uploads_dir() / uuid.uuid4().hex).write_bytes(b"renamed but never committed")
    young = tmp_dir() / "young.part"
    young.write_bytes(b"still arriving")
    old = time.time() - 7200
    for p in (tmp_dir() / "abc.part", tmp_dir() / "work-x"):
        os.utime(p, (old, old))
    for p in uploads_dir().iterdir():
        os.utime(p, (old, old))
    done = recover(3600)  # the worker's own start: only what is older than an hour
    assert done.temp_removed == 2 and done.orphans_removed == 1
    assert young.exists() and (uploads_dir() / kept.stored_name).exists()
    recover(None)  # serve's start: no request can be running
    assert not young.exists()
    assert _files(uploads_dir()) == [uploads_dir() / kept.stored_name]
