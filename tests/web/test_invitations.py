"""Clients and practitioners join only by invitation: single use, expiring, token out of URLs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from gutbrain.web.accounts.models import Role, User
from gutbrain.web.clients.models import Client, Invitation
from tests.web.conftest import World

NEW_PASSWORD = "a long and private pass phrase"


def _invite_client(world: World, email: str = "newclient@example.org") -> str:
    http = world.login("prac_a1")
    response = http.post(reverse("invite_client"), {"full_name": "Nina New", "email": email})
    assert response.status_code == 200
    match = re.search(r"https?://testserver(/join/[^/\s<\"]+/)", response.content.decode())
    assert match, "the invitation link is shown to the practitioner"
    assert len(mail.outbox) == 1 and match.group(1) in mail.outbox[0].body
    return match.group(1)


def _accept(http: HttpClient, path: str, **extra: str) -> object:
    opened = http.get(path)
    if opened.status_code != 302:
        return opened
    assert opened["Location"] == reverse("invitation_accept")  # the token leaves the URL
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "consent": "on", **extra}
    return http.post(reverse("invitation_accept"), data)


def test_client_joins_by_invitation(world: World) -> None:
    path = _invite_client(world)
    invitation = Invitation.objects.get(email="newclient@example.org")
    assert invitation.token_hash not in path  # only the hash is stored
    http = HttpClient()
    response = _accept(http, path)
    assert response.status_code == 302  # type: ignore[attr-defined]
    user = User.objects.get(email="newclient@example.org")
    assert user.role == Role.CLIENT and user.practice == world.users["prac_a1"].practice
    client = Client.objects.get(user=user)
    assert client.practitioner == world.users["prac_a1"] and client.consent_at is not None
    assert http.get(reverse("portal")).status_code == 200
    # the practitioner's list shows the new client; the colleague's does not
    assert "Nina New" in world.login("prac_a1").get(reverse("client_list")).content.decode()
    assert "Nina New" not in world.login("prac_a2").get(reverse("client_list")).content.decode()


def test_an_invitation_works_once(world: World) -> None:
    path = _invite_client(world)
    assert _accept(HttpClient(), path).status_code == 302  # type: ignore[attr-defined]
    again = HttpClient().get(path)
    assert again.status_code == 404
    assert "cannot be used" in again.content.decode()


def test_two_tabs_racing_create_one_account(world: World) -> None:
    path = _invite_client(world)
    first, second = HttpClient(), HttpClient()
    assert first.get(path).status_code == 302
    assert second.get(path).status_code == 302
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "consent": "on"}
    assert first.post(reverse("invitation_accept"), data).status_code == 302
    assert second.post(reverse("invitation_accept"), data).status_code == 404
    assert User.objects.filter(email="newclient@example.org").count() == 1


def test_an_invitation_expires(world: World) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        path = _invite_client(world)
        traveller.shift(timedelta(days=6, hours=23))
        http = HttpClient()
        assert http.get(path).status_code == 302  # still valid
        traveller.shift(timedelta(hours=2))  # 7 days and 1 hour after it was made
        data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "consent": "on"}
        assert http.post(reverse("invitation_accept"), data).status_code == 404
        assert HttpClient().get(path).status_code == 404
    assert not User.objects.filter(email="newclient@example.org").exists()


@pytest.mark.parametrize("token", ["nonsense", "x" * 43, "%2e%2e"])
def test_made_up_tokens_are_refused(db: None, token: str) -> None:
    assert HttpClient().get(f"/join/{token}/").status_code == 404


def test_accept_needs_consent_and_a_good_password(world: World) -> None:
    path = _invite_client(world)
    http = HttpClient()
    http.get(path)
    weak = {"password1": "password", "password2": "password", "consent": "on"}
    assert http.post(reverse("invitation_accept"), weak).status_code == 200
    no_consent = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert http.post(reverse("invitation_accept"), no_consent).status_code == 200
    assert not User.objects.filter(email="newclient@example.org").exists()


def test_owner_invites_a_practitioner_who_must_set_up_mfa(world: World) -> None:
    http = world.login("owner_a")
    response = http.post(
        reverse("invite_practitioner"), {"full_name": "Nico New", "email": "nico@example.org"}
    )
    path = re.search(r"(/join/[^/\s<\"]+/)", response.content.decode())
    assert path
    newcomer = HttpClient()
    response = _accept(newcomer, path.group(1))
    assert response.status_code == 302  # type: ignore[attr-defined]
    user = User.objects.get(email="nico@example.org")
    assert user.role == Role.PRACTITIONER
    page = newcomer.get(reverse("client_list"))
    assert page.status_code == 302 and page["Location"] == reverse("mfa_activate_totp")


def test_existing_email_cannot_be_invited(world: World) -> None:
    http = world.login("prac_a1")
    taken = world.users["client_b"].email
    response = http.post(reverse("invite_client"), {"full_name": "X", "email": taken})
    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    assert not Invitation.objects.filter(email=taken).exists()


def test_signed_in_user_opening_a_link_is_signed_out(world: World) -> None:
    path = _invite_client(world)
    http = world.login("client_b")
    assert http.get(path).status_code == 302
    assert http.get(reverse("portal")).status_code == 302  # no longer client_b
