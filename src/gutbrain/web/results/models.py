"""A client's gut–brain profile (``gutbrain-profile/1`` JSON) with provenance."""

from __future__ import annotations

from django.db import models

from gutbrain.web.records import ClientDocument, ClientDocumentQuerySet

__all__ = ["Result"]


class ResultQuerySet(ClientDocumentQuerySet["Result"]):
    def client_filter(self) -> models.Q:
        """Clients see a result once their practitioner has shared it with them."""
        return models.Q(shared_with_client=True)


class Result(ClientDocument):
    sample = models.CharField(max_length=200, blank=True)
    shared_with_client = models.BooleanField(default=False)

    objects = ResultQuerySet.as_manager()

    class Meta(ClientDocument.Meta):
        pass

    def __str__(self) -> str:
        return f"profile {self.sample or self.pk}"
