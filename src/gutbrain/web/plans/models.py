"""A client's plan (``gutbrain-plan/1`` JSON); every change is kept (django-simple-history)."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from gutbrain.web.records import ClientDocument, ClientDocumentQuerySet

__all__ = ["Plan", "PlanStatus"]


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

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta(ClientDocument.Meta):
        pass

    def __str__(self) -> str:
        return f"plan ({self.get_status_display()})"
