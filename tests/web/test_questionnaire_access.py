"""Access-control matrix of the questionnaire views: 6 actors × 8 requests.

Actors: anonymous, the owner, the client's practitioner, another practitioner of the practice,
the client, another client. Target: Alice Own (client_a1, of prac_a1) with an open request
and an unacknowledged safety alert. ``ok`` means the request succeeds; a response that must not
show Alice's file is also searched for her name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from gutbrain.web.assessments.models import Assessment, QuestionnaireRequest, SafetyAlert

from .conftest import World

ACTORS = {
    "anonymous": None,
    "owner": "owner_a",
    "practitioner": "prac_a1",
    "other_practitioner": "prac_a2",
    "client": "client_a1",
    "other_client": "client_a2",
}
ANSWERS = {f"who5__q{n}": "3" for n in range(1, 6)}
LOGIN = "login"


@dataclass
class Target:
    request: QuestionnaireRequest
    token: str
    alert: SafetyAlert


def _target(world: World) -> Target:
    client = world.files["client_a1"].client
    q, token = QuestionnaireRequest.issue(
        created_by=client.practitioner, client=client, instruments=["who5"]
    )
    flagged = Assessment.objects.create(
        client=client,
        format="gutbrain-assessment/1",
        document={},
        taken_on="2026-11-21",
        safety_flag=True,
    )
    alert = SafetyAlert.objects.create(client=client, assessment=flagged, priority="urgent")
    return Target(q, token, alert)


def _send_get(http: HttpClient, t: Target) -> Any:
    return http.get(reverse("send_questionnaires"))


def _send_post(http: HttpClient, t: Target) -> Any:
    data = {"client": str(t.request.client_id), "instruments": ["phq9"]}
    return http.post(reverse("send_questionnaires"), data)


def _link_get(http: HttpClient, t: Target) -> Any:
    return http.get(reverse("questionnaire_link", args=[t.token]))


def _portal_get(http: HttpClient, t: Target) -> Any:
    return http.get(reverse("questionnaire_portal", args=[t.request.pk]))


def _portal_post(http: HttpClient, t: Target) -> Any:
    return http.post(reverse("questionnaire_portal", args=[t.request.pk]), ANSWERS)


def _ack(http: HttpClient, t: Target) -> Any:
    return http.post(reverse("acknowledge_alert", args=[t.alert.pk]))


def _dashboard(http: HttpClient, t: Target) -> Any:
    return http.get(reverse("dashboard"))


def _portal_home(http: HttpClient, t: Target) -> Any:
    return http.get(reverse("portal"))


VIEWS = {
    "send_get": _send_get,
    "send_post": _send_post,
    "link_get": _link_get,
    "portal_answer_get": _portal_get,
    "portal_answer_post": _portal_post,
    "acknowledge": _ack,
    "dashboard": _dashboard,
    "portal": _portal_home,
}

# expected outcome: HTTP status, LOGIN (redirect to sign-in), or "portal" (redirect to it)
MATRIX: dict[str, dict[str, Any]] = {
    "send_get": {
        "anonymous": LOGIN,
        "owner": 403,
        "practitioner": 200,
        "other_practitioner": 200,
        "client": 403,
        "other_client": 403,
    },
    "send_post": {
        "anonymous": LOGIN,
        "owner": 403,
        "practitioner": 200,
        "other_practitioner": 200,
        "client": 403,
        "other_client": 403,
    },
    # the link is the credential: whoever holds it may answer (nothing else is shown)
    "link_get": {a: 200 for a in ACTORS},
    "portal_answer_get": {
        "anonymous": LOGIN,
        "owner": 403,
        "practitioner": 403,
        "other_practitioner": 403,
        "client": 200,
        "other_client": 404,
    },
    "portal_answer_post": {
        "anonymous": LOGIN,
        "owner": 403,
        "practitioner": 403,
        "other_practitioner": 403,
        "client": 200,
        "other_client": 404,
    },
    "acknowledge": {
        "anonymous": LOGIN,
        "owner": 302,
        "practitioner": 302,
        "other_practitioner": 404,
        "client": 403,
        "other_client": 403,
    },
    "dashboard": {
        "anonymous": LOGIN,
        "owner": 200,
        "practitioner": 200,
        "other_practitioner": 200,
        "client": "portal",
        "other_client": "portal",
    },
    "portal": {
        "anonymous": LOGIN,
        "owner": 403,
        "practitioner": 403,
        "other_practitioner": 403,
        "client": 200,
        "other_client": 200,
    },
}
#: (view, actor) pairs whose response may name Alice (her own, or her practitioner's pages)
MAY_SEE_ALICE = {
    ("send_get", "owner"),
    ("send_get", "practitioner"),
    ("send_post", "practitioner"),
    ("dashboard", "owner"),
    ("dashboard", "practitioner"),
    ("portal", "client"),
    ("portal_answer_get", "client"),
    ("portal_answer_post", "client"),
}
CASES = [(v, a) for v in VIEWS for a in ACTORS]


def test_matrix_is_complete() -> None:
    assert len(CASES) == 48
    assert all(set(MATRIX[v]) == set(ACTORS) for v in VIEWS)


@pytest.mark.django_db
@pytest.mark.parametrize(("view", "actor"), CASES, ids=[f"{v}-{a}" for v, a in CASES])
def test_access(world: World, view: str, actor: str) -> None:
    target = _target(world)
    http = world.login(ACTORS[actor])
    response = VIEWS[view](http, target)
    expected = MATRIX[view][actor]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif expected == "portal":
        assert response.status_code == 302 and response["Location"] == reverse("portal")
    else:
        assert response.status_code == expected
    body = response.content.decode()
    if (view, actor) not in MAY_SEE_ALICE:
        assert "Alice Own" not in body
    if view != "send_post" or actor != "practitioner":
        # nobody but the client's practitioner opens a request for Alice
        assert QuestionnaireRequest.objects.filter(client=target.request.client).count() == 1
    alert_open = SafetyAlert.objects.get(pk=target.alert.pk).acknowledged_at is None
    assert alert_open == (view != "acknowledge" or actor not in ("owner", "practitioner"))
    answered = QuestionnaireRequest.objects.get(pk=target.request.pk).used_at is not None
    assert answered == (view == "portal_answer_post" and actor == "client")
    if view == "dashboard" and expected == 200:
        assert ("Urgent" in body) == (actor in ("owner", "practitioner"))
