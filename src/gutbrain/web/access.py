"""Who may call which view. Object-level rules live in each model's ``visible_to(user)``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from gutbrain.web.accounts.models import Role, User

__all__ = ["current_user", "role_required"]

P = ParamSpec("P")
R = TypeVar("R")


def current_user(request: HttpRequest) -> User:
    """The signed-in user (LoginRequiredMiddleware has already turned anonymous users away)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied("not signed in")
    return user


def role_required(*roles: Role) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Refuse (403) signed-in users whose role is not one of ``roles``."""

    def decorate(view: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
            if current_user(request).role not in roles:
                raise PermissionDenied("role not allowed")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
