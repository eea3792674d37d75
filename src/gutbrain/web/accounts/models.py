"""A practice and its users. Every user belongs to exactly one practice and has one role."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

__all__ = ["Practice", "Role", "User"]


class Practice(models.Model):
    """A practice: its owner(s), practitioners and their clients."""

    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    PRACTITIONER = "practitioner", "Practitioner"
    CLIENT = "client", "Client"


#: Roles that see client data and therefore must use a second factor.
STAFF_ROLES = frozenset({Role.OWNER, Role.PRACTITIONER})


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: Any) -> UserQuerySet:
        """Owner: the practice's users; practitioner: self and own clients; client: self."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role == Role.OWNER:
            return self.filter(practice_id=user.practice_id)
        if user.role == Role.PRACTITIONER:
            return self.filter(
                models.Q(pk=user.pk) | models.Q(client_profile__practitioner_id=user.pk)
            ).distinct()
        return self.filter(pk=user.pk)


class UserManager(BaseUserManager["User"]):
    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def visible_to(self, user: Any) -> UserQuerySet:
        return self.get_queryset().visible_to(user)

    def create_user(
        self,
        email: str,
        password: str | None,
        *,
        role: str,
        practice: Practice,
        full_name: str = "",
    ) -> User:
        """A user with a usable password (or none, when ``password`` is None)."""
        if role not in Role.values:
            raise ValueError(f"unknown role {role!r}")
        user = self.model(
            email=self.normalize_email(email).lower(),
            role=role,
            practice=practice,
            full_name=full_name,
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address; ``role`` decides what they may see."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="users")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ("full_name", "email")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_staff(self) -> bool:
        """No Django admin: nobody is "staff" in Django's sense."""
        return False

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def is_practitioner(self) -> bool:
        return self.role == Role.PRACTITIONER

    @property
    def is_client(self) -> bool:
        return self.role == Role.CLIENT

    @property
    def needs_mfa(self) -> bool:
        """Owners and practitioners see client data: a second factor is required."""
        return self.role in STAFF_ROLES
