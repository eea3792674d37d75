"""Progress pages (questionnaire trends with bands and MID, re-tests, check-ins) and the
client's check-in form."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from gutbrain.report.charts import Charts
from gutbrain.web.plans.models import CheckIn
from gutbrain.web.plans.progress import questionnaire_trends
from gutbrain.web.plans.services import publish
from tests.web.conftest import World
from tests.web.plans_support import add_assessment, add_profile, drafted, items_of, phq9

GOOD = {"mood": "6", "energy": "5", "sleep": "7", "gut_comfort": "4", "stress": "3"}


def _svgs(body: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", body, flags=re.S)


@pytest.fixture
def history(world: World) -> World:
    """Client A1 with two scored assessments, two profiles and two check-ins."""
    client = world.files["client_a1"].client
    add_assessment(client, "2026-10-01", {"phq9": phq9(15), "gad7": [2, 2, 1, 1, 1, 1, 1]})
    add_assessment(client, "2026-11-01", {"phq9": phq9(8), "gad7": [1, 1, 1, 1, 0, 0, 0]})
    add_profile(client, "SAMPLE-ALICE-1", {"inflammation": 40.0, "scfa": 55.0}, shared=True)
    add_profile(client, "SAMPLE-ALICE-2", {"inflammation": 62.0, "scfa": 58.0}, shared=True)
    for day, mood in ((date(2026, 11, 10), 4), (date(2026, 11, 17), 7)):
        CheckIn.objects.create(
            client=client, date=day, mood=mood, energy=5, sleep=6, gut_comfort=5, stress=4
        )
    return world


def test_staff_progress_has_charts_with_text_alternatives(history: World) -> None:
    url = reverse("client_progress", args=[history.files["client_a1"].client.pk])
    response = history.login("prac_a1").get(url)
    assert response.status_code == 200
    body = response.content.decode()
    svgs = _svgs(body)
    # PHQ-9, GAD-7, 2 mechanisms, 5 check-in ratings
    assert len(svgs) == 9
    for svg in svgs:
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
        assert " style=" not in svg and "<script" not in svg
    assert "PHQ-9 over time" in body and "GAD-7 over time" in body
    assert "Mood (0 to 10) over time" in body
    # band thresholds and the minimal important difference from the instrument data
    phq = next(s for s in svgs if "PHQ-9 over time" in s)
    assert "Moderate" in phq and "MID 5" in phq
    assert "minimal important difference of 5" in phq
    assert "Minimal important difference: 5 points." in body
    # tables with the same numbers
    assert "<table>" in body and "(at least the MID)" in body
    assert "<caption" in body


def test_client_sees_own_progress(history: World) -> None:
    body = history.login("client_a1").get(reverse("portal_progress")).content.decode()
    assert len(_svgs(body)) == 9
    assert reverse("checkin") in body
    assert "Colin Colleague" not in body and "Bea Other" not in body


def test_single_measurements_give_tables_not_charts(world: World) -> None:
    client = world.files["client_a1"].client
    add_assessment(client, "2026-10-01", {"phq9": phq9(5)})
    body = world.login("prac_a1").get(reverse("client_progress", args=[client.pk])).content.decode()
    assert not _svgs(body)
    assert "A chart appears from the second measurement on." in body
    assert "No check-ins yet." in body


def test_questionnaire_trend_of_an_unknown_instrument_still_tabulates(world: World) -> None:
    a = world.files["client_a1"].assessment
    a.document = {"date": "2026-11-20", "results": [{"instrument": "old_x", "score": 3}]}
    a.save()
    trends = questionnaire_trends([a], Charts("practitioner"))
    assert trends[0].title == "old_x" and trends[0].rows == [("2026-11-20", "3", "", "")]


# ---------------------------------------------------------------- check-in


def _publish_plan(world: World) -> list[str]:
    plan = drafted(world.files["client_a1"].client, world.users["prac_a1"])
    publish(plan, world.users["prac_a1"])
    return items_of(plan)


def test_checkin_saves_ratings_and_items_done(world: World) -> None:
    items = _publish_plan(world)
    http = world.login("client_a1")
    page = http.get(reverse("checkin")).content.decode()
    assert f'value="{items[0]}"' in page
    today = timezone.localdate().isoformat()
    data = {"date": today, **GOOD, "items_done": items[:2]}
    response = http.post(reverse("checkin"), data)
    assert response.status_code == 302 and response["Location"] == reverse("portal_progress")
    entry = CheckIn.objects.get()
    assert entry.items_done == items[:2] and entry.mood == 6 and entry.plan is not None
    assert entry.client == world.files["client_a1"].client
    assert entry.created_by == world.users["client_a1"]
    staff = (
        world.login("prac_a1")
        .get(reverse("client_progress", args=[entry.client.pk]))
        .content.decode()
    )
    assert today in staff


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mood": "11"}, "less than or equal to 10"),
        ({"stress": "-1"}, "greater than or equal to 0"),
        ({"sleep": ""}, "This field is required"),
        ({"energy": "lots"}, "Enter a whole number"),
        ({"items_done": ["not-an-item"]}, "Select a valid choice"),
        ({"date": "not a date"}, "Enter a valid date"),
    ],
    ids=["above-10", "below-0", "missing", "not-a-number", "unknown-item", "bad-date"],
)
def test_checkin_validation(world: World, change: dict[str, object], message: str) -> None:
    _publish_plan(world)
    data: dict[str, object] = {"date": timezone.localdate().isoformat(), **GOOD, **change}
    response = world.login("client_a1").post(reverse("checkin"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CheckIn.objects.exists()


def test_checkin_date_not_in_the_future_and_once_a_day(world: World) -> None:
    http = world.login("client_a1")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = http.post(reverse("checkin"), {"date": tomorrow, **GOOD})
    assert response.status_code == 400 and "cannot be in the future" in response.content.decode()
    today = timezone.localdate().isoformat()
    assert http.post(reverse("checkin"), {"date": today, **GOOD}).status_code == 302
    response = http.post(reverse("checkin"), {"date": today, **GOOD})
    assert response.status_code == 400 and "already checked in" in response.content.decode()
    assert CheckIn.objects.count() == 1


def test_checkin_without_a_plan_has_no_items(world: World) -> None:
    world.files["client_a1"].plan.delete()
    page = world.login("client_a1").get(reverse("checkin")).content.decode()
    assert "items_done" not in page


def test_checkin_needs_csrf(world: World) -> None:
    http = world.login("client_a1", enforce_csrf_checks=True)
    data = {"date": timezone.localdate().isoformat(), **GOOD}
    assert http.post(reverse("checkin"), data).status_code == 403
    assert not CheckIn.objects.exists()


@time_machine.travel("2026-12-01 10:00:00+00:00", tick=False)
def test_checkin_defaults_to_today(world: World) -> None:
    page = world.login("client_a1").get(reverse("checkin")).content.decode()
    assert 'value="2026-12-01"' in page


def test_portal_and_client_file_link_to_progress(world: World) -> None:
    portal = world.login("client_a1").get(reverse("portal")).content.decode()
    assert reverse("checkin") in portal and reverse("portal_progress") in portal
    client = world.files["client_a1"].client
    page = world.login("prac_a1").get(reverse("client_detail", args=[client.pk])).content.decode()
    assert reverse("client_progress", args=[client.pk]) in page
    assert reverse("plan_draft", args=[client.pk]) in page
