"""Default deny: every route needs a signed-in user, except a short, explicit list."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

#: our own public views (allauth's sign-in, reset and MFA-challenge views mark themselves)
OUR_PUBLIC = {
    "healthz",
    "invitation_open",
    "invitation_accept",
    "questionnaire_link",
    "booking_public",
    "booking_book",
    "booking_verify",
    "booking_manage",
}


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _concrete(route: str) -> str:
    """A URL for a route, with a made-up value for each parameter."""
    route = re.sub(r"<uuid:\w+>", str(uuid.uuid4()), route)
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:str:|slug:|path:)?\w+>", "x", route)
    route = route.lstrip("^").rstrip("$").replace("\\", "")
    return "/" + route


ROUTES = sorted(_walk(get_resolver().url_patterns), key=lambda r: r[0])


def _public(pattern: URLPattern) -> bool:
    return getattr(pattern.callback, "login_required", True) is False


def test_our_public_views_are_exactly_these() -> None:
    ours = {
        p.name for _, p in ROUTES if _public(p) and p.callback.__module__.startswith("gutbrain.")
    }
    assert ours == OUR_PUBLIC


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r, p in ROUTES if not _public(p)], ids=lambda r: r or "/")
def test_anonymous_is_sent_to_sign_in(route: str) -> None:
    url = _concrete(route)
    response = HttpClient().get(url)
    assert response.status_code == 302, url
    assert response["Location"].startswith(reverse("account_login") + "?next="), url
