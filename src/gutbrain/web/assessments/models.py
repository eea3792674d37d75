"""A client's scored questionnaires on one date, with provenance."""

from __future__ import annotations

from django.db import models

from gutbrain.web.records import ClientDocument, ClientDocumentQuerySet

__all__ = ["Assessment"]


class AssessmentQuerySet(ClientDocumentQuerySet["Assessment"]):
    pass


class Assessment(ClientDocument):
    taken_on = models.DateField()
    safety_flag = models.BooleanField(
        default=False, help_text="The assessment raised the safety flag (e.g. PHQ-9 item 9 > 0)."
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ("-taken_on", "-created_at")

    def __str__(self) -> str:
        return f"assessment {self.taken_on}"
