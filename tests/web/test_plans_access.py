"""Access matrix of the plan and progress views: 7 actors × every new view × own / other
practice's object → the expected status, and no response shows a name it must not (0 leaks).

Actors: anonymous, owner A, practitioner A1 (the target's practitioner), practitioner A2 (a
colleague), client A1 (the target), client A2 (another client), practitioner B (another
practice). Targets: ``a1`` = client A1's plan / file, ``b`` = practice B's client's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from gutbrain.web.plans.models import CheckIn, Plan, PlanStatus
from gutbrain.web.plans.services import publish
from tests.web.conftest import World
from tests.web.plans_support import drafted, items_of

ACTORS = ("anonymous", "owner_a", "prac_a1", "prac_a2", "client_a1", "client_a2", "prac_b")
TARGETS = {"a1": ("client_a1", "prac_a1"), "b": ("client_b", "prac_b")}
NAMES = {"client_a1": "Alice Own", "client_a2": "Colin Colleague", "client_b": "Bea Other"}
SAMPLES = {"client_a1": "SAMPLE-ALICE", "client_a2": "SAMPLE-COLIN", "client_b": "SAMPLE-BEA"}
MAY_SEE = {
    "anonymous": set(),
    "owner_a": {"client_a1", "client_a2"},
    "prac_a1": {"client_a1"},
    "prac_a2": {"client_a2"},
    "client_a1": {"client_a1"},
    "client_a2": {"client_a2"},
    "prac_b": {"client_b"},
}
LOGIN = "login"
OK = "ok"  # 200 for GET, a redirect to a page of the object for POST


def _staff(target: str) -> dict[str, Any]:
    """Expected results of a staff-only view on the target's object."""
    return {
        "anonymous": LOGIN,
        "owner_a": OK if target == "a1" else 404,
        "prac_a1": OK if target == "a1" else 404,
        "prac_a2": 404,
        "client_a1": 403,
        "client_a2": 403,
        "prac_b": OK if target == "b" else 404,
    }


@dataclass
class Target:
    client: Any
    draft: Plan
    published: Plan
    item: str


def _setup(world: World) -> dict[str, Target]:
    out = {}
    for key, (name, prac) in TARGETS.items():
        client = world.files[name].client
        user = world.users[prac]
        published = drafted(client, user)
        publish(published, user)
        draft = drafted(client, user)
        CheckIn.objects.create(
            client=client,
            date=date(2026, 11, 20),
            mood=5,
            energy=5,
            sleep=5,
            gut_comfort=5,
            stress=5,
        )
        out[key] = Target(client, draft, published, items_of(draft)[0])
    return out


#: view → (method, url builder, POST data builder)
def _views() -> dict[str, tuple[str, Any, Any]]:
    return {
        "plan_draft POST": ("post", lambda t: reverse("plan_draft", args=[t.client.pk]), None),
        "plan_edit GET": ("get", lambda t: reverse("plan_edit", args=[t.draft.pk]), None),
        "plan_edit POST": (
            "post",
            lambda t: reverse("plan_edit", args=[t.draft.pk]),
            lambda t: {"op": "remove", "remove-item": t.item, "remove-reason": "matrix"},
        ),
        "plan_edit published GET": (
            "get",
            lambda t: reverse("plan_edit", args=[t.published.pk]),
            None,
        ),
        "plan_item_edit GET": (
            "get",
            lambda t: reverse("plan_item_edit", args=[t.draft.pk, t.item]),
            None,
        ),
        "plan_publish POST": ("post", lambda t: reverse("plan_publish", args=[t.draft.pk]), None),
        "plan_versions GET": ("get", lambda t: reverse("plan_versions", args=[t.draft.pk]), None),
        "plan_version GET": (
            "get",
            lambda t: reverse(
                "plan_version", args=[t.draft.pk, t.draft.history.first().history_id]
            ),
            None,
        ),
        "client_progress GET": (
            "get",
            lambda t: reverse("client_progress", args=[t.client.pk]),
            None,
        ),
    }


VIEWS = _views()
CASES = [
    pytest.param(view, actor, target, id=f"{view}-{actor}-{target}")
    for view in VIEWS
    for actor in ACTORS
    for target in TARGETS
]


def _snapshot() -> list[tuple[str, str, str]]:
    return sorted(
        (str(p.pk), p.status, json.dumps(p.document, sort_keys=True)) for p in Plan.objects.all()
    )


def _check_leaks(response: Any, actor: str, url: str) -> None:
    body = response.content.decode()
    for name in set(NAMES) - MAY_SEE[actor]:
        assert NAMES[name] not in body, f"{actor} sees {NAMES[name]} at {url}"
        assert SAMPLES[name] not in body, f"{actor} sees {SAMPLES[name]} at {url}"


@pytest.mark.parametrize(("view", "actor", "target"), CASES)
def test_object_view(world: World, view: str, actor: str, target: str) -> None:
    targets = _setup(world)
    method, url_of, data_of = VIEWS[view]
    t = targets[target]
    url = url_of(t)
    http = world.login(None if actor == "anonymous" else actor)
    before = _snapshot()
    response = http.post(url, data_of(t) if data_of else {}) if method == "post" else http.get(url)
    expected = _staff(target)[actor]
    if expected == LOGIN:
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login") + "?next="), url
    elif expected == OK:
        if method == "get":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 302, url
            assert not response["Location"].startswith(reverse("account_login")), url
    else:
        assert response.status_code == expected, url
    if expected != OK:  # a refused request changes nothing
        assert _snapshot() == before, url
        t.draft.refresh_from_db()
        assert t.draft.status == PlanStatus.DRAFT
    _check_leaks(response, actor, url)


PORTAL = {
    "portal_progress GET": ("get", "portal_progress", None),
    "checkin GET": ("get", "checkin", None),
    "checkin POST": (
        "post",
        "checkin",
        {"date": "2026-11-25", "mood": 6, "energy": 6, "sleep": 6, "gut_comfort": 6, "stress": 4},
    ),
}
PORTAL_EXPECTED = {
    "anonymous": LOGIN,
    "owner_a": 403,
    "prac_a1": 403,
    "prac_a2": 403,
    "client_a1": OK,
    "client_a2": OK,
    "prac_b": 403,
}
PORTAL_CASES = [
    pytest.param(view, actor, id=f"{view}-{actor}") for view in PORTAL for actor in ACTORS
]


@pytest.mark.parametrize(("view", "actor"), PORTAL_CASES)
def test_portal_view(world: World, view: str, actor: str) -> None:
    _setup(world)
    method, name, data = PORTAL[view]
    url = reverse(name)
    http = world.login(None if actor == "anonymous" else actor)
    n_before = CheckIn.objects.count()
    response = http.post(url, data) if method == "post" else http.get(url)
    expected = PORTAL_EXPECTED[actor]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    elif expected == OK:
        assert response.status_code == (302 if method == "post" else 200)
    else:
        assert response.status_code == expected
    if method == "post":
        assert CheckIn.objects.count() == n_before + (1 if expected == OK else 0)
        if expected == OK:
            entry = CheckIn.objects.get(date=date(2026, 11, 25))
            assert entry.client.user == world.users[actor]
    _check_leaks(response, actor, url)


def test_matrix_size() -> None:
    assert len(CASES) == 9 * 7 * 2
    assert len(PORTAL_CASES) == 3 * 7


def test_checkin_visible_to(world: World) -> None:
    _setup(world)
    a1 = world.files["client_a1"].client
    seen = {
        actor: set(CheckIn.objects.visible_to(world.users[actor]).values_list("client", flat=True))
        for actor in ACTORS
        if actor != "anonymous"
    }
    b = world.files["client_b"].client
    assert seen["owner_a"] == {a1.pk}
    assert seen["prac_a1"] == {a1.pk}
    assert seen["prac_a2"] == set()
    assert seen["client_a1"] == {a1.pk}
    assert seen["client_a2"] == set()
    assert seen["prac_b"] == {b.pk}
    from django.contrib.auth.models import AnonymousUser

    assert not CheckIn.objects.visible_to(AnonymousUser()).exists()


def test_client_progress_shows_only_shared_results(world: World) -> None:
    """The client's own progress page never shows a result not shared with them."""
    result = world.files["client_a1"].result
    result.shared_with_client = False
    result.document = {
        "format": "gutbrain-profile/1",
        "sample": "SAMPLE-ALICE",
        "mechanisms": [{"id": "hidden_mech", "title": "Hidden mechanism", "score": 50.0}],
    }
    result.save()
    body = world.login("client_a1").get(reverse("portal_progress")).content.decode()
    assert "Hidden mechanism" not in body
    staff = world.login("prac_a1").get(
        reverse("client_progress", args=[world.files["client_a1"].client.pk])
    )
    assert "Hidden mechanism" in staff.content.decode()
