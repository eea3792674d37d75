"""The access-control matrix: every role × every view × own / colleague's / other practice's
object → the expected status, and no page shows a name it must not (0 leaks).

Actors are of practice A: anonymous, the owner, practitioner A1 and A1's client. Targets:
``own`` = client A1's file (the owner's practice, A1's own client, the client themself),
``colleague`` = client A2's file (same practice, practitioner A2), ``other`` = practice B's client.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.web.conftest import World

ACTORS = ("anonymous", "owner_a", "prac_a1", "client_a1")
TARGETS = {"own": "client_a1", "colleague": "client_a2", "other": "client_b"}
NAMES = {"client_a1": "Alice Own", "client_a2": "Colin Colleague", "client_b": "Bea Other"}
SAMPLES = {"client_a1": "SAMPLE-ALICE", "client_a2": "SAMPLE-COLIN", "client_b": "SAMPLE-BEA"}
#: client files each actor may see (everything else must never appear in a page)
MAY_SEE = {
    "anonymous": set(),
    "owner_a": {"client_a1", "client_a2"},
    "prac_a1": {"client_a1"},
    "client_a1": {"client_a1"},
}

LOGIN = "login"  # expected: redirect to the sign-in page

#: view -> which object of a file it shows; expected status per actor and target
OBJECT_VIEWS: dict[str, tuple[str, str, dict[str, dict[str, Any]]]] = {
    "client_detail": (
        "client_detail",
        "client",
        {
            "anonymous": {"own": LOGIN, "colleague": LOGIN, "other": LOGIN},
            "owner_a": {"own": 200, "colleague": 200, "other": 404},
            "prac_a1": {"own": 200, "colleague": 404, "other": 404},
            "client_a1": {"own": 403, "colleague": 403, "other": 403},
        },
    ),
    "result_detail": (
        "result_detail",
        "result",
        {
            "anonymous": {"own": LOGIN, "colleague": LOGIN, "other": LOGIN},
            "owner_a": {"own": 200, "colleague": 200, "other": 404},
            "prac_a1": {"own": 200, "colleague": 404, "other": 404},
            "client_a1": {"own": 200, "colleague": 404, "other": 404},
        },
    ),
    "assessment_detail": (
        "assessment_detail",
        "assessment",
        {
            "anonymous": {"own": LOGIN, "colleague": LOGIN, "other": LOGIN},
            "owner_a": {"own": 200, "colleague": 200, "other": 404},
            "prac_a1": {"own": 200, "colleague": 404, "other": 404},
            "client_a1": {"own": 200, "colleague": 404, "other": 404},
        },
    ),
    "plan_detail (published)": (
        "plan_detail",
        "plan",
        {
            "anonymous": {"own": LOGIN, "colleague": LOGIN, "other": LOGIN},
            "owner_a": {"own": 200, "colleague": 200, "other": 404},
            "prac_a1": {"own": 200, "colleague": 404, "other": 404},
            "client_a1": {"own": 200, "colleague": 404, "other": 404},
        },
    ),
    "plan_detail (draft)": (
        "plan_detail",
        "draft",
        {
            "anonymous": {"own": LOGIN, "colleague": LOGIN, "other": LOGIN},
            "owner_a": {"own": 200, "colleague": 200, "other": 404},
            "prac_a1": {"own": 200, "colleague": 404, "other": 404},
            "client_a1": {"own": 404, "colleague": 404, "other": 404},
        },
    ),
}

#: views without an object: (method, url name, POST data) -> expected status per actor
PLAIN_VIEWS: dict[str, tuple[str, str, dict[str, str] | None, dict[str, Any]]] = {
    "dashboard": (
        "get",
        "dashboard",
        None,
        {"anonymous": LOGIN, "owner_a": 200, "prac_a1": 200, "client_a1": "portal"},
    ),
    "portal": (
        "get",
        "portal",
        None,
        {"anonymous": LOGIN, "owner_a": 403, "prac_a1": 403, "client_a1": 200},
    ),
    "client_list": (
        "get",
        "client_list",
        None,
        {"anonymous": LOGIN, "owner_a": 200, "prac_a1": 200, "client_a1": 403},
    ),
    "invite_client GET": (
        "get",
        "invite_client",
        None,
        {"anonymous": LOGIN, "owner_a": 403, "prac_a1": 200, "client_a1": 403},
    ),
    "invite_client POST": (
        "post",
        "invite_client",
        {"full_name": "New Person", "email": "new@example.org"},
        {"anonymous": LOGIN, "owner_a": 403, "prac_a1": 200, "client_a1": 403},
    ),
    "invite_practitioner GET": (
        "get",
        "invite_practitioner",
        None,
        {"anonymous": LOGIN, "owner_a": 200, "prac_a1": 403, "client_a1": 403},
    ),
    "invite_practitioner POST": (
        "post",
        "invite_practitioner",
        {"full_name": "New Person", "email": "new@example.org"},
        {"anonymous": LOGIN, "owner_a": 200, "prac_a1": 403, "client_a1": 403},
    ),
    "healthz": (
        "get",
        "healthz",
        None,
        {"anonymous": 200, "owner_a": 200, "prac_a1": 200, "client_a1": 200},
    ),
    "sign-in page": (
        "get",
        "account_login",
        None,
        {
            "anonymous": 200,
            "owner_a": "dashboard",
            "prac_a1": "dashboard",
            "client_a1": "dashboard",
        },
    ),
}

OBJECT_CASES = [
    pytest.param(view, actor, target, id=f"{view}-{actor}-{target}")
    for view in OBJECT_VIEWS
    for actor in ACTORS
    for target in TARGETS
]
PLAIN_CASES = [
    pytest.param(view, actor, id=f"{view}-{actor}") for view in PLAIN_VIEWS for actor in ACTORS
]


def _check(response: Any, expected: Any, actor: str, url: str) -> None:
    if expected == LOGIN:
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login") + "?next="), url
    elif isinstance(expected, str):
        assert response.status_code == 302, url
        assert response["Location"] == reverse(expected), url
    else:
        assert response.status_code == expected, url
    body = response.content.decode()
    for name in set(NAMES) - MAY_SEE[actor]:
        assert NAMES[name] not in body, f"{actor} sees {NAMES[name]} at {url}"
        assert SAMPLES[name] not in body, f"{actor} sees {SAMPLES[name]} at {url}"


@pytest.mark.parametrize(("view", "actor", "target"), OBJECT_CASES)
def test_object_view(world: World, view: str, actor: str, target: str) -> None:
    url_name, attr, expected = OBJECT_VIEWS[view]
    obj = getattr(world.files[TARGETS[target]], attr)
    url = reverse(url_name, args=[obj.pk])
    http = world.login(None if actor == "anonymous" else actor)
    response = http.get(url)
    _check(response, expected[actor][target], actor, url)
    if response.status_code == 200:
        assert NAMES[TARGETS[target]] in response.content.decode() or attr != "client"


@pytest.mark.parametrize(("view", "actor"), PLAIN_CASES)
def test_plain_view(world: World, view: str, actor: str) -> None:
    method, url_name, data, expected = PLAIN_VIEWS[view]
    url = reverse(url_name)
    http = world.login(None if actor == "anonymous" else actor)
    response = http.post(url, data) if method == "post" else http.get(url)
    _check(response, expected[actor], actor, url)


def test_matrix_size() -> None:
    """The report quotes these counts."""
    assert len(OBJECT_CASES) == 60
    assert len(PLAIN_CASES) == 36


@pytest.mark.parametrize("actor", ["owner_a", "prac_a1"])
def test_lists_show_exactly_the_visible_files(world: World, actor: str) -> None:
    for url_name in ("dashboard", "client_list"):
        body = world.login(actor).get(reverse(url_name)).content.decode()
        for name in NAMES:
            assert (NAMES[name] in body) == (name in MAY_SEE[actor]), (actor, url_name, name)


def test_portal_shows_own_published_documents_only(world: World) -> None:
    body = world.login("client_a1").get(reverse("portal")).content.decode()
    own = world.files["client_a1"]
    assert reverse("plan_detail", args=[own.plan.pk]) in body
    assert reverse("plan_detail", args=[own.draft.pk]) not in body
    assert reverse("assessment_detail", args=[own.assessment.pk]) in body
    assert reverse("result_detail", args=[own.result.pk]) in body


def test_unshared_result_is_hidden_from_the_client(world: World) -> None:
    result = world.files["client_a1"].result
    result.shared_with_client = False
    result.save()
    url = reverse("result_detail", args=[result.pk])
    assert world.login("client_a1").get(url).status_code == 404
    assert world.login("prac_a1").get(url).status_code == 200


def test_inactive_user_sees_nothing(world: World) -> None:
    from gutbrain.web.clients.models import Client

    user = world.users["owner_a"]
    user.is_active = False
    assert not Client.objects.visible_to(user).exists()
