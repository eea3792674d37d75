"""A client's scored questionnaires, the requests to answer them, and safety alerts.

* :class:`Assessment`: the ``gutbrain-assessment/1`` document of one date, with provenance and
  a link to the earlier assessment its changes refer to.
* :class:`QuestionnaireRequest`: a set of instruments sent to a client, answerable once, by an
  expiring link (token stored only as a SHA-256 hash) or in the client's portal.
* :class:`SafetyAlert`: opened whenever an assessment raises the safety flag; it stays on the
  practitioner's dashboard until the practitioner (or the owner) acknowledges it. Nothing can
  switch it off.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from gutbrain.web.clients.models import Client, hash_token
from gutbrain.web.records import ClientDocument, ClientDocumentQuerySet

__all__ = [
    "DEFAULT_INSTRUMENTS",
    "Assessment",
    "QuestionnaireRequest",
    "SafetyAlert",
]

#: what a practitioner sends unless they choose otherwise
DEFAULT_INSTRUMENTS = ("phq9", "gad7", "pss10", "who5")


class AssessmentQuerySet(ClientDocumentQuerySet["Assessment"]):
    pass


class Assessment(ClientDocument):
    taken_on = models.DateField()
    safety_flag = models.BooleanField(
        default=False, help_text="The assessment raised the safety flag (e.g. PHQ-9 item 9 > 0)."
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The earlier assessment the changes in this one refer to.",
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ("-taken_on", "-created_at")

    def __str__(self) -> str:
        return f"assessment {self.taken_on}"


class QuestionnaireRequestQuerySet(ClientDocumentQuerySet["QuestionnaireRequest"]):
    def usable(self) -> QuestionnaireRequestQuerySet:
        """Not yet answered and not expired."""
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class QuestionnaireRequest(models.Model):
    """Questionnaires sent to a client: one answer, by link or in the portal, before expiry.

    The token is shown once (in the e-mail and to the sender) and stored only as a hash;
    answering is a single conditional update, so the request is answered once even when two
    requests race.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="questionnaire_requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    instruments = models.JSONField(help_text="Instrument ids, in questionnaire order.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    assessment = models.OneToOneField(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="request"
    )

    objects = QuestionnaireRequestQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"questionnaire request {self.created_at:%Y-%m-%d}"

    @classmethod
    def issue(
        cls, *, created_by: Any, client: Client, instruments: list[str]
    ) -> tuple[QuestionnaireRequest, str]:
        """Create a request; returns it with the plain token (shown once, never stored)."""
        token = secrets.token_urlsafe(32)
        request = cls.objects.create(
            client=client,
            created_by=created_by,
            instruments=list(instruments),
            token_hash=hash_token(token),
            expires_at=timezone.now() + timedelta(days=settings.GUTBRAIN_QUESTIONNAIRE_DAYS),
        )
        return request, token

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class SafetyAlertQuerySet(ClientDocumentQuerySet["SafetyAlert"]):
    def client_filter(self) -> models.Q:
        """Clients never see alerts (they get the crisis resources at once instead)."""
        return models.Q(pk__in=[])

    def open(self) -> SafetyAlertQuerySet:
        return self.filter(acknowledged_at__isnull=True)


class SafetyAlert(models.Model):
    """An assessment raised the safety flag: urgent until acknowledged, then kept as a record."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="safety_alerts")
    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="safety_alert"
    )
    priority = models.CharField(max_length=20, help_text="highest / urgent / prompt")
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SafetyAlertQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"safety alert {self.created_at:%Y-%m-%d %H:%M} ({self.priority})"
