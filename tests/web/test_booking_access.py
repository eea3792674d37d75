"""Who may see and change bookings: anonymous users only the public pages, practitioners
their own bookings, owners their practice's, clients nothing of anyone else's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gutbrain.web.booking import services
from gutbrain.web.booking.models import Availability, Booking, BookingStatus
from tests.web.conftest import World
from tests.web.test_booking_support import TUESDAY_9, frozen, offers

__all__ = ["frozen", "offers"]

ACTORS = [None, "owner_a", "prac_a1", "prac_a2", "client_a1", "owner_b", "prac_b"]

#: booking of prac_a1 (Practice A): who sees it in the list, who may cancel it (302) or gets 404
SEES = {"owner_a", "prac_a1"}


def _booking(world: World) -> Booking:
    booking, token = services.book(
        practitioner_id=world.users["prac_a1"].pk,
        start=TUESDAY_9,
        name="Secret Booker",
        email="secret.booker@example.org",
    )
    assert services.confirm(token) is not None
    booking.refresh_from_db()
    return booking


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a or "anonymous")
def test_booking_list(world: World, offers: dict[str, Availability], actor: str | None) -> None:
    _booking(world)
    response = world.login(actor).get(reverse("booking_list"))
    if actor is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif actor == "client_a1":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
    assert (b"Secret Booker" in response.content) == (actor in SEES)


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a or "anonymous")
def test_booking_cancel(world: World, offers: dict[str, Availability], actor: str | None) -> None:
    booking = _booking(world)
    response = world.login(actor).post(reverse("booking_cancel", args=[booking.pk]))
    booking.refresh_from_db()
    if actor in SEES:
        assert response.status_code == 302 and booking.status == BookingStatus.CANCELLED
        return
    expected = {None: 302, "client_a1": 403}.get(actor, 404)
    assert response.status_code == expected
    assert booking.status == BookingStatus.CONFIRMED


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a or "anonymous")
def test_availability_page(
    world: World, offers: dict[str, Availability], actor: str | None
) -> None:
    response = world.login(actor).get(reverse("booking_availability"))
    expected = {None: 302, "client_a1": 403, "owner_a": 403, "owner_b": 403}.get(actor, 200)
    assert response.status_code == expected
    if expected == 200:
        assert actor is not None
        assert f"/book/{world.users[actor].practice_id}/" in response.content.decode()


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a or "anonymous")
def test_public_pages_show_no_bookers(
    world: World, offers: dict[str, Availability], actor: str | None
) -> None:
    _booking(world)
    practice = world.users["prac_a1"].practice
    response = world.login(actor).get(reverse("booking_public", args=[practice.pk]))
    assert response.status_code == 200
    assert b"Secret Booker" not in response.content and b"secret.booker" not in response.content


def test_visible_to(world: World, offers: dict[str, Availability]) -> None:
    booking = _booking(world)
    seen = {
        name: Booking.objects.visible_to(user).filter(pk=booking.pk).exists()
        for name, user in world.users.items()
    }
    assert {name for name, yes in seen.items() if yes} == SEES
    assert not Booking.objects.visible_to(None).exists()
    assert Availability.objects.visible_to(world.users["prac_a1"]).count() == 1
    assert Availability.objects.visible_to(world.users["owner_a"]).count() == 2
    assert not Availability.objects.visible_to(world.users["client_a1"]).exists()


def test_a_client_sees_only_own_confirmed_bookings(
    world: World, offers: dict[str, Availability]
) -> None:
    _booking(world)
    client = world.users["client_a1"]
    assert not Booking.objects.visible_to(client).exists()
    services.confirm(
        services.book(
            practitioner_id=world.users["prac_a1"].pk,
            start=TUESDAY_9.replace(hour=9),
            name="Alice",
            email=client.email,
        )[1]
    )
    assert list(Booking.objects.visible_to(client).values_list("name", flat=True)) == ["Alice"]


def test_practitioner_edits_own_availability(world: World, offers: dict[str, Availability]) -> None:
    http = world.login("prac_a1")
    url = reverse("booking_availability")
    response = http.post(
        url, {"action": "add_rule", "weekday": 5, "start": "10:00", "end": "11:00"}
    )
    assert response.status_code == 302
    assert offers["prac_a1"].rules.filter(weekday=5).exists()
    assert (
        http.post(
            url, {"action": "add_rule", "weekday": 5, "start": "11:00", "end": "10:00"}
        ).status_code
        == 200
    )
    rule = offers["prac_b"].rules.first()
    assert rule is not None
    http.post(url, {"action": "delete_rule", "rule": rule.pk})  # someone else's rule: untouched
    http.post(url, {"action": "delete_rule", "rule": "x"})
    assert offers["prac_b"].rules.filter(pk=rule.pk).exists()
    data = {
        "action": "settings",
        "published": "on",
        "time_zone": "Mars/Olympus",
        "slot_minutes": 30,
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 0,
        "min_notice_hours": 24,
        "horizon_days": 14,
        "daily_cap": 0,
        "cancel_notice_hours": 24,
    }
    assert http.post(url, data).status_code == 200
    data["time_zone"] = "America/New_York"
    assert http.post(url, data).status_code == 302
    offers["prac_a1"].refresh_from_db()
    assert offers["prac_a1"].time_zone == "America/New_York"


def test_public_booking_views_are_exactly_these() -> None:
    from django.urls import get_resolver

    from gutbrain.web.booking.urls import urlpatterns

    public = {p.name for p in urlpatterns if getattr(p.callback, "login_required", True) is False}
    assert public == {"booking_public", "booking_book", "booking_verify", "booking_manage"}
    assert get_resolver().resolve("/bookings/").url_name == "booking_list"
