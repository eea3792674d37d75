"""Audit pages: who sees which entries (owner: practice, practitioner: own clients, client:
who viewed their own file), filters and pages, read-only, and never any health data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from tests.web.conftest import World
from tests.web.privacy_support import ACTORS, LOGIN, NAMES, check

HEALTH = "HEALTH-SECRET-7f3a"

EXPECTED = {
    "audit_log": {
        "anonymous": LOGIN,
        "owner_a": 200,
        "prac_a1": 200,
        "prac_a2": 200,
        "client_a1": 403,
        "client_a2": 403,
        "owner_b": 200,
    },
    "audit_mine": {
        "anonymous": LOGIN,
        "owner_a": 403,
        "prac_a1": 403,
        "prac_a2": 403,
        "client_a1": 200,
        "client_a2": 200,
        "owner_b": 403,
    },
}


def _views(world: World) -> None:
    """Each file is opened by its practitioner, the owner and the client (audit entries)."""
    for name, viewers in (
        ("client_a1", ("prac_a1", "owner_a", "client_a1")),
        ("client_a2", ("prac_a2", "owner_a", "client_a2")),
        ("client_b", ("prac_b", "owner_b", "client_b")),
    ):
        files = world.files[name]
        for viewer in viewers:
            http = world.login(viewer)
            if viewer.startswith("client"):
                assert http.get(reverse("result_detail", args=[files.result.pk])).status_code == 200
            else:
                assert http.get(reverse("client_detail", args=[files.client.pk])).status_code == 200
                assert http.get(reverse("plan_detail", args=[files.draft.pk])).status_code == 200


@pytest.fixture
def logged(world: World) -> World:
    for files in world.files.values():
        for doc in (files.result, files.assessment, files.plan):
            doc.document = {**doc.document, "note": HEALTH}
            doc.save()
    _views(world)
    return world


@pytest.mark.parametrize("view", sorted(EXPECTED))
@pytest.mark.parametrize("actor", ACTORS)
def test_access_matrix(logged: World, view: str, actor: str) -> None:
    url = reverse(view)
    http = logged.login(None if actor == "anonymous" else actor)
    response = http.get(url)
    check(response, EXPECTED[view][actor], actor, url)
    if response.status_code == 200:
        assert HEALTH not in response.content.decode()


def test_entries_carry_practice_and_client_ids(logged: World) -> None:
    client = logged.files["client_a1"].client
    entries = LogEntry.objects.filter(additional_data__client=str(client.pk))
    assert entries.filter(action=LogEntry.Action.ACCESS).count() >= 3
    for entry in entries:
        assert entry.additional_data["practice"] == client.practice_id
    assert not LogEntry.objects.filter(changes__icontains=HEALTH).exists()
    for entry in LogEntry.objects.all():
        assert HEALTH not in repr(entry.changes) + entry.object_repr + repr(entry.additional_data)


def _rows(response: Any) -> str:
    """The table of entries (the filter's drop-downs list every visible client and actor)."""
    assert response.status_code == 200
    body = str(response.content.decode())
    start = body.index("<tbody>")
    return body[start : body.index("</tbody>", start)] + body[body.index("</table>") :]


def test_owner_sees_the_practice_only(logged: World) -> None:
    body = _rows(logged.login("owner_a").get(reverse("audit_log")))
    assert "Alice Own" in body and "Colin Colleague" in body
    assert "Bea Other" not in body and "Pia PracB" not in body


def test_practitioner_sees_own_clients_only(logged: World) -> None:
    body = _rows(logged.login("prac_a1").get(reverse("audit_log")))
    assert "Alice Own" in body and "Paul PracA1" in body
    assert "Colin Colleague" not in body and "Petra PracA2" not in body
    # filtering by another practitioner's client (made-up choice) shows nothing
    other = logged.files["client_a2"].client.pk
    body = _rows(logged.login("prac_a1").get(reverse("audit_log"), {"client": str(other)}))
    assert "No entries." in body


def test_client_sees_who_viewed_their_file(logged: World) -> None:
    body = _rows(logged.login("client_a1").get(reverse("audit_mine")))
    assert "Paul PracA1" in body and "Olga OwnerA" in body
    assert "Petra PracA2" not in body and "Colin Colleague" not in body
    assert "viewed" in body


def test_filters(logged: World) -> None:
    http = logged.login("owner_a")
    a1 = logged.files["client_a1"].client
    prac = logged.users["prac_a1"]
    body = _rows(http.get(reverse("audit_log"), {"client": str(a1.pk)}))
    assert "Colin Colleague" not in body and "Alice Own" in body
    body = _rows(http.get(reverse("audit_log"), {"actor": str(prac.pk), "action": "3"}))
    assert "Paul PracA1" in body and "Petra PracA2" not in body and "Olga OwnerA" not in body
    assert "update" not in body
    # date range: move A1's entries into the past
    LogEntry.objects.filter(additional_data__client=str(a1.pk)).update(
        timestamp=timezone.now() - timedelta(days=40)
    )
    today = timezone.now().date()
    body = _rows(http.get(reverse("audit_log"), {"since": str(today - timedelta(days=1))}))
    assert "Alice Own" not in body and "Colin Colleague" in body
    body = _rows(http.get(reverse("audit_log"), {"until": str(today - timedelta(days=30))}))
    assert "Alice Own" in body and "Colin Colleague" not in body
    body = _rows(http.get(reverse("audit_log"), {"since": str(today), "until": "2000-01-01"}))
    assert "No entries." in body
    body = _rows(http.get(reverse("audit_log"), {"actor": "not a number"}))
    assert "No entries." in body


def test_pages(logged: World) -> None:
    http = logged.login("prac_a1")
    detail = reverse("client_detail", args=[logged.files["client_a1"].client.pk])
    for _ in range(60):
        http.get(detail)
    first = _rows(http.get(reverse("audit_log")))
    assert "Page 1 of 2" in first
    second = _rows(http.get(reverse("audit_log"), {"page": "2", "action": "3"}))
    assert "Page 2 of 2" in second
    assert _rows(http.get(reverse("audit_log"), {"page": "99"})).count("<tr>") >= 2


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize(("view", "actor"), [("audit_log", "owner_a"), ("audit_mine", "client_a1")])
def test_read_only(logged: World, view: str, actor: str, method: str) -> None:
    before = LogEntry.objects.count()
    response = getattr(logged.login(actor), method)(reverse(view))
    assert response.status_code == 405
    assert LogEntry.objects.count() == before


def test_names_are_escaped(logged: World) -> None:
    client = logged.files["client_a1"].client
    client.display_name = "<script>x</script>"
    client.save()
    body = logged.login("owner_a").get(reverse("audit_log")).content.decode()
    assert "<script>x</script>" not in body
    assert NAMES["client_b"] not in body
