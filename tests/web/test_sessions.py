"""Session expiry: 30 minutes without a request, 12 hours after signing in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.web.conftest import PASSWORD, World

START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def _signed_in(world: World, traveller: time_machine.Coordinates | None = None) -> HttpClient:
    http = HttpClient()
    email = world.users["client_a1"].email
    response = http.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return http


def _portal_status(http: HttpClient) -> int:
    return int(http.get(reverse("portal")).status_code)


def test_idle_session_expires_after_30_minutes(world: World) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        http = _signed_in(world)
        traveller.shift(timedelta(minutes=29))
        assert _portal_status(http) == 200
        traveller.shift(timedelta(minutes=31))
        response = http.get(reverse("portal"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_active_session_ends_after_12_hours(world: World) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        http = _signed_in(world)
        for _ in range(28):  # a request every 25 minutes: 11 h 40 min
            traveller.shift(timedelta(minutes=25))
            assert _portal_status(http) == 200
        traveller.shift(timedelta(minutes=25))  # 12 h 05 min after signing in
        response = http.get(reverse("portal"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_logout_ends_the_session_server_side(world: World) -> None:
    http = _signed_in(world)
    cookie = http.cookies["sessionid"].value
    response = http.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "cookies" in response["Clear-Site-Data"]
    replay = HttpClient()
    replay.cookies["sessionid"] = cookie
    assert replay.get(reverse("portal")).status_code == 302


def test_session_key_changes_at_sign_in(world: World) -> None:
    http = HttpClient()
    http.get(reverse("account_login"))
    http.session.save()
    before = http.session.session_key
    email = world.users["client_a1"].email
    http.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert http.cookies["sessionid"].value != before


def test_deactivated_user_loses_access(world: World) -> None:
    http = _signed_in(world)
    user = world.users["client_a1"]
    user.is_active = False
    user.save()
    assert _portal_status(http) == 302


def _session_writes(http: HttpClient) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert _portal_status(http) == 200
    return sum('UPDATE "django_session"' in q["sql"] for q in queries.captured_queries)


def test_pages_write_the_session_at_most_once_a_minute(world: World) -> None:
    """The last-seen time is renewed once a minute, not on every page (a commit per page)."""
    with time_machine.travel(START, tick=False) as traveller:
        http = _signed_in(world)
        _portal_status(http)
        traveller.shift(timedelta(seconds=30))
        assert _session_writes(http) == 0
        traveller.shift(timedelta(seconds=31))
        assert _session_writes(http) == 1
        traveller.shift(timedelta(minutes=29, seconds=30))  # 29.5 min after the last write
        assert _portal_status(http) == 200
