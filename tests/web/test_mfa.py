"""MFA: owners and practitioners reach client data only with a TOTP device; the real sign-in
asks for the code."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client as HttpClient
from django.urls import reverse

from tests.web.conftest import PASSWORD, World, totp_code

STAFF_PAGES = ["dashboard", "client_list", "invite_client"]


@pytest.mark.parametrize("name", ["owner_a", "prac_a1"])
def test_staff_without_totp_are_sent_to_mfa_setup(world: World, name: str) -> None:
    Authenticator.objects.filter(user=world.users[name]).delete()
    http = world.login(name)
    own = world.files["client_a1"]
    urls = [reverse(u) for u in STAFF_PAGES] + [
        reverse("client_detail", args=[own.client.pk]),
        reverse("result_detail", args=[own.result.pk]),
        reverse("plan_detail", args=[own.plan.pk]),
    ]
    for url in urls:
        response = http.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url
    # the set-up page itself is reachable (possibly via re-authentication)
    response = http.get(reverse("mfa_activate_totp"))
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "reauthenticate" in response["Location"]


def test_setting_up_totp_opens_the_dashboard(world: World) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = world.users["prac_a1"]
    Authenticator.objects.filter(user=user).delete()
    http = world.login("prac_a1")
    assert http.get(reverse("dashboard")).status_code == 302
    TOTP.activate(user, generate_totp_secret())
    assert http.get(reverse("dashboard")).status_code == 200


def test_clients_do_not_need_totp(world: World) -> None:
    assert not Authenticator.objects.filter(user=world.users["client_a1"]).exists()
    assert world.login("client_a1").get(reverse("portal")).status_code == 200


def test_sign_in_asks_for_the_code(world: World) -> None:
    http = HttpClient()
    email = world.users["prac_a1"].email
    response = http.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # password alone does not sign in
    assert http.get(reverse("dashboard")).status_code == 302
    response = http.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200  # form error, still not signed in
    assert http.get(reverse("client_list")).status_code == 302
    code = totp_code(world.secrets["prac_a1"])
    response = http.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    page = http.get(reverse("dashboard"))
    assert page.status_code == 200
    assert "Alice Own" in page.content.decode()


def test_client_signs_in_with_password(world: World) -> None:
    http = HttpClient()
    email = world.users["client_a1"].email
    response = http.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    assert http.get(reverse("portal")).status_code == 200


def test_wrong_password_does_not_sign_in(world: World) -> None:
    http = HttpClient()
    email = world.users["client_a1"].email
    response = http.post(reverse("account_login"), {"login": email, "password": "wrong" * 4})
    assert response.status_code == 200
    assert http.get(reverse("portal")).status_code == 302


def test_signup_is_closed(db: None) -> None:
    response = HttpClient().post(
        reverse("account_signup"),
        {"email": "someone@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    from gutbrain.web.accounts.models import User

    assert not User.objects.filter(email="someone@example.org").exists()
    assert response.status_code in (200, 302)


def test_removing_the_totp_device_sends_staff_back_to_setup(world: World) -> None:
    """The per-session 'has a device' mark is cleared when allauth removes the device."""
    from allauth.mfa.signals import authenticator_removed
    from django.test import RequestFactory

    http = world.login("prac_a1")
    assert http.get(reverse("dashboard")).status_code == 200  # marks the session
    user = world.users["prac_a1"]
    device = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    device.delete()
    request = RequestFactory().get("/")
    request.session = http.session
    authenticator_removed.send(
        sender=Authenticator, request=request, user=user, authenticator=device
    )
    request.session.save()
    response = http.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
