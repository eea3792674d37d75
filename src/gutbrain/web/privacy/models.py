"""Erasure requests: a client (or their practitioner on their behalf) asks for the file to be
erased; the owner or the practitioner confirms, and :func:`gutbrain.web.privacy.erasure.erase`
does it.

The request outlives the client's file: it keeps the client's id (``client_ref``), never the
name or e-mail address, so it can say afterwards that an erasure happened, when and by whom.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from gutbrain.web.accounts.models import Practice, Role

__all__ = ["ErasureRequest", "ErasureStatus"]


class ErasureStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    CONFIRMED = "confirmed", "Confirmed (erasing)"
    DONE = "done", "Erased"
    CANCELLED = "cancelled", "Cancelled"


#: statuses of a request still in progress (at most one per client)
OPEN = (ErasureStatus.REQUESTED, ErasureStatus.CONFIRMED)


class ErasureRequestQuerySet(models.QuerySet["ErasureRequest"]):
    def visible_to(self, user: Any) -> ErasureRequestQuerySet:
        """Owner: the practice's; practitioner: those of their clients; client: their own."""
        if not (getattr(user, "is_authenticated", False) and user.is_active):
            return self.none()
        if user.role == Role.OWNER:
            return self.filter(practice_id=user.practice_id)
        if user.role == Role.PRACTITIONER:
            return self.filter(practice_id=user.practice_id).filter(
                models.Q(client__practitioner_id=user.pk)
                | models.Q(client__isnull=True, practitioner_id=user.pk)
            )
        if user.role == Role.CLIENT:
            return self.filter(client__user_id=user.pk)
        return self.none()

    def open(self) -> ErasureRequestQuerySet:
        return self.filter(status__in=OPEN)


class ErasureRequest(models.Model):
    """A request to erase one client's file (GDPR Art. 17)."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="erasure_requests",
    )
    client_ref = models.UUIDField(help_text="The client's id; kept after the erasure.")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=ErasureStatus.choices, default=ErasureStatus.REQUESTED
    )
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who confirmed or cancelled.",
    )
    done_at = models.DateTimeField(null=True, blank=True)
    pending_files = models.JSONField(
        default=list,
        blank=True,
        help_text="Stored files still to delete (only between confirmation and completion).",
    )

    objects = ErasureRequestQuerySet.as_manager()

    class Meta:
        ordering = ("-requested_at",)
        constraints = (
            models.UniqueConstraint(
                fields=("client_ref",),
                condition=models.Q(status__in=OPEN),
                name="one_open_erasure_request_per_client",
            ),
        )

    def __str__(self) -> str:
        return f"erasure request {self.pk} for client {self.client_ref}"

    def get_additional_data(self) -> dict[str, Any]:
        """What the audit log keeps about this request: ids only (auditlog calls this)."""
        return {
            "event": f"erasure {self.status}",
            "practice": self.practice_id,
            "client": str(self.client_ref),
        }
