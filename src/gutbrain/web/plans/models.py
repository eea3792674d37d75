"""A client's plan (``gutbrain-plan/1`` JSON); every change is kept (django-simple-history).

Also the client's weekly :class:`CheckIn` (ratings and the plan items done), shown with the
questionnaire and re-test trends on the progress pages.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from gutbrain.web.records import ClientDocument, ClientDocumentQuerySet

__all__ = ["RATINGS", "CheckIn", "Plan", "PlanStatus"]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class PlanQuerySet(ClientDocumentQuerySet["Plan"]):
    def client_filter(self) -> models.Q:
        """Clients see published plans only, never drafts."""
        return models.Q(status=PlanStatus.PUBLISHED)


class Plan(ClientDocument):
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(
        null=True, blank=True, help_text="When a later published plan took this one's place."
    )
    revises = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The published plan this draft was started from.",
    )

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta(ClientDocument.Meta):
        pass

    def __str__(self) -> str:
        return f"plan ({self.get_status_display()})"


#: check-in ratings: (field name, label); each 0–10
RATINGS = (
    ("mood", "Mood"),
    ("energy", "Energy"),
    ("sleep", "Sleep"),
    ("gut_comfort", "Gut comfort"),
    ("stress", "Stress"),
)


def _rating(label: str, help_text: str) -> models.PositiveSmallIntegerField[int, int]:
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(0), MaxValueValidator(10)], help_text=help_text
    )


class CheckInQuerySet(ClientDocumentQuerySet["CheckIn"]):
    """Owner → practice, practitioner → own clients, client → own check-ins."""


class CheckIn(models.Model):
    """How the week went, in the client's own words: five 0–10 ratings and the items done."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="checkins")
    date = models.DateField(default=timezone.localdate)
    mood = _rating("Mood", "0 = very low, 10 = very good")
    energy = _rating("Energy", "0 = none, 10 = plenty")
    sleep = _rating("Sleep", "0 = very poor, 10 = very good")
    gut_comfort = _rating("Gut comfort", "0 = very uncomfortable, 10 = very comfortable")
    stress = _rating("Stress", "0 = none, 10 = very high")
    plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="checkins"
    )
    items_done = models.JSONField(
        default=list, blank=True, help_text="Ids of the plan items done this week."
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ("-date", "-created_at")
        constraints = (
            models.UniqueConstraint(fields=("client", "date"), name="one_checkin_per_day"),
        )

    def __str__(self) -> str:
        return f"check-in {self.date}"
