"""Client data export: who may download which file, the ZIP's members and checksums, the
headers, POST + CSRF only, and an audit entry for every export."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from gutbrain.web.booking.models import Booking, BookingStatus
from gutbrain.web.plans.models import PlanStatus
from gutbrain.web.privacy.export import _checkin_model
from tests.web.conftest import World
from tests.web.privacy_support import ACTORS, LOGIN, NAMES, SAMPLES, check

TARGETS = {"own": "client_a1", "colleague": "client_a2", "other": "client_b"}
EXPORT_CLIENT = {
    "anonymous": {"own": LOGIN, "colleague": LOGIN, "other": LOGIN},
    "owner_a": {"own": 200, "colleague": 200, "other": 404},
    "prac_a1": {"own": 200, "colleague": 404, "other": 404},
    "prac_a2": {"own": 404, "colleague": 200, "other": 404},
    "client_a1": {"own": 403, "colleague": 403, "other": 403},
    "client_a2": {"own": 403, "colleague": 403, "other": 403},
    "owner_b": {"own": 404, "colleague": 404, "other": 200},
}
EXPORT_MINE = {
    "anonymous": LOGIN,
    "owner_a": 403,
    "prac_a1": 403,
    "prac_a2": 403,
    "client_a1": 200,
    "client_a2": 200,
    "owner_b": 403,
}
OWN_CLIENT = {"client_a1": "client_a1", "client_a2": "client_a2"}


def _zip(response: Any) -> zipfile.ZipFile:
    assert response.streaming
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _all_text(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(n).decode(errors="replace") for n in archive.namelist())


def _assert_only(archive: zipfile.ZipFile, own: str) -> None:
    text = _all_text(archive)
    for name in set(NAMES) - {own}:
        assert NAMES[name] not in text
        assert SAMPLES[name] not in text


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("actor", ACTORS)
def test_export_client_matrix(world: World, actor: str, target: str) -> None:
    client = world.files[TARGETS[target]].client
    url = reverse("export_client", args=[client.pk])
    http = world.login(None if actor == "anonymous" else actor)
    before = LogEntry.objects.filter(additional_data__event="export").count()
    response = http.post(url)
    expected = EXPORT_CLIENT[actor][target]
    check(response, expected, actor, url)
    exported = LogEntry.objects.filter(additional_data__event="export").count() - before
    if expected == 200:
        _assert_only(_zip(response), TARGETS[target])
        assert exported == 1
    else:
        assert exported == 0


@pytest.mark.parametrize("actor", ACTORS)
def test_export_mine_matrix(world: World, actor: str) -> None:
    url = reverse("export_mine")
    http = world.login(None if actor == "anonymous" else actor)
    response = http.post(url)
    check(response, EXPORT_MINE[actor], actor, url)
    if response.status_code == 200:
        archive = _zip(response)
        _assert_only(archive, OWN_CLIENT[actor])
        client = json.loads(archive.read("client.json"))
        assert client["display_name"] == NAMES[OWN_CLIENT[actor]]


@pytest.mark.parametrize(
    ("actor", "url_name"), [("client_a1", "export_mine"), ("prac_a1", "export_client")]
)
def test_get_is_refused_and_csrf_is_required(world: World, actor: str, url_name: str) -> None:
    client = world.files["client_a1"].client
    url = reverse(url_name, args=[client.pk] if url_name == "export_client" else [])
    assert world.login(actor).get(url).status_code == 405
    strict = HttpClient(enforce_csrf_checks=True)
    strict.force_login(world.users[actor])
    assert strict.post(url).status_code == 403
    assert not LogEntry.objects.filter(additional_data__event="export").exists()


@pytest.fixture
def full_file(world: World, settings: Any, tmp_path: Path) -> World:
    """Client A1's file with a report file, plan versions, a booking and (if the model
    exists) a check-in."""
    settings.DATA_DIR = tmp_path
    files = world.files["client_a1"]
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "a1-report.html").write_bytes(b"<p>report of SAMPLE-ALICE</p>" * 5000)
    files.result.report_html = "a1-report.html"
    files.result.save()
    files.plan.document = {**files.plan.document, "note": "second version"}
    files.plan.save()
    start = timezone.now() + timedelta(days=3)
    Booking.objects.create(
        practice=files.client.practice,
        practitioner=world.users["prac_a1"],
        name="Alice Own",
        email="CLIENT_A1@example.org",
        start=start,
        end=start + timedelta(minutes=30),
        status=BookingStatus.CONFIRMED,
        verify_token_hash="v" * 64,
        verify_expires_at=start,
    )
    checkin = _checkin_model()
    if checkin is not None:
        checkin._default_manager.create(
            client=files.client, mood=5, energy=6, sleep=7, gut_comfort=4, stress=3
        )
    return world


def test_zip_contents_and_checksums(full_file: World) -> None:
    files = full_file.files["client_a1"]
    response = full_file.login("prac_a1").post(reverse("export_client", args=[files.client.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"gutbrain-export-{files.client.pk}.zip" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    archive = _zip(response)
    assert archive.testzip() is None
    names = set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "gutbrain-export/1"
    assert manifest["client_id"] == str(files.client.pk)
    assert manifest["view"] == "practice"
    assert "exported_at" in manifest and manifest["generator"].startswith("gutbrain ")
    listed = {m["path"] for m in manifest["members"]}
    assert listed == names - {"manifest.json"}
    for member in manifest["members"]:
        body = archive.read(member["path"])
        assert hashlib.sha256(body).hexdigest() == member["sha256"]
        assert len(body) == member["bytes"]
    assert f"results/{files.result.pk}.json" in names
    assert f"assessments/{files.assessment.pk}.json" in names
    assert {f"plans/{files.plan.pk}.json", f"plans/{files.draft.pk}.json"} <= names
    result = json.loads(archive.read(f"results/{files.result.pk}.json"))
    assert result["document"] == files.result.document
    assert result["provenance"] == files.result.provenance
    plan = json.loads(archive.read(f"plans/{files.plan.pk}.json"))
    assert [v["change"] for v in plan["history"]] == ["created", "changed"]
    assert plan["history"][-1]["document"]["note"] == "second version"
    report = f"files/result/{files.result.pk}/report_html-a1-report.html"
    assert archive.read(report) == b"<p>report of SAMPLE-ALICE</p>" * 5000
    bookings = [n for n in names if n.startswith("bookings/")]
    assert len(bookings) == 1
    assert "verify_token_hash" not in archive.read(bookings[0]).decode()
    if _checkin_model() is not None:
        assert len([n for n in names if n.startswith("check-ins/")]) == 1
    audit = json.loads(archive.read("audit.json"))
    assert audit and all("document" not in json.dumps(e) for e in audit)
    _assert_only(archive, "client_a1")


def test_client_export_holds_what_the_portal_shows(full_file: World) -> None:
    files = full_file.files["client_a1"]
    files.result.shared_with_client = False
    files.result.save()
    files.plan.status = PlanStatus.DRAFT
    files.plan.save()
    files.plan.status = PlanStatus.PUBLISHED
    files.plan.save()
    archive = _zip(full_file.login("client_a1").post(reverse("export_mine")))
    names = set(archive.namelist())
    assert f"results/{files.result.pk}.json" not in names
    assert not any(n.startswith("files/") for n in names)
    assert f"plans/{files.draft.pk}.json" not in names
    plan = json.loads(archive.read(f"plans/{files.plan.pk}.json"))
    assert plan["history"] and {v["status"] for v in plan["history"]} == {"published"}
    assert json.loads(archive.read("manifest.json"))["view"] == "client"


def test_export_is_audited(world: World) -> None:
    client = world.files["client_a1"].client
    world.login("client_a1").post(reverse("export_mine"))
    entry = LogEntry.objects.get(additional_data__event="export")
    assert entry.actor == world.users["client_a1"]
    assert entry.additional_data["client"] == str(client.pk)
    assert entry.action == LogEntry.Action.ACCESS
    page = world.login("client_a1").get(reverse("audit_mine")).content.decode()
    assert "exported your data" in page
