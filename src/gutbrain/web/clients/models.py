"""A client's file in a practice, and single-use, expiring invitations.

Every query for client data goes through ``visible_to(user)``: an owner sees the practice,
a practitioner their own clients, a client only themselves; anyone else sees nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from gutbrain.web.accounts.models import Practice, Role

__all__ = ["Client", "Invitation", "hash_token"]


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


class ClientQuerySet(models.QuerySet["Client"]):
    def visible_to(self, user: Any) -> ClientQuerySet:
        """Owner: the practice's clients; practitioner: own clients; client: self."""
        if not _signed_in(user):
            return self.none()
        if user.role == Role.OWNER:
            return self.filter(practice_id=user.practice_id)
        if user.role == Role.PRACTITIONER:
            return self.filter(practitioner_id=user.pk, practice_id=user.practice_id)
        if user.role == Role.CLIENT:
            return self.filter(user_id=user.pk)
        return self.none()


class Client(models.Model):
    """A client's file: who they are and which practitioner looks after them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="clients")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="clients",
        limit_choices_to={"role": Role.PRACTITIONER},
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client_profile",
        help_text="The client's own login, once they accepted the invitation.",
    )
    display_name = models.CharField(max_length=200)
    email = models.EmailField("e-mail address")
    created_at = models.DateTimeField(default=timezone.now)
    consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the client agreed to the storing of health data."
    )

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ("display_name", "created_at")

    def __str__(self) -> str:
        return self.display_name


def hash_token(token: str) -> str:
    """Invitation tokens are stored only as SHA-256 hashes.

    >>> len(hash_token("abc")), hash_token("abc") == hash_token("abc")
    (64, True)
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def visible_to(self, user: Any) -> InvitationQuerySet:
        """Owner: the practice's invitations; practitioner: their own; client: none."""
        if not _signed_in(user):
            return self.none()
        if user.role == Role.OWNER:
            return self.filter(practice_id=user.practice_id)
        if user.role == Role.PRACTITIONER:
            return self.filter(created_by_id=user.pk, practice_id=user.practice_id)
        return self.none()

    def usable(self) -> InvitationQuerySet:
        """Not yet accepted, not revoked and not expired."""
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An invitation to join a practice as a client (with a file) or as a practitioner.

    The token is shown once (in the link) and stored only as a hash; accepting it is a single
    conditional update, so a link works once even when two requests race.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="invitations")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_sent"
    )
    role = models.CharField(
        max_length=20, choices=[(Role.CLIENT, "Client"), (Role.PRACTITIONER, "Practitioner")]
    )
    email = models.EmailField("e-mail address")
    full_name = models.CharField(max_length=200)
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)
        constraints = (
            models.CheckConstraint(
                condition=~models.Q(role=Role.CLIENT) | models.Q(client__isnull=False),
                name="client_invitation_has_client",
            ),
        )

    def __str__(self) -> str:
        return f"invitation for {self.email} ({self.role})"

    @classmethod
    def issue(
        cls,
        *,
        created_by: Any,
        role: Role,
        email: str,
        full_name: str,
        client: Client | None = None,
    ) -> tuple[Invitation, str]:
        """Create an invitation; returns it with the plain token (shown once, never stored)."""
        token = secrets.token_urlsafe(32)
        days = settings.GUTBRAIN_INVITATION_DAYS
        invitation = cls.objects.create(
            practice_id=created_by.practice_id,
            created_by=created_by,
            role=role,
            email=email.lower(),
            full_name=full_name,
            client=client,
            token_hash=hash_token(token),
            expires_at=timezone.now() + timedelta(days=days),
        )
        return invitation, token

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
