"""Authentication backends that load the signed-in user together with their practice.

Every page shows or scopes by ``user.practice``; fetching it with the user saves a query on
each request. Sign-in itself is unchanged (Django's and allauth's backends).
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from gutbrain.web.accounts.models import User

__all__ = ["AuthenticationBackend", "ModelBackend"]


def _user_with_practice(backend: DjangoModelBackend, user_id: Any) -> User | None:
    user = User.objects.select_related("practice").filter(pk=user_id).first()
    return user if user is not None and backend.user_can_authenticate(user) else None


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        return _user_with_practice(self, user_id)


class AuthenticationBackend(AllauthBackend):  # type: ignore[misc]
    def get_user(self, user_id: Any) -> User | None:
        return _user_with_practice(self, user_id)
