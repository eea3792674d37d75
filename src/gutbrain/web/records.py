"""What every stored client document has in common: owner scoping, JSON body, provenance.

Results (profiles), assessments and plans are gutbrain's own JSON documents, kept whole with
where they came from (``provenance``: tool, version, command, input checksums), so that a later
version of the engine never changes what a client was shown.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from gutbrain.web.accounts.models import Role

__all__ = ["ClientDocument", "ClientDocumentQuerySet"]

M = TypeVar("M", bound=models.Model)


class ClientDocumentQuerySet(models.QuerySet[M]):
    """``visible_to(user)``: owner → practice, practitioner → own clients, client → own and
    released to them (:meth:`client_filter`), anyone else → nothing."""

    def visible_to(self, user: Any) -> ClientDocumentQuerySet[M]:
        if not (getattr(user, "is_authenticated", False) and user.is_active):
            return self.none()
        if user.role == Role.OWNER:
            return self.filter(client__practice_id=user.practice_id)
        if user.role == Role.PRACTITIONER:
            return self.filter(
                client__practitioner_id=user.pk, client__practice_id=user.practice_id
            )
        if user.role == Role.CLIENT:
            return self.filter(client__user_id=user.pk).filter(self.client_filter())
        return self.none()

    def client_filter(self) -> models.Q:
        """Extra condition for a client seeing their own documents (override per model)."""
        return models.Q()


class ClientDocument(models.Model):
    """Abstract: a JSON document about one client, with provenance."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="%(class)ss"
    )
    format = models.CharField(max_length=40, help_text="The document's format tag.")
    document = models.JSONField()
    provenance = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ("-created_at",)
