"""The item-9 escalation: crisis resources for the client at once, an urgent alert on the
practitioner's dashboard until acknowledged, and who may acknowledge it."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from gutbrain.knowledge.wording import load_safety_wording
from gutbrain.web.assessments.models import Assessment, QuestionnaireRequest, SafetyAlert

from .conftest import World

CALM = {
    "phq9": [0, 0, 0, 0, 0, 0, 0, 0, 0],
    "gad7": [0, 0, 0, 0, 0, 0, 0],
    "pss10": [1, 1, 1, 3, 3, 1, 3, 3, 1, 1],
    "who5": [4, 4, 4, 4, 4],
}


def form_data(answers: dict[str, list[int]]) -> dict[str, Any]:
    return {
        f"{inst}__q{n}": str(v)
        for inst, values in answers.items()
        for n, v in enumerate(values, start=1)
    }


def answer(world: World, answers: dict[str, list[int]], name: str = "client_a1") -> str:
    client = world.files[name].client
    _, token = QuestionnaireRequest.issue(
        created_by=client.practitioner, client=client, instruments=list(answers)
    )
    response = world.login(None).post(
        reverse("questionnaire_link", args=[token]), form_data(answers)
    )
    assert response.status_code == 200
    return response.content.decode()


def dashboard(world: World, name: str) -> str:
    response = world.login(name).get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "priority"),
    [
        ({"phq9": [0, 0, 0, 0, 0, 0, 0, 0, 1]}, "urgent"),
        ({"phq9": [0, 0, 0, 0, 0, 0, 0, 0, 3]}, "highest"),
        ({"phq9": [3, 3, 3, 3, 3, 3, 2, 0, 0]}, "prompt"),  # total 20
        ({"gad7": [3, 3, 3, 3, 3, 0, 0]}, "prompt"),  # total 15
    ],
)
def test_flag_shows_crisis_resources_and_opens_an_alert(
    world: World, change: dict[str, list[int]], priority: str
) -> None:
    body = answer(world, dict(CALM, **change))
    stored = Assessment.objects.get(request__isnull=False)
    safety = stored.document["safety"]
    assert stored.safety_flag and safety["priority"] == priority
    assert 'role="alert"' in body
    assert body.index(safety["headline"]) < body.index("Thank you for your answers")
    for resource in load_safety_wording().resources:
        assert resource.contact in body
    alert = SafetyAlert.objects.get()
    assert alert.assessment == stored and alert.priority == priority
    assert alert.acknowledged_at is None


@pytest.mark.django_db
def test_no_flag_no_alert_but_the_banner(world: World) -> None:
    body = answer(world, CALM)
    assert not SafetyAlert.objects.exists()
    assert load_safety_wording().crisis_banner in body
    assert "Urgent" not in dashboard(world, "prac_a1")


@pytest.mark.django_db
def test_alert_on_own_practitioners_and_owners_dashboard_only(world: World) -> None:
    answer(world, dict(CALM, phq9=[0, 0, 0, 0, 0, 0, 0, 0, 1]))
    for name in ("prac_a1", "owner_a"):
        page = dashboard(world, name)
        assert "Urgent: safety alerts" in page and "Alice Own" in page
        assert page.index("Urgent: safety alerts") < page.index(
            "Your clients" if name == "prac_a1" else "Practitioners"
        )
    for name in ("prac_a2", "prac_b", "owner_b"):
        assert "Urgent" not in dashboard(world, name)
    portal = world.login("client_a1").get(reverse("portal")).content.decode()
    assert "Urgent" not in portal


@pytest.mark.django_db
def test_acknowledgement_flow_is_recorded_and_audited(world: World) -> None:
    answer(world, dict(CALM, phq9=[0, 0, 0, 0, 0, 0, 0, 0, 2]))
    alert = SafetyAlert.objects.get()
    http = world.login("prac_a1")
    assert http.get(reverse("acknowledge_alert", args=[alert.pk])).status_code == 405
    assert "Urgent" in dashboard(world, "prac_a1")  # stays until acknowledged
    response = http.post(reverse("acknowledge_alert", args=[alert.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.users["prac_a1"] and alert.acknowledged_at is not None
    assert "Urgent" not in dashboard(world, "prac_a1")
    assert "Urgent" not in dashboard(world, "owner_a")
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(SafetyAlert),
        object_pk=str(alert.pk),
        action=LogEntry.Action.UPDATE,
    )
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor == world.users["prac_a1"]
    assert "acknowledged_at" in entry.changes_dict
    # a second acknowledgement changes nothing
    first = alert.acknowledged_at
    world.login("owner_a").post(reverse("acknowledge_alert", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.acknowledged_at == first and alert.acknowledged_by == world.users["prac_a1"]


@pytest.mark.django_db
def test_owner_may_acknowledge(world: World) -> None:
    answer(world, dict(CALM, phq9=[0, 0, 0, 0, 0, 0, 0, 0, 1]))
    alert = SafetyAlert.objects.get()
    assert (
        world.login("owner_a").post(reverse("acknowledge_alert", args=[alert.pk])).status_code
        == 302
    )
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.users["owner_a"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "status"),
    [
        (None, 302),
        ("prac_a2", 404),
        ("prac_b", 404),
        ("owner_b", 404),
        ("client_a1", 403),
        ("client_a2", 403),
    ],
)
def test_only_the_practitioner_and_owner_may_acknowledge(
    world: World, name: str | None, status: int
) -> None:
    answer(world, dict(CALM, phq9=[0, 0, 0, 0, 0, 0, 0, 0, 1]))
    alert = SafetyAlert.objects.get()
    response = world.login(name).post(reverse("acknowledge_alert", args=[alert.pk]))
    assert response.status_code == status
    if name is None:
        assert response["Location"].startswith(reverse("account_login"))
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    assert "Urgent" in dashboard(world, "prac_a1")


@pytest.mark.django_db
def test_alert_is_visible_to_nobody_outside_the_rules(world: World) -> None:
    answer(world, dict(CALM, phq9=[0, 0, 0, 0, 0, 0, 0, 0, 1]))
    visible = {n: SafetyAlert.objects.visible_to(u).count() for n, u in world.users.items()}
    assert visible == {
        "owner_a": 1,
        "prac_a1": 1,
        "prac_a2": 0,
        "owner_b": 0,
        "prac_b": 0,
        "client_a1": 0,
        "client_a2": 0,
        "client_b": 0,
    }
