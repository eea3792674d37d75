"""Creating practices and accounts (CLI, invitations, demo) in one place."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import password_validation
from django.db import transaction

from gutbrain.web.accounts.models import Practice, Role, User

__all__ = ["create_account", "create_practice_with_owner"]


def create_account(
    email: str, password: str | None, *, role: Role, practice: Practice, full_name: str = ""
) -> User:
    """A user whose e-mail address counts as verified (it came from an invitation or the CLI).

    The password must pass the configured validators (:class:`ValidationError` otherwise).
    """
    if password is not None:
        password_validation.validate_password(
            password, User(email=email, full_name=full_name, role=role, practice=practice)
        )
    with transaction.atomic():
        user = User.objects.create_user(
            email, password, role=role, practice=practice, full_name=full_name
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def create_practice_with_owner(
    practice_name: str, email: str, password: str, full_name: str = ""
) -> User:
    """A new practice and its first owner."""
    with transaction.atomic():
        practice = Practice.objects.create(name=practice_name)
        return create_account(
            email, password, role=Role.OWNER, practice=practice, full_name=full_name
        )
