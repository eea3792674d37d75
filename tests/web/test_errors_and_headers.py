"""Error pages show an id and no stack trace; security headers and CSP on every page."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.test import Client as HttpClient
from django.urls import reverse

from tests.web.conftest import World

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "gutbrain" / "web" / "templates"


@pytest.mark.urls("tests.web.error_urls")
def test_500_shows_an_error_id_and_logs_the_traceback(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    http = world.login("prac_a1", raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="gutbrain.web.errors"):
        response = http.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    match = re.search(r"Error id: <code>([0-9a-f]{12})</code>", body)
    assert match
    for leak in ("Traceback", "RuntimeError", "secret internal detail", "boom", ".py"):
        assert leak not in body
    (record,) = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError


def test_404_shows_an_error_id(world: World) -> None:
    response = world.login("prac_a1").get("/no/such/page/")
    assert response.status_code == 404
    assert re.search(r"Error id: <code>[0-9a-f]{12}</code>", response.content.decode())


def test_403_shows_an_error_id(world: World) -> None:
    response = world.login("client_a1").get(reverse("client_list"))
    assert response.status_code == 403
    assert re.search(r"Error id: <code>[0-9a-f]{12}</code>", response.content.decode())


@pytest.mark.parametrize("url_name", ["account_login", "dashboard"])
def test_security_headers(world: World, url_name: str) -> None:
    http = world.login(None if url_name == "account_login" else "owner_a")
    response = http.get(reverse(url_name))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    assert "camera=()" in response["Permissions-Policy"]
    # no external requests: no absolute URLs in src/href
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", response.content.decode())


def test_templates_have_no_inline_script_or_style() -> None:
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script" not in text, path
        assert "<style" not in text and " style=" not in text, path
        assert "|safe" not in text and "autoescape off" not in text, path


def test_record_views_are_audited(world: World) -> None:
    own = world.files["client_a1"]
    http = world.login("prac_a1")
    for url in (
        reverse("client_detail", args=[own.client.pk]),
        reverse("result_detail", args=[own.result.pk]),
        reverse("plan_detail", args=[own.plan.pk]),
    ):
        assert http.get(url).status_code == 200
    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    assert entries.count() == 3
    assert {e.actor_id for e in entries} == {world.users["prac_a1"].pk}
    assert {e.object_pk for e in entries} == {
        str(own.client.pk),
        str(own.result.pk),
        str(own.plan.pk),
    }


def test_refused_views_are_not_audited_as_access(world: World) -> None:
    other = world.files["client_b"]
    world.login("prac_a1").get(reverse("client_detail", args=[other.client.pk]))
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_audit_log_holds_no_health_content(world: World) -> None:
    entries = LogEntry.objects.filter(object_repr__startswith="profile")
    assert entries.exists()
    for entry in LogEntry.objects.all():
        text = str(entry.changes)
        assert "mechanisms" not in text and "versions" not in text
        assert "pbkdf2" not in text and "md5$" not in text and "token_hash" not in text


def test_anonymous_health_check(db: None) -> None:
    response = HttpClient().get(reverse("healthz"))
    assert response.status_code == 200 and response.content == b"ok\n"
