"""Booking, confirming, cancelling and moving consultations; iCalendar files; reminders.

Every state change is one transaction. ``book`` and ``reschedule`` lock the practitioner's
``Availability`` row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions
serialise writers), re-check the slot against the current bookings and insert; the partial
unique index on (practitioner, start) is the last line of defence.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.core.mail import EmailMessage
from django.db import IntegrityError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from gutbrain.web.booking.models import (
    Availability,
    Booking,
    BookingStatus,
    Reminder,
    ReminderKind,
)
from gutbrain.web.booking.slots import Policy, Rule, Slot, free_slots
from gutbrain.web.clients.models import hash_token

__all__ = [
    "SUMMARY",
    "BookingError",
    "book",
    "build_ics",
    "can_change",
    "cancel",
    "confirm",
    "free_slots_for",
    "reschedule",
    "send_due_reminders",
]

log = logging.getLogger("gutbrain.web.booking")
T = TypeVar("T")

#: The only description a calendar entry or e-mail carries (never health data).
SUMMARY = "Free consultation"
#: How long a pending booking holds its slot while waiting for the e-mail link.
VERIFY_MINUTES = 30
REMINDERS = ((ReminderKind.DAY, timedelta(hours=24)), (ReminderKind.HOUR, timedelta(hours=1)))


class BookingError(Exception):
    """The slot is not (or no longer) available, or the change is not allowed."""


def policy_of(availability: Availability) -> Policy:
    return Policy(
        time_zone=availability.time_zone,
        slot_minutes=availability.slot_minutes,
        buffer_before_minutes=availability.buffer_before_minutes,
        buffer_after_minutes=availability.buffer_after_minutes,
        min_notice_hours=availability.min_notice_hours,
        horizon_days=availability.horizon_days,
        daily_cap=availability.daily_cap,
    )


def _expire_stale(practitioner_id: int, now: datetime) -> None:
    Booking.objects.filter(
        practitioner_id=practitioner_id,
        status=BookingStatus.PENDING,
        verify_expires_at__lte=now,
    ).update(status=BookingStatus.EXPIRED)


def free_slots_for(
    availability: Availability, now: datetime | None = None, exclude: Booking | None = None
) -> list[Slot]:
    """Free slots of one practitioner from ``now`` to the horizon."""
    now = now or timezone.now()
    bookings = Booking.objects.active().filter(
        practitioner_id=availability.practitioner_id, end__gt=now - timedelta(days=1)
    )
    bookings = bookings.exclude(status=BookingStatus.PENDING, verify_expires_at__lte=now)
    if exclude is not None:
        bookings = bookings.exclude(pk=exclude.pk)
    busy = list(bookings.values_list("start", "end"))
    rules = [Rule(r.weekday, r.start, r.end) for r in availability.rules.all()]
    return free_slots(rules, policy_of(availability), busy, now)


def _locked_availability(practitioner_id: int) -> Availability:
    try:
        return Availability.objects.select_for_update().get(
            practitioner_id=practitioner_id, published=True
        )
    except Availability.DoesNotExist:
        raise BookingError("This practitioner takes no bookings.") from None


def _slot_at(
    availability: Availability, start: datetime, now: datetime, exclude: Booking | None = None
) -> Slot:
    for slot in free_slots_for(availability, now, exclude=exclude):
        if slot.start == start:
            return slot
    raise BookingError("This time is no longer available.")


def _retrying(attempt: Callable[[], T]) -> T:
    """Run a write transaction, retrying briefly when SQLite reports a locked table (an
    in-memory shared-cache database does not wait for the busy timeout)."""
    for delay in (0.02, 0.05, 0.1, 0.2, 0.4, 0.8):
        try:
            return attempt()
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(delay)
    return attempt()


def book(
    *, practitioner_id: int, start: datetime, name: str, email: str, now: datetime | None = None
) -> tuple[Booking, str]:
    """Hold a slot as pending; returns the booking and the plain e-mail verification token."""
    when = now or timezone.now()
    token = secrets.token_urlsafe(32)

    def attempt() -> Booking:
        with transaction.atomic():
            availability = _locked_availability(practitioner_id)
            _expire_stale(practitioner_id, when)
            slot = _slot_at(availability, start.astimezone(UTC), when)
            return Booking.objects.create(
                practice_id=availability.practitioner.practice_id,
                practitioner_id=practitioner_id,
                name=name,
                email=email.lower(),
                start=slot.start,
                end=slot.end,
                verify_token_hash=hash_token(token),
                verify_expires_at=when + timedelta(minutes=VERIFY_MINUTES),
                created_at=when,
            )

    try:
        return _retrying(attempt), token
    except IntegrityError:
        raise BookingError("This time is no longer available.") from None


def _schedule_reminders(booking: Booking, now: datetime) -> None:
    Reminder.objects.filter(booking=booking, sent_at__isnull=True).delete()
    for kind, ahead in REMINDERS:
        due = booking.start - ahead
        if due > now:
            Reminder.objects.update_or_create(
                booking=booking, kind=kind, defaults={"due_at": due, "sent_at": None}
            )


def manage_path(token: str) -> str:
    return reverse("booking_manage", args=[token])


def confirm(
    token: str, *, link_for: Callable[[str], str] = manage_path, now: datetime | None = None
) -> tuple[Booking, str] | None:
    """Confirm the pending booking of a verification link (once); returns it with a new
    plain cancel/reschedule token, or None for an unknown, used or expired link."""
    now = now or timezone.now()
    manage = secrets.token_urlsafe(32)
    with transaction.atomic():
        won = Booking.objects.filter(
            verify_token_hash=hash_token(token),
            status=BookingStatus.PENDING,
            verify_expires_at__gt=now,
        ).update(
            status=BookingStatus.CONFIRMED, confirmed_at=now, manage_token_hash=hash_token(manage)
        )
        if won != 1:
            return None
        booking = Booking.objects.select_related("practice", "practitioner").get(
            verify_token_hash=hash_token(token)
        )
        _schedule_reminders(booking, now)
    send_booking_mail(booking, "REQUEST", manage_link=link_for(manage))
    return booking, manage


def by_manage_token(token: str) -> Booking | None:
    return (
        Booking.objects.select_related("practice", "practitioner")
        .filter(manage_token_hash=hash_token(token), status=BookingStatus.CONFIRMED)
        .first()
    )


def can_change(booking: Booking, now: datetime | None = None) -> bool:
    """Bookers may cancel or move until the practitioner's cancellation notice."""
    now = now or timezone.now()
    hours = (
        Availability.objects.filter(practitioner_id=booking.practitioner_id)
        .values_list("cancel_notice_hours", flat=True)
        .first()
    )
    notice = timedelta(hours=hours if hours is not None else 24)
    return booking.status == BookingStatus.CONFIRMED and booking.start - now >= notice


def cancel(booking: Booking, *, by_booker: bool, now: datetime | None = None) -> Booking:
    """Cancel (bookers only within the policy; practitioners any time before the start)."""
    now = now or timezone.now()
    if by_booker and not can_change(booking, now):
        raise BookingError("This booking can no longer be cancelled online.")
    with transaction.atomic():
        won = Booking.objects.filter(
            pk=booking.pk, status__in=[BookingStatus.CONFIRMED, BookingStatus.PENDING]
        ).update(status=BookingStatus.CANCELLED, cancelled_at=now, sequence=booking.sequence + 1)
        if won != 1:
            raise BookingError("This booking is not active.")
        Reminder.objects.filter(booking=booking, sent_at__isnull=True).delete()
    booking.refresh_from_db()
    if booking.confirmed_at is not None:
        send_booking_mail(booking, "CANCEL")
    return booking


def reschedule(booking: Booking, start: datetime, now: datetime | None = None) -> Booking:
    """Move a confirmed booking to another free slot (same UID, SEQUENCE + 1)."""
    now = now or timezone.now()
    if not can_change(booking, now):
        raise BookingError("This booking can no longer be moved online.")
    try:
        with transaction.atomic():
            availability = _locked_availability(booking.practitioner_id)
            _expire_stale(booking.practitioner_id, now)
            slot = _slot_at(availability, start.astimezone(UTC), now, exclude=booking)
            won = Booking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).update(
                start=slot.start, end=slot.end, sequence=booking.sequence + 1
            )
            if won != 1:
                raise BookingError("This booking is not active.")
            booking.refresh_from_db()
            _schedule_reminders(booking, now)
    except IntegrityError:
        raise BookingError("This time is no longer available.") from None
    send_booking_mail(booking, "REQUEST")
    return booking


# --- iCalendar and e-mail ---------------------------------------------------------------------


def build_ics(booking: Booking, method: str, now: datetime | None = None) -> bytes:
    """An iCalendar file (METHOD REQUEST or CANCEL) with only the practice and the time."""
    if method not in {"REQUEST", "CANCEL"}:
        raise ValueError(method)
    cal = Calendar()
    cal.add("prodid", "-//gutbrain//booking//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", f"{booking.uid}@gutbrain")
    event.add("dtstamp", (now or timezone.now()).astimezone(UTC))
    event.add("dtstart", booking.start.astimezone(UTC))
    event.add("dtend", booking.end.astimezone(UTC))
    event.add("sequence", booking.sequence)
    event.add("summary", f"{SUMMARY} – {booking.practice.name}")
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{booking.practitioner.email}")
    organizer.params["cn"] = vText(booking.practice.name)
    event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{booking.email}")
    attendee.params["cn"] = vText(booking.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee, encode=False)
    cal.add_component(event)
    return bytes(cal.to_ical())


def _when(booking: Booking) -> str:
    tz_name = (
        Availability.objects.filter(practitioner_id=booking.practitioner_id)
        .values_list("time_zone", flat=True)
        .first()
        or "UTC"
    )
    local = booking.start.astimezone(ZoneInfo(tz_name))
    return f"{local:%A %d %B %Y, %H:%M} ({tz_name})"


def _send(booking: Booking, subject: str, body: str, ics: bytes | None, method: str) -> None:
    message = EmailMessage(subject, body, None, [booking.email])
    if ics is not None:
        message.attach("consultation.ics", ics, f"text/calendar; method={method}; charset=utf-8")
    try:
        message.send()
    except Exception:  # SMTP down: the booking stands; the practitioner sees it in the list
        log.exception("booking %s: e-mail could not be sent", booking.pk)


def send_verification_mail(booking: Booking, link: str) -> None:
    body = (
        f"Hello {booking.name},\n\n"
        f"please confirm your {SUMMARY.lower()} with {booking.practice.name} on "
        f"{_when(booking)} by opening this link within {VERIFY_MINUTES} minutes:\n\n{link}\n\n"
        "If you did not book, ignore this e-mail; the time will be released.\n"
    )
    _send(booking, f"Please confirm: {SUMMARY} – {booking.practice.name}", body, None, "")


def send_booking_mail(booking: Booking, method: str, manage_link: str | None = None) -> None:
    practice = booking.practice.name
    if method == "CANCEL":
        subject = f"Cancelled: {SUMMARY} – {practice}"
        text = f"your {SUMMARY.lower()} with {practice} on {_when(booking)} is cancelled."
    else:
        subject = f"Confirmed: {SUMMARY} – {practice}"
        text = f"your {SUMMARY.lower()} with {practice} is on {_when(booking)}."
    body = f"Hello {booking.name},\n\n{text}\n"
    if manage_link is not None:
        body += f"\nTo cancel or move it, open this link (keep it private):\n{manage_link}\n"
    elif method == "REQUEST":
        body += "\nTo cancel or move it, use the link from your first confirmation e-mail.\n"
    _send(booking, subject, body, build_ics(booking, method), method)


# --- reminders --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderRun:
    sent: int
    skipped: int


def send_due_reminders(now: datetime | None = None) -> ReminderRun:
    """Send every due reminder once: each is claimed by a conditional update before sending."""
    now = now or timezone.now()
    sent = skipped = 0
    due = Reminder.objects.filter(sent_at__isnull=True, due_at__lte=now).select_related(
        "booking__practice", "booking__practitioner"
    )
    for reminder in list(due):
        if Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=now) != 1:
            continue  # another run claimed it
        booking = reminder.booking
        if booking.status != BookingStatus.CONFIRMED or booking.start <= now:
            skipped += 1
            continue
        body = (
            f"Hello {booking.name},\n\na reminder: your {SUMMARY.lower()} with "
            f"{booking.practice.name} is on {_when(booking)}.\n"
        )
        _send(booking, f"Reminder: {SUMMARY} – {booking.practice.name}", body, None, "")
        sent += 1
    return ReminderRun(sent, skipped)
