"""A client's gut–brain profile (``gutbrain-profile/1`` JSON) with provenance, and the
stool-test uploads it is analysed from.

An :class:`Upload` is the file a practitioner sent (stored under a UUID name in
``DATA_DIR/uploads``, never served as it is); the background task turns it into a
:class:`Result` with the rendered report (files in ``DATA_DIR/reports``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from gutbrain.web.records import ClientDocument, ClientDocumentQuerySet

__all__ = ["Result", "Upload", "UploadStatus"]


class ResultQuerySet(ClientDocumentQuerySet["Result"]):
    def client_filter(self) -> models.Q:
        """Clients see a result once their practitioner has shared it with them."""
        return models.Q(shared_with_client=True)


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    DONE = "done", "done"
    FAILED = "failed", "failed"


class UploadQuerySet(ClientDocumentQuerySet["Upload"]):
    def client_filter(self) -> models.Q:
        """Clients never see the raw uploads (only results shared with them)."""
        return models.Q(pk__in=[])


class Upload(models.Model):
    """A stool-test file uploaded for one client, and the state of its analysis."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="uploads")
    original_name = models.CharField(max_length=255, help_text="As sent; metadata only.")
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    detected_format = models.CharField(max_length=40)
    status = models.CharField(
        max_length=10, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )
    error = models.TextField(blank=True, help_text="What went wrong, in words for the user.")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = UploadQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"upload {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (UploadStatus.DONE, UploadStatus.FAILED)


class Result(ClientDocument):
    sample = models.CharField(max_length=200, blank=True)
    shared_with_client = models.BooleanField(default=False)
    upload = models.ForeignKey(
        Upload, on_delete=models.SET_NULL, null=True, blank=True, related_name="results"
    )
    report_html = models.CharField(max_length=64, blank=True, help_text="File in DATA_DIR/reports.")
    report_pdf = models.CharField(max_length=64, blank=True, help_text="File in DATA_DIR/reports.")

    objects = ResultQuerySet.as_manager()

    class Meta(ClientDocument.Meta):
        pass

    def __str__(self) -> str:
        return f"profile {self.sample or self.pk}"
