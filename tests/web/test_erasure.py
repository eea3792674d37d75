"""The erasure workflow: request (client or practitioner), typed confirmation, and an erasure
that leaves no name, e-mail address or document content in any row and no stored file."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from gutbrain.web.accounts.models import Role, User
from gutbrain.web.assessments.models import QuestionnaireRequest, SafetyAlert
from gutbrain.web.booking.models import Booking, BookingStatus, Reminder
from gutbrain.web.clients.models import Client, Invitation
from gutbrain.web.plans.models import Plan
from gutbrain.web.privacy.export import _checkin_model
from gutbrain.web.privacy.models import ErasureRequest, ErasureStatus
from gutbrain.web.results.models import Result
from tests.web.conftest import PASSWORD, World
from tests.web.privacy_support import ACTORS, LOGIN, check

HEALTH = "HEALTH-SECRET-erase-9c1"
TARGETS = {"own": "client_a1", "colleague": "client_a2", "other": "client_b"}
NAME = {"client_a1": "Alice Own", "client_a2": "Colin Colleague", "client_b": "Bea Other"}
#: who may handle (see, confirm, cancel) the request of which target's client
STAFF = {
    "anonymous": {"own": LOGIN, "colleague": LOGIN, "other": LOGIN},
    "owner_a": {"own": "ok", "colleague": "ok", "other": 404},
    "prac_a1": {"own": "ok", "colleague": 404, "other": 404},
    "prac_a2": {"own": 404, "colleague": "ok", "other": 404},
    "client_a1": {"own": 403, "colleague": 403, "other": 403},
    "client_a2": {"own": 403, "colleague": 403, "other": 403},
    "owner_b": {"own": 404, "colleague": 404, "other": "ok"},
}


def _request(world: World, name: str) -> ErasureRequest:
    client = world.files[name].client
    return ErasureRequest.objects.create(
        practice_id=client.practice_id,
        client=client,
        client_ref=client.pk,
        practitioner_id=client.practitioner_id,
        requested_by=client.user,
    )


@pytest.fixture
def requests_(world: World) -> dict[str, ErasureRequest]:
    return {target: _request(world, name) for target, name in TARGETS.items()}


def _http(world: World, actor: str, **kwargs: Any) -> HttpClient:
    return world.login(None if actor == "anonymous" else actor, **kwargs)


def _expect(expected: Any, success: int) -> Any:
    return success if expected == "ok" else expected


# --- access matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("actor", ACTORS)
def test_detail_matrix(
    world: World, requests_: dict[str, ErasureRequest], actor: str, target: str
) -> None:
    url = reverse("erasure_detail", args=[requests_[target].pk])
    check(_http(world, actor).get(url), _expect(STAFF[actor][target], 200), actor, url)


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("actor", ACTORS)
def test_confirm_matrix(
    world: World, requests_: dict[str, ErasureRequest], actor: str, target: str
) -> None:
    erasure = requests_[target]
    url = reverse("erasure_detail", args=[erasure.pk])
    data = {"name": NAME[TARGETS[target]], "exported": "on"}
    expected = _expect(STAFF[actor][target], 302)
    check(_http(world, actor).post(url, data), expected, actor, url)
    erasure.refresh_from_db()
    erased = not Client.objects.filter(pk=erasure.client_ref).exists()
    assert erased == (expected == 302)
    assert (erasure.status == ErasureStatus.DONE) == erased


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("actor", ACTORS)
def test_cancel_matrix(
    world: World, requests_: dict[str, ErasureRequest], actor: str, target: str
) -> None:
    erasure = requests_[target]
    url = reverse("erasure_cancel", args=[erasure.pk])
    expected = _expect(STAFF[actor][target], 302)
    if actor.startswith("client"):  # a client may withdraw their own request only
        expected = 302 if TARGETS[target] == actor else 404
    check(_http(world, actor).post(url), expected, actor, url)
    erasure.refresh_from_db()
    assert (erasure.status == ErasureStatus.CANCELLED) == (expected == 302)


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("actor", ACTORS)
def test_record_matrix(world: World, actor: str, target: str) -> None:
    client = world.files[TARGETS[target]].client
    url = reverse("erasure_record", args=[client.pk])
    expected = _expect(STAFF[actor][target], 302)
    check(_http(world, actor).post(url), expected, actor, url)
    assert ErasureRequest.objects.filter(client_ref=client.pk).exists() == (expected == 302)


LIST = {"anonymous": LOGIN, "client_a1": 403, "client_a2": 403}
MINE = {"anonymous": LOGIN, "client_a1": 200, "client_a2": 200}


@pytest.mark.parametrize("actor", ACTORS)
def test_list_and_mine_matrix(
    world: World, requests_: dict[str, ErasureRequest], actor: str
) -> None:
    http = _http(world, actor)
    check(http.get(reverse("erasure_list")), LIST.get(actor, 200), actor, "list")
    check(http.get(reverse("erasure_mine")), MINE.get(actor, 403), actor, "mine GET")
    mine_post = MINE.get(actor, 403)
    check(http.post(reverse("erasure_mine")), 302 if mine_post == 200 else mine_post, actor, "mine")


# --- POST only, CSRF ----------------------------------------------------------------------


def test_state_changes_are_post_only_with_csrf(
    world: World, requests_: dict[str, ErasureRequest]
) -> None:
    own = requests_["own"]
    client = world.files["client_a1"].client
    staff = [
        (reverse("erasure_detail", args=[own.pk]), {"name": "Alice Own", "exported": "on"}),
        (reverse("erasure_cancel", args=[own.pk]), {}),
        (reverse("erasure_record", args=[client.pk]), {}),
    ]
    for url, data in staff:
        strict = _http(world, "prac_a1", enforce_csrf_checks=True)
        assert strict.post(url, data).status_code == 403, url
    for url in (staff[1][0], staff[2][0]):
        assert world.login("prac_a1").get(url).status_code == 405, url
    strict = _http(world, "client_a1", enforce_csrf_checks=True)
    assert strict.post(reverse("erasure_mine")).status_code == 403
    assert strict.post(reverse("erasure_cancel", args=[own.pk])).status_code == 403
    own.refresh_from_db()
    assert own.status == ErasureStatus.REQUESTED
    assert Client.objects.filter(pk=client.pk).exists()


# --- the workflow -------------------------------------------------------------------------


def test_client_requests_and_withdraws(world: World) -> None:
    http = world.login("client_a1")
    assert "Ask for my data to be erased" in http.get(reverse("erasure_mine")).content.decode()
    assert http.post(reverse("erasure_mine")).status_code == 302
    assert http.post(reverse("erasure_mine")).status_code == 302  # twice: still one request
    erasure = ErasureRequest.objects.get()
    assert erasure.status == ErasureStatus.REQUESTED
    assert erasure.requested_by == world.users["client_a1"]
    page = http.get(reverse("erasure_mine")).content.decode()
    assert "Withdraw my request" in page
    listed = world.login("prac_a1").get(reverse("erasure_list")).content.decode()
    assert "Alice Own" in listed
    assert http.post(reverse("erasure_cancel", args=[erasure.pk])).status_code == 302
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.CANCELLED


def test_wrong_name_or_no_export_tick_erases_nothing(
    world: World, requests_: dict[str, ErasureRequest]
) -> None:
    own = requests_["own"]
    url = reverse("erasure_detail", args=[own.pk])
    http = world.login("prac_a1")
    page = http.get(url).content.decode()
    assert "Export the file first" in page
    assert reverse("export_client", args=[own.client_ref]) in page
    for data in (
        {"name": "Alice", "exported": "on"},
        {"name": "Colin Colleague", "exported": "on"},
        {"name": "Alice Own"},
    ):
        response = http.post(url, data)
        assert response.status_code == 200
        assert Client.objects.filter(pk=own.client_ref).exists()
    own.refresh_from_db()
    assert own.status == ErasureStatus.REQUESTED


def _text_values(obj: models.Model) -> str:
    parts = []
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if value is None or isinstance(value, bool | int | float):
            continue
        if isinstance(field, models.JSONField):
            parts.append(json.dumps(value, ensure_ascii=False))
        else:
            parts.append(str(value))
    return "\n".join(parts)


def _scan(needles: list[str]) -> list[str]:
    """Every row of every model (auto-created ones too): which contain one of ``needles``."""
    hits = []
    for model in apps.get_models(include_auto_created=True):
        for obj in model._default_manager.all().iterator():
            text = _text_values(obj).casefold()
            for needle in needles:
                if needle.casefold() in text:
                    hits.append(f"{model._meta.label} {obj.pk}: {needle}")
    return hits


@pytest.fixture
def rich_file(world: World, settings: Any, tmp_path: Path) -> dict[str, Any]:
    """Client A1's file with everything that can hang on it, and a trail in the audit log."""
    settings.DATA_DIR = tmp_path
    files = world.files["client_a1"]
    client = files.client
    for doc in (files.result, files.assessment, files.plan, files.draft):
        doc.document = {**doc.document, "note": HEALTH}
        doc.save()
    files.plan.document = {**files.plan.document, "v": 2}
    files.plan.save()
    (tmp_path / "reports").mkdir()
    report = tmp_path / "reports" / "a1.pdf"
    report.write_bytes(b"%PDF " + HEALTH.encode())
    files.result.report_pdf = report.name
    files.result.save()
    upload_model = apps.get_model("results", "Upload")
    stored: list[Path] = [report]
    if {f.name for f in upload_model._meta.fields} >= {"stored_name", "original_name"}:
        (tmp_path / "uploads").mkdir()
        raw = tmp_path / "uploads" / "u1.csv"
        raw.write_text("taxon,count\nAlice Own,1\n")
        stored.append(raw)
        upload_model._default_manager.create(
            client=client,
            original_name="alice-own-stool.csv",
            stored_name=raw.name,
            sha256="0" * 64,
            size=10,
            detected_format="csv",
        )
    QuestionnaireRequest.issue(
        created_by=world.users["prac_a1"], client=client, instruments=["phq9"]
    )
    Invitation.issue(
        created_by=world.users["prac_a1"],
        role=Role.CLIENT,
        email="client_a1@example.org",
        full_name="Alice Own",
        client=client,
    )
    SafetyAlert.objects.create(client=client, assessment=files.assessment, priority="urgent")
    checkin = _checkin_model()
    if checkin is not None:
        checkin._default_manager.create(
            client=client, mood=1, energy=2, sleep=3, gut_comfort=4, stress=5
        )
    start = timezone.now() + timedelta(days=2)
    booking = Booking.objects.create(
        practice=client.practice,
        practitioner=world.users["prac_a1"],
        name="Alice Own",
        email="client_a1@example.org",
        start=start,
        end=start + timedelta(minutes=30),
        status=BookingStatus.CONFIRMED,
        verify_token_hash="a" * 64,
        verify_expires_at=start,
    )
    Reminder.objects.create(booking=booking, kind="24h", due_at=start - timedelta(days=1))
    # changes and views in the audit log: names and addresses go into it
    client.email = "alice.second@example.org"
    client.save()
    http = world.login("client_a1")
    assert http.get(reverse("portal")).status_code == 200
    assert http.get(reverse("result_detail", args=[files.result.pk])).status_code == 200
    staff = world.login("prac_a1")
    assert staff.get(reverse("client_detail", args=[client.pk])).status_code == 200
    return {"world": world, "client": client, "files": stored, "booking": booking}


NEEDLES = [
    "Alice Own",
    "client_a1@example.org",
    "alice.second@example.org",
    HEALTH,
    "SAMPLE-ALICE",
    "alice-own-stool",
]


def test_erasure_leaves_nothing(rich_file: dict[str, Any]) -> None:
    world: World = rich_file["world"]
    client: Client = rich_file["client"]
    user = world.users["client_a1"]
    assert _scan(NEEDLES)  # the scan does find them beforehand
    assert Session.objects.exists()
    portal = world.login("client_a1")
    assert portal.post(reverse("erasure_mine")).status_code == 302
    erasure = ErasureRequest.objects.get()
    staff = world.login("prac_a1")
    page = staff.get(reverse("erasure_detail", args=[erasure.pk]))
    assert page.status_code == 200
    response = staff.post(
        reverse("erasure_detail", args=[erasure.pk]), {"name": " alice  own ", "exported": "on"}
    )
    assert response.status_code == 302

    assert _scan(NEEDLES) == []
    for path in rich_file["files"]:
        assert not path.exists(), path
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.DONE
    assert erasure.client is None and erasure.client_ref == client.pk
    assert erasure.pending_files == []
    assert erasure.decided_by == world.users["prac_a1"] and erasure.done_at is not None
    # nothing of the file is left
    assert not Client.objects.filter(pk=client.pk).exists()
    for model in (Result, Plan, QuestionnaireRequest, Invitation, SafetyAlert):
        assert not model._default_manager.filter(client_id=client.pk).exists()
    assert not Plan.history.filter(client_id=client.pk).exists()
    checkin = _checkin_model()
    if checkin is not None:
        assert not checkin._default_manager.filter(client_id=client.pk).exists()
    # the login is closed and anonymised
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password() and user.full_name == ""
    assert user.email.endswith("@erased.invalid")
    assert not HttpClient().login(email="client_a1@example.org", password=PASSWORD)
    assert portal.get(reverse("portal")).status_code == 302  # the old session is gone
    # the booking keeps its time, not the person; it is cancelled, its reminder dropped
    booking = Booking.objects.get(pk=rich_file["booking"].pk)
    assert booking.status == BookingStatus.CANCELLED and booking.name == "[erased]"
    assert not Reminder.objects.filter(booking=booking).exists()
    # the audit log says that an erasure happened: who, when, which client id
    entries = LogEntry.objects.filter(additional_data__event="erasure done")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor == world.users["prac_a1"]
    assert entry.additional_data["client"] == str(client.pk)
    # earlier entries stay (actor, action, record id), without names or values
    views = LogEntry.objects.filter(
        additional_data__client=str(client.pk), action=LogEntry.Action.ACCESS
    )
    assert views.filter(actor=world.users["prac_a1"]).exists()
    # and the other files are untouched
    colin = world.files["client_a2"].client
    assert Client.objects.get(pk=colin.pk).display_name == "Colin Colleague"
    assert Result.objects.filter(client=colin).count() == 1
    assert User.objects.get(pk=world.users["client_a2"].pk).is_active


def test_erased_request_cannot_be_confirmed_twice(
    world: World, requests_: dict[str, ErasureRequest]
) -> None:
    own = requests_["own"]
    url = reverse("erasure_detail", args=[own.pk])
    http = world.login("owner_a")
    assert http.post(url, {"name": "Alice Own", "exported": "on"}).status_code == 302
    assert http.post(url, {"name": "Alice Own", "exported": "on"}).status_code == 404
    page = http.get(url).content.decode()
    assert "(erased)" in page and "Alice Own" not in page
    listed = http.get(reverse("erasure_list")).content.decode()
    assert str(own.client_ref) in listed


def test_file_that_cannot_be_deleted_is_retried(
    rich_file: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    world: World = rich_file["world"]
    erasure = _request(world, "client_a1")
    real_unlink = Path.unlink
    calls = {"n": 0}

    def failing(self: Path, missing_ok: bool = False) -> None:
        calls["n"] += 1
        raise PermissionError("read-only")

    monkeypatch.setattr(Path, "unlink", failing)
    http = world.login("owner_a")
    url = reverse("erasure_detail", args=[erasure.pk])
    assert http.post(url, {"name": "Alice Own", "exported": "on"}).status_code == 302
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.CONFIRMED and erasure.pending_files
    assert calls["n"] >= 1
    monkeypatch.setattr(Path, "unlink", real_unlink)
    assert http.post(url).status_code == 302
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.DONE and erasure.pending_files == []
    for path in rich_file["files"]:
        assert not path.exists()


def test_client_who_never_joined(world: World) -> None:
    """A file without a portal login (invitation never accepted) is erased the same way."""
    files = world.files["client_a2"]
    client = files.client
    login = world.users["client_a2"]
    Client.objects.filter(pk=client.pk).update(user=None)
    http = world.login("prac_a2")
    assert http.post(reverse("erasure_record", args=[client.pk])).status_code == 302
    erasure = ErasureRequest.objects.get(client_ref=client.pk)
    assert erasure.requested_by == world.users["prac_a2"]
    url = reverse("erasure_detail", args=[erasure.pk])
    assert http.post(url, {"name": "Colin Colleague", "exported": "on"}).status_code == 302
    assert not Client.objects.filter(pk=client.pk).exists()
    assert not Result.objects.filter(pk=files.result.pk).exists()
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.DONE
    # the unlinked login is not the file's: left alone
    assert User.objects.get(pk=login.pk).is_active
