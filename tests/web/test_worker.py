"""The task queue: reminder sweeps on the database backend (sent once however many sweeps run),
and the worker ``gutbrain serve`` starts next to gunicorn and stops with it."""

from __future__ import annotations

import io
import os
import signal
import socket
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import time_machine
from django.core import mail
from django_tasks_db.models import DBTaskResult

from gutbrain.web.booking.models import Availability, Reminder
from gutbrain.web.booking.tasks import schedule_sweep, sweep_reminders
from tests.web.conftest import World
from tests.web.test_booking_flow import _confirmed
from tests.web.test_booking_support import TUESDAY_9, frozen, offers
from tests.web.test_serve import Server, serve
from tests.web.test_upload_kill import _db, _worker_pid

__all__ = ["frozen", "offers", "serve"]

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_immediate_backend_schedules_no_sweep() -> None:
    assert schedule_sweep() is False


def test_sweeps_on_the_database_queue_send_each_reminder_once(
    world: World,
    offers: dict[str, Availability],
    frozen: time_machine.Traveller,
    settings: Any,
) -> None:
    booking, _ = _confirmed(world)
    settings.TASKS = DB_TASKS
    assert schedule_sweep(0) is True
    assert schedule_sweep(0) is False  # one waiting sweep is enough
    sweep_reminders.enqueue()  # and a second one, as two workers would do
    frozen.move_to(TUESDAY_9 - timedelta(hours=23))
    mail.outbox.clear()
    waiting = list(DBTaskResult.objects.filter(status="READY"))
    assert len(waiting) == 2
    for row in waiting:  # what the worker does with each: claim, run
        row.claim("test-worker")
        row.task.call()
    assert [m.subject for m in mail.outbox] == ["Reminder: Free consultation – Practice A"]
    assert Reminder.objects.filter(booking=booking, sent_at__isnull=False).count() == 1
    # each sweep schedules the next one, still only one waiting
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def _started_worker(server: Server, timeout: float = 30) -> int:
    """The pid of the worker ``gutbrain serve`` started, once it has one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = _worker_pid(server)
        if pid is not None:
            return pid
        time.sleep(0.2)
    raise AssertionError(f"no worker started: {server.output()}")


def test_serve_runs_the_worker_and_stops_it(serve: type[Server], tmp_path: Path) -> None:
    server = serve([])  # type: ignore[call-arg]
    server.wait_ready()
    assert "worker: removed 0 temporary" in server.output()
    deadline = time.monotonic() + 30
    pid = _started_worker(server)
    rows: list[tuple[Any, ...]] = []
    while not rows and time.monotonic() < deadline:
        rows = _db(
            tmp_path / "data",
            "SELECT status FROM django_tasks_database_dbtaskresult "
            "WHERE task_path LIKE '%sweep_reminders'",
        )
        time.sleep(0.2)
    assert rows == [("READY",)]  # the first sweep is scheduled
    os.killpg(server.proc.pid, signal.SIGTERM)
    assert server.proc.wait(timeout=30) == 0
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)


def test_worker_stops_when_serve_is_killed(serve: type[Server], tmp_path: Path) -> None:
    """SIGKILL of ``gutbrain serve`` alone (not its group): gunicorn and the worker stop too,
    so a restarted server finds its port free and never runs beside a second worker."""
    server = serve([])  # type: ignore[call-arg]
    server.wait_ready()
    pid = _started_worker(server)
    time.sleep(1.5)  # the worker is in its loop
    os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait(timeout=10)
    deadline = time.monotonic() + 20
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(pid)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", server.port)) != 0:
                break
        time.sleep(0.2)
    else:
        raise AssertionError("gunicorn still answers after serve was killed")


def test_worker_start_requeues_uploads_whose_task_was_lost(
    world: World, settings: Any, tmp_path: Path
) -> None:
    from django.core.management import call_command

    from gutbrain.web.results.models import Upload
    from gutbrain.web.results.tasks import analyse_upload

    settings.TASKS = DB_TASKS
    settings.DATA_DIR = tmp_path / "data"
    client = world.files["client_a1"].client
    lost = Upload.objects.create(
        client=client, original_name="lost.tsv", stored_name="b" * 32, sha256="0" * 64, size=1,
        detected_format="text",
    )  # fmt: skip
    waiting = Upload.objects.create(
        client=client, original_name="waiting.tsv", stored_name="c" * 32, sha256="0" * 64,
        size=1, detected_format="text",
    )  # fmt: skip
    analyse_upload.enqueue(str(waiting.pk))
    claimed = analyse_upload.enqueue(str(lost.pk))  # claimed by a worker that then died
    DBTaskResult.objects.filter(pk=claimed.id).update(status="RUNNING")
    call_command("gutbrain_worker", recover_only=True, stdout=io.StringIO())
    ready = DBTaskResult.objects.filter(status="READY", task_path=analyse_upload.module_path)
    assert sorted(r.args_kwargs["args"][0] for r in ready) == sorted(
        [str(lost.pk), str(waiting.pk)]
    )
    assert DBTaskResult.objects.get(pk=claimed.id).status == "FAILED"
