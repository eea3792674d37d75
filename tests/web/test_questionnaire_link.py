"""Questionnaires by single-use link and in the portal: sending, answering, scoring, storing."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from gutbrain.assess import assess
from gutbrain.pipeline.assess import assessment_document
from gutbrain.web.assessments.models import Assessment, QuestionnaireRequest, SafetyAlert
from gutbrain.web.assessments.services import build_answer_set
from gutbrain.web.clients.models import hash_token

from .conftest import World

ANSWERS: dict[str, list[int]] = {
    "phq9": [1, 1, 2, 0, 1, 0, 1, 0, 0],
    "gad7": [1, 2, 1, 0, 1, 1, 0],
    "pss10": [2, 1, 3, 2, 1, 2, 3, 1, 2, 0],
    "who5": [3, 2, 2, 2, 3],
}


def form_data(answers: dict[str, list[int]]) -> dict[str, Any]:
    return {
        f"{inst}__q{n}": str(v)
        for inst, values in answers.items()
        for n, v in enumerate(values, start=1)
    }


def issue(world: World, name: str = "client_a1", **kw: Any) -> tuple[QuestionnaireRequest, str]:
    files = world.files[name]
    return QuestionnaireRequest.issue(
        created_by=files.client.practitioner,
        client=files.client,
        instruments=kw.get("instruments", ["phq9", "gad7", "pss10", "who5"]),
    )


def link(token: str) -> str:
    return reverse("questionnaire_link", args=[token])


@pytest.mark.django_db
def test_practitioner_sends_a_set_by_email(world: World) -> None:
    http = world.login("prac_a1")
    page = http.get(reverse("send_questionnaires"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Alice Own" in body and "Colin Colleague" not in body  # only own clients offered
    for default in ("phq9", "gad7", "pss10", "who5"):
        assert re.search(rf'value="{default}"[^>]*checked', body)
    client = world.files["client_a1"].client
    response = http.post(
        reverse("send_questionnaires"), {"client": str(client.pk), "instruments": ["phq9", "who5"]}
    )
    assert response.status_code == 200
    q = QuestionnaireRequest.objects.get()
    assert q.client == client and q.instruments == ["phq9", "who5"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [client.email]
    token = re.search(r"/q/([^/\s]+)/", mail.outbox[0].body)
    assert token is not None
    assert q.token_hash == hash_token(token.group(1)) and token.group(1) not in q.token_hash
    assert q.expires_at - timezone.now() == pytest.approx(
        timedelta(days=14), abs=timedelta(minutes=1)
    )
    form = http.get(link(token.group(1)))
    assert form.status_code == 200
    assert "PHQ-9" in form.content.decode() or "Patient Health" in form.content.decode()


@pytest.mark.django_db
def test_practitioner_cannot_send_to_another_practitioners_client(world: World) -> None:
    other = world.files["client_a2"].client
    response = world.login("prac_a1").post(
        reverse("send_questionnaires"), {"client": str(other.pk), "instruments": ["phq9"]}
    )
    assert response.status_code == 200 and not QuestionnaireRequest.objects.exists()
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_form_renders_every_item_with_its_options(world: World) -> None:
    from gutbrain.knowledge.instruments import get_instrument

    _, token = issue(world)
    body = world.login(None).get(link(token)).content.decode()
    assert "csrfmiddlewaretoken" in body
    for inst_id in ("phq9", "gad7", "pss10", "who5"):
        inst = get_instrument(inst_id)
        for item in inst.items:
            assert f'name="{inst_id}__{item.id}"' in body
            for option in item.options:
                assert f'value="{option.value}"' in body
    assert body.count("<fieldset") >= 9 + 7 + 10 + 5  # one radio group per item
    assert "<legend" in body


@pytest.mark.django_db
def test_link_is_single_use(world: World) -> None:
    q, token = issue(world)
    anon = world.login(None)
    first = anon.post(link(token), form_data(ANSWERS))
    assert first.status_code == 200 and "Thank you" in first.content.decode()
    q.refresh_from_db()
    assert q.used_at is not None and q.assessment is not None
    again = anon.post(link(token), form_data(ANSWERS))
    assert again.status_code == 410 and "already been answered" in again.content.decode()
    assert anon.get(link(token)).status_code == 410
    assert Assessment.objects.filter(client=q.client).count() == 2  # fixture's + this one


@pytest.mark.django_db
def test_a_submit_that_loses_the_race_gets_the_used_page(world: World) -> None:
    q, token = issue(world)
    anon = world.login(None)
    anon.get(link(token))
    # another tab submits first (the row is claimed between page load and this submit)
    QuestionnaireRequest.objects.filter(pk=q.pk).update(used_at=timezone.now())
    from gutbrain.web.assessments.services import AlreadyUsedError, submit

    with pytest.raises(AlreadyUsedError):
        submit(q, {"who5": {"q1": 1}}, user=None, channel="link")
    assert Assessment.objects.filter(client=q.client).count() == 1


@pytest.mark.django_db
def test_expired_link(world: World) -> None:
    with time_machine.travel(timezone.now(), tick=False):
        _, token = issue(world)
    anon = world.login(None)
    with time_machine.travel(timezone.now() + timedelta(days=14, seconds=1), tick=False):
        response = anon.get(link(token))
        assert response.status_code == 410 and "expired" in response.content.decode()
        posted = anon.post(link(token), form_data(ANSWERS))
        assert posted.status_code == 410
    with time_machine.travel(timezone.now() + timedelta(days=13), tick=False):
        assert anon.get(link(token)).status_code == 200
    assert QuestionnaireRequest.objects.get().used_at is None


@pytest.mark.django_db
def test_wrong_token(world: World) -> None:
    _, token = issue(world)
    anon = world.login(None)
    for bad in ("made-up", token[:-1] + ("A" if token[-1] != "A" else "B")):
        response = anon.get(link(bad))
        assert response.status_code == 404 and "not valid" in response.content.decode()
        assert anon.post(link(bad), form_data(ANSWERS)).status_code == 404


@pytest.mark.django_db
def test_stored_document_equals_the_engine_on_the_same_answers(world: World) -> None:
    q, token = issue(world)
    world.login(None).post(link(token), form_data(ANSWERS))
    stored = Assessment.objects.get(request=q)
    mapping = {k: {f"q{n}": v for n, v in enumerate(vs, 1)} for k, vs in ANSWERS.items()}
    expected = assessment_document(
        assess(build_answer_set(str(q.client_id), stored.taken_on, mapping, "x"))
    )
    assert stored.format == "gutbrain-assessment/1"
    assert stored.document == expected
    assert stored.taken_on == timezone.localdate()
    assert stored.safety_flag is False and not SafetyAlert.objects.exists()
    scores = {r["instrument"]: r["score"] for r in stored.document["results"]}
    assert scores == {"phq9": 6, "gad7": 6, "pss10": 19, "who5": 48}
    assert stored.provenance["source"] == "questionnaire (link)"


@pytest.mark.django_db
def test_previous_assessment_is_linked_with_change(world: World) -> None:
    anon = world.login(None)
    with time_machine.travel("2026-12-01 10:00Z", tick=False):
        _, token = issue(world)
        anon.post(link(token), form_data(ANSWERS))
    first = Assessment.objects.get(taken_on="2026-12-01")
    better = dict(ANSWERS, phq9=[0] * 9, who5=[4, 4, 4, 4, 4])
    with time_machine.travel("2026-12-29 10:00Z", tick=False):
        _, token = issue(world)
        anon.post(link(token), form_data(better))
    second = Assessment.objects.get(taken_on="2026-12-29")
    assert second.previous == first
    assert second.document["previous_date"] == "2026-12-01"
    changes = {r["instrument"]: r["change"] for r in second.document["results"]}
    assert changes["phq9"]["delta"] == -6 and changes["phq9"]["category"] == "improved"
    assert changes["who5"]["delta"] == 32 and changes["who5"]["category"] == "improved"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"phq9__q3": None}, "Please choose an answer."),
        ({"phq9__q3": "4"}, "Select a valid choice"),
        ({"who5__q1": "-1"}, "Select a valid choice"),
        ({"gad7__q2": "two"}, "Select a valid choice"),
    ],
)
def test_invalid_answers_re_render_with_messages(
    world: World, change: dict[str, str | None], message: str
) -> None:
    q, token = issue(world)
    data = form_data(ANSWERS)
    for key, value in change.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    response = world.login(None).post(link(token), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body and "missing or not valid" in body
    assert 'value="2" checked' in body or "checked" in body  # other answers kept
    q.refresh_from_db()
    assert q.used_at is None and not Assessment.objects.filter(request=q).exists()


@pytest.mark.django_db
def test_number_items_are_checked_against_their_range(world: World) -> None:
    _, token = issue(world, instruments=["evs"])
    anon = world.login(None)
    response = anon.post(link(token), {"evs__days_per_week": "9", "evs__minutes_per_session": "30"})
    assert response.status_code == 400
    assert "less than or equal to 7" in response.content.decode()
    ok = anon.post(link(token), {"evs__days_per_week": "0"})  # minutes skipped when days are 0
    assert ok.status_code == 200, ok.content.decode()[:2000]
    doc = Assessment.objects.get(request__isnull=False).document
    assert doc["results"][0]["instrument"] == "evs"


@pytest.mark.django_db
def test_portal_flow_for_a_signed_in_client(world: World) -> None:
    q, _ = issue(world)
    http = world.login("client_a1")
    portal = http.get(reverse("portal")).content.decode()
    url = reverse("questionnaire_portal", args=[q.pk])
    assert url in portal
    page = http.get(url)
    assert page.status_code == 200 and 'name="phq9__q9"' in page.content.decode()
    done = http.post(url, form_data(ANSWERS))
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    stored = Assessment.objects.get(request=q)
    assert stored.created_by == world.users["client_a1"]
    assert stored.provenance["source"] == "questionnaire (portal)"
    assert url not in http.get(reverse("portal")).content.decode()  # no longer open
    assert http.post(url, form_data(ANSWERS)).status_code == 410
