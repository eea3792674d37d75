"""Reminder sweeps on the task queue: each sweep sends the due reminders and schedules the next.

The worker (``gutbrain_worker``, started by ``gutbrain serve``) calls :func:`schedule_sweep`
when it starts, so reminders go out without cron; the ``send_due_reminders`` command still
works. Sending stays exactly-once however many sweeps overlap: every reminder is claimed by a
conditional update before its e-mail is sent (:func:`services.send_due_reminders`).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

__all__ = ["schedule_sweep", "sweep_reminders"]


@task()
def sweep_reminders() -> dict[str, int]:
    """Send the due reminders, then schedule the next sweep."""
    from gutbrain.web.booking.services import send_due_reminders

    run = send_due_reminders()
    schedule_sweep()
    return {"sent": run.sent, "skipped": run.skipped}


def schedule_sweep(delay_seconds: float | None = None) -> bool:
    """Enqueue the next sweep unless one is waiting already; False when the backend cannot
    run tasks later (the immediate backend of the tests) or one is queued."""
    backend = sweep_reminders.get_backend()
    if not backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        status="READY", task_path=sweep_reminders.module_path
    ).exists()
    if waiting:
        return False
    delay = settings.GUTBRAIN_REMINDER_SWEEP_SECONDS if delay_seconds is None else delay_seconds
    sweep_reminders.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue()
    return True
