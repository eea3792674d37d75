"""Booking end to end: verification, the double-booking constraint (with a race),
cancel / reschedule policy, the .ics files and the reminders."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from icalendar import Calendar

from gutbrain.web.booking import services
from gutbrain.web.booking.models import Availability, Booking, BookingStatus, Reminder
from gutbrain.web.booking.slots import Slot
from gutbrain.web.clients.models import hash_token
from tests.web.conftest import World
from tests.web.test_booking_support import NOW, TUESDAY_9, frozen, offers, publish

__all__ = ["frozen", "offers"]

STAMP = "20261201T0800Z"


def _book(world: World, name: str = "prac_a1", start: datetime = TUESDAY_9) -> tuple[Booking, str]:
    return services.book(
        practitioner_id=world.users[name].pk, start=start, name="Bo Booker", email="Bo@Example.org"
    )


def _confirmed(world: World, start: datetime = TUESDAY_9) -> tuple[Booking, str]:
    _, token = _book(world, start=start)
    result = services.confirm(token)
    assert result is not None
    return result


def _ics(message: mail.EmailMessage) -> Calendar:
    (attachment,) = message.attachments
    name, content, mimetype = attachment  # type: ignore[misc]
    assert name == "consultation.ics" and mimetype.startswith("text/calendar")
    return Calendar.from_ical(content)


# --- the public pages and the e-mail link ------------------------------------------------------


def test_public_page_lists_slots_and_books_with_verification(
    world: World, offers: dict[str, Availability]
) -> None:
    practice = world.users["prac_a1"].practice
    http = HttpClient()
    page = http.get(reverse("booking_public", args=[practice.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Paul PracA1" in body and "Petra PracA2" in body and "Pia PracB" not in body
    url = reverse("booking_book", args=[practice.pk, world.users["prac_a1"].pk, STAMP])
    assert url in body
    assert http.get(url).status_code == 200
    response = http.post(url, {"name": "Bo Booker", "email": "bo@example.org"})
    assert response.status_code == 201
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.PENDING and booking.start == TUESDAY_9
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/book/confirm/\S+/)", str(message.body))
    assert link is not None
    token = link.group(1).split("/")[-2]
    assert booking.verify_token_hash == hash_token(token) and token not in str(booking.__dict__)
    # the slot is held while pending
    assert url not in http.get(reverse("booking_public", args=[practice.pk])).content.decode()
    # GET only asks; POST confirms, once
    assert http.get(link.group(1)).status_code == 200
    assert Booking.objects.get().status == BookingStatus.PENDING
    assert http.post(link.group(1)).status_code == 200
    assert Booking.objects.get().status == BookingStatus.CONFIRMED
    assert http.post(link.group(1)).status_code == 404
    assert len(mail.outbox) == 2 and "/book/manage/" in str(mail.outbox[1].body)


def test_verification_link_expires_and_releases_the_slot(
    world: World, offers: dict[str, Availability], frozen: time_machine.Traveller
) -> None:
    booking, token = _book(world)
    frozen.shift(timedelta(minutes=services.VERIFY_MINUTES + 1))
    assert services.confirm(token) is None
    assert HttpClient().post(reverse("booking_verify", args=[token])).status_code == 404
    again, _ = _book(world)  # the slot is free again; the stale hold becomes "expired"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED and again.status == BookingStatus.PENDING


def test_unknown_time_practitioner_or_token(world: World, offers: dict[str, Availability]) -> None:
    http = HttpClient()
    practice = world.users["prac_a1"].practice
    assert (
        http.get(
            reverse("booking_book", args=[practice.pk, world.users["prac_b"].pk, STAMP])
        ).status_code
        == 404
    )
    assert (
        http.get(
            reverse("booking_book", args=[practice.pk, world.users["prac_a1"].pk, "garbage"])
        ).status_code
        == 404
    )
    response = http.post(
        reverse("booking_book", args=[practice.pk, world.users["prac_a1"].pk, "20261201T0810Z"]),
        {"name": "X", "email": "x@example.org"},
    )
    assert response.status_code == 200 and b"no longer available" in response.content
    assert http.get(reverse("booking_verify", args=["made-up"])).status_code == 404
    assert http.get(reverse("booking_manage", args=["made-up"])).status_code == 404
    Availability.objects.update(published=False)
    assert http.get(reverse("booking_public", args=[practice.pk])).status_code == 404


# --- no double booking -------------------------------------------------------------------------


def test_second_booking_of_a_held_slot_is_refused(
    world: World, offers: dict[str, Availability]
) -> None:
    _book(world)
    with pytest.raises(services.BookingError):
        _book(world)
    # an overlapping start (slot grid changed meanwhile) is refused by the re-check too
    with pytest.raises(services.BookingError):
        _book(world, start=TUESDAY_9 + timedelta(minutes=15))


def test_database_refuses_two_active_bookings_at_one_start(
    world: World, offers: dict[str, Availability]
) -> None:
    booking, _ = _book(world)
    clone = {f.attname: getattr(booking, f.attname) for f in Booking._meta.concrete_fields}
    for key in ("id", "uid", "verify_token_hash"):
        clone.pop(key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(**clone, verify_token_hash="x" * 64)
    # a cancelled booking does not hold the slot
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)
    Booking.objects.create(**clone, verify_token_hash="y" * 64)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_attempts_book_once(world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        publish(world.users["prac_a1"])
        practitioner_id = world.users["prac_a1"].pk
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def attempt(n: int) -> None:
            try:
                barrier.wait()
                services.book(
                    practitioner_id=practitioner_id,
                    start=TUESDAY_9,
                    name=f"B{n}",
                    email=f"b{n}@example.org",
                )
                outcomes.append("booked")
            except services.BookingError:
                outcomes.append("refused")
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(outcomes) == ["booked", "refused"]
    assert Booking.objects.active().filter(start=TUESDAY_9).count() == 1


# --- cancel and reschedule ---------------------------------------------------------------------


def test_booker_cancels_within_policy_with_cancel_ics(
    world: World, offers: dict[str, Availability]
) -> None:
    booking, manage = _confirmed(world)
    http = HttpClient()
    url = reverse("booking_manage", args=[manage])
    assert http.get(url).status_code == 200
    assert http.post(url, {"action": "cancel"}).status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.sequence == 1
    assert not Reminder.objects.filter(booking=booking).exists()
    request_cal, cancel_cal = _ics(mail.outbox[0]), _ics(mail.outbox[1])
    assert str(cancel_cal["method"]) == "CANCEL" and str(request_cal["method"]) == "REQUEST"
    (req,), (can,) = request_cal.walk("VEVENT"), cancel_cal.walk("VEVENT")
    assert str(req["uid"]) == str(can["uid"]) == f"{booking.uid}@gutbrain"
    assert int(req["sequence"]) == 0 and int(can["sequence"]) == 1
    assert http.get(url).status_code == 404  # the link is dead once cancelled


def test_booker_cannot_cancel_or_move_after_the_deadline(
    world: World, offers: dict[str, Availability], frozen: time_machine.Traveller
) -> None:
    booking, manage = _confirmed(world)
    frozen.move_to(TUESDAY_9 - timedelta(hours=23))
    http = HttpClient()
    url = reverse("booking_manage", args=[manage])
    page = http.get(url)
    assert page.status_code == 200 and b"too close" in page.content
    assert http.post(url, {"action": "cancel"}).status_code == 400
    assert http.post(url, {"action": "reschedule", "start": "20261203T0800Z"}).status_code == 400
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.start == TUESDAY_9
    # the practitioner may still cancel
    services.cancel(booking, by_booker=False)
    assert Booking.objects.get().status == BookingStatus.CANCELLED


def test_cancel_deadline_is_per_practitioner(
    world: World, offers: dict[str, Availability], frozen: time_machine.Traveller
) -> None:
    Availability.objects.filter(practitioner=world.users["prac_a1"]).update(cancel_notice_hours=2)
    booking, _ = _confirmed(world)
    frozen.move_to(TUESDAY_9 - timedelta(hours=3))
    assert services.can_change(booking)
    frozen.move_to(TUESDAY_9 - timedelta(hours=1))
    assert not services.can_change(booking)


def test_reschedule_keeps_uid_and_raises_sequence(
    world: World, offers: dict[str, Availability]
) -> None:
    booking, manage = _confirmed(world)
    new = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)  # Thursday 10:30 Berlin
    response = HttpClient().post(
        reverse("booking_manage", args=[manage]),
        {"action": "reschedule", "start": "20261203T0930Z"},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.start == new and booking.sequence == 1
    (event,) = _ics(mail.outbox[-1]).walk("VEVENT")
    assert str(event["uid"]) == f"{booking.uid}@gutbrain" and int(event["sequence"]) == 1
    assert event.decoded("dtstart") == new
    assert sorted(Reminder.objects.filter(booking=booking).values_list("due_at", flat=True)) == [
        new - timedelta(hours=24),
        new - timedelta(hours=1),
    ]
    # the old time is free again, for someone else
    assert any(s.start == TUESDAY_9 for s in services.free_slots_for(offers["prac_a1"]))


# --- iCalendar content -------------------------------------------------------------------------


def test_ics_has_method_stamp_people_and_no_health_data(
    world: World, offers: dict[str, Availability]
) -> None:
    booking, _ = _confirmed(world)
    raw = services.build_ics(booking, "REQUEST").decode()
    cal = Calendar.from_ical(raw)
    (event,) = cal.walk("VEVENT")
    assert str(cal["method"]) == "REQUEST" and str(cal["version"]) == "2.0"
    assert str(event["summary"]) == "Free consultation – Practice A"
    assert "DTSTAMP" in raw and str(event["organizer"]) == "mailto:prac_a1@example.org"
    assert str(event["attendee"]) == "mailto:bo@example.org"
    assert event.decoded("dtstart") == TUESDAY_9 and event.decoded(
        "dtend"
    ) == TUESDAY_9 + timedelta(minutes=30)
    for forbidden in ("SAMPLE-", "Alice", "gutbrain-profile", "DESCRIPTION", "symptom", "plan"):
        assert forbidden.lower() not in raw.lower()
    with pytest.raises(ValueError):
        services.build_ics(booking, "PUBLISH")


# --- reminders ---------------------------------------------------------------------------------


def test_reminders_are_sent_once_each_when_due(
    world: World, offers: dict[str, Availability], frozen: time_machine.Traveller
) -> None:
    booking, _ = _confirmed(world)
    assert Reminder.objects.filter(booking=booking).count() == 2
    mail.outbox.clear()
    assert services.send_due_reminders().sent == 0
    frozen.move_to(TUESDAY_9 - timedelta(hours=24))
    assert services.send_due_reminders().sent == 1
    assert services.send_due_reminders().sent == 0
    frozen.move_to(TUESDAY_9 - timedelta(minutes=30))
    call_command("send_due_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert services.send_due_reminders().sent == 0
    assert [m.subject for m in mail.outbox] == ["Reminder: Free consultation – Practice A"] * 2
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 0


def test_no_reminder_for_a_cancelled_booking(
    world: World, offers: dict[str, Availability], frozen: time_machine.Traveller
) -> None:
    booking, _ = _confirmed(world)
    services.cancel(booking, by_booker=False)
    mail.outbox.clear()
    frozen.move_to(TUESDAY_9 - timedelta(minutes=30))
    assert services.send_due_reminders().sent == 0 and not mail.outbox


def test_slot_type_is_exported() -> None:
    assert Slot(TUESDAY_9, TUESDAY_9).start == TUESDAY_9
