"""``python -m django send_due_reminders``: send the booking reminders that are due (cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gutbrain.web.booking.services import send_due_reminders


class Command(BaseCommand):
    help = "Send the booking reminders (24 h and 1 h before) that are due; each only once."

    def handle(self, *args: Any, **options: Any) -> None:
        run = send_due_reminders()
        self.stdout.write(f"sent {run.sent} reminder(s), skipped {run.skipped}")
