"""``python -m django gutbrain_worker``: the background worker ``gutbrain serve`` starts.

On start it cleans up after a crash (:func:`services.recover`: temporary files, files without
a row, uploads left running by a killed worker, tasks the dead worker held) and schedules the
reminder sweeps; then it runs django-tasks-db's worker loop on every queue. One worker per
database (the recovery assumes that nothing else runs a task at its start).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from gutbrain.web.booking.tasks import schedule_sweep
from gutbrain.web.results.models import Upload, UploadStatus
from gutbrain.web.results.services import recover
from gutbrain.web.results.tasks import analyse_upload


def requeue_lost() -> int:
    """Enqueue again the queued uploads without a waiting task (their task was claimed by a
    worker that died before the analysis started)."""
    waiting = DBTaskResult.objects.filter(status="READY", task_path=analyse_upload.module_path)
    n = 0
    for pk in Upload.objects.filter(status=UploadStatus.QUEUED).values_list("pk", flat=True):
        if not waiting.filter(args_kwargs__args__0=str(pk)).exists():
            analyse_upload.enqueue(str(pk))
            n += 1
    return n


class _Worker(Worker):
    """Treats a second stop signal within two seconds as the same stop (``gutbrain serve``
    forwards SIGTERM to its children, which may also get it from their process group)."""

    stop_at = 0.0

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        now = time.monotonic()
        if not self.running and now - self.stop_at < 2.0:
            return
        self.stop_at = now
        super().shutdown(signum, frame)


def stop_with_parent(interval: float = 1.0) -> threading.Thread:
    """Stop this worker (as by SIGTERM) when the process that started it is gone, e.g. a
    ``gutbrain serve`` killed with SIGKILL: an orphaned worker would otherwise run beside the
    next server's, and the crash recovery assumes one worker per database."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread


class Command(BaseCommand):
    help = "Run the background worker (upload analyses, reminder sweeps) after crash clean-up."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")
        parser.add_argument(
            "--recover-only", action="store_true", help="Clean up after a crash, then exit."
        )
        parser.add_argument(
            "--clean-all",
            action="store_true",
            help="Remove every temporary file (only when no web server is running).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stale = DBTaskResult.objects.filter(status="RUNNING").update(
            status="FAILED", exception_class_path="worker stopped", traceback=""
        )
        done = recover(None if options["clean_all"] else 3600.0)
        lost = requeue_lost()
        self.stdout.write(
            f"worker: removed {done.temp_removed} temporary and {done.orphans_removed} orphaned "
            f"file(s), re-queued {done.requeued + lost} and failed {done.failed} interrupted "
            f"upload(s), closed {stale} stale task(s)"
        )
        if options["recover_only"]:
            return
        schedule_sweep()
        worker = _Worker(
            queue_names=["*"],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        stop_with_parent()
        worker.run()
