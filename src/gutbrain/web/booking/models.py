"""Free-consultation booking: a practitioner's availability, bookings and their reminders.

Double booking is refused by the database itself: a partial unique index on
(practitioner, start) over pending and confirmed bookings (SQLite and PostgreSQL both have
partial indexes); overlapping starts are refused by ``services.book`` inside a transaction
that locks the practitioner's availability row (IMMEDIATE transactions on SQLite).
"""

from __future__ import annotations

import uuid
from datetime import time
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from gutbrain.web.accounts.models import Practice, Role

__all__ = ["Availability", "Booking", "BookingStatus", "Reminder", "WeeklyRule"]


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"Unknown time zone {value!r}.")


class AvailabilityQuerySet(models.QuerySet["Availability"]):
    def visible_to(self, user: Any) -> AvailabilityQuerySet:
        """Owner: the practice's; practitioner: their own; client and anonymous: none."""
        if not _signed_in(user):
            return self.none()
        if user.role == Role.OWNER:
            return self.filter(practitioner__practice_id=user.practice_id)
        if user.role == Role.PRACTITIONER:
            return self.filter(practitioner_id=user.pk)
        return self.none()


class Availability(models.Model):
    """When and how a practitioner takes free consultations (one row per practitioner)."""

    practitioner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="availability",
        limit_choices_to={"role": Role.PRACTITIONER},
    )
    published = models.BooleanField(
        default=False, help_text="Show my free slots on the practice's booking page."
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    slot_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    buffer_before_minutes = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(240)]
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(240)]
    )
    min_notice_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MaxValueValidator(24 * 60)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    daily_cap = models.PositiveSmallIntegerField(
        default=0, help_text="At most this many consultations a day (0: no limit)."
    )
    cancel_notice_hours = models.PositiveSmallIntegerField(
        default=24,
        validators=[MaxValueValidator(24 * 30)],
        help_text="Bookers may cancel or move a booking until this many hours before it.",
    )

    objects = AvailabilityQuerySet.as_manager()

    def __str__(self) -> str:
        return f"availability of {self.practitioner}"


class WeeklyRule(models.Model):
    """A weekly window, in the practitioner's time zone (weekday 0 = Monday)."""

    availability = models.ForeignKey(Availability, on_delete=models.CASCADE, related_name="rules")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ]
    )
    start: models.TimeField[time, time] = models.TimeField()
    end: models.TimeField[time, time] = models.TimeField()

    class Meta:
        ordering = ("weekday", "start")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="rule_ends_after_start"
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class BookingStatus(models.TextChoices):
    PENDING = "pending", "Waiting for e-mail confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Not confirmed in time"


#: Statuses that hold a slot.
ACTIVE = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class BookingQuerySet(models.QuerySet["Booking"]):
    def visible_to(self, user: Any) -> BookingQuerySet:
        """Owner: the practice's; practitioner: their own; client: confirmed bookings made
        with their own e-mail address; anonymous: none (bookers use their token links)."""
        if not _signed_in(user):
            return self.none()
        if user.role == Role.OWNER:
            return self.filter(practice_id=user.practice_id)
        if user.role == Role.PRACTITIONER:
            return self.filter(practitioner_id=user.pk)
        if user.role == Role.CLIENT:
            return self.filter(email__iexact=user.email, status=BookingStatus.CONFIRMED)
        return self.none()

    def active(self) -> BookingQuerySet:
        return self.filter(status__in=ACTIVE)


class Booking(models.Model):
    """A free consultation. No health data: only who, when and with whom."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="bookings")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookings"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField("e-mail address")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=BookingStatus.choices, default=BookingStatus.PENDING
    )
    #: iCalendar UID (stable across reschedules and the cancellation) and SEQUENCE.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    verify_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    verify_expires_at = models.DateTimeField()
    manage_token_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ("start",)
        constraints = (
            models.UniqueConstraint(
                fields=("practitioner", "start"),
                condition=models.Q(status__in=ACTIVE),
                name="booking_one_active_per_start",
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="booking_ends_after_start"
            ),
        )

    def __str__(self) -> str:
        return f"booking {self.start:%Y-%m-%d %H:%M} UTC with {self.practitioner}"


class ReminderKind(models.TextChoices):
    DAY = "24h", "24 hours before"
    HOUR = "1h", "1 hour before"


class Reminder(models.Model):
    """A reminder e-mail due at ``due_at``; ``sent_at`` is set once (conditional update)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=3, choices=ReminderKind.choices)
    due_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("due_at",)
        constraints = (
            models.UniqueConstraint(fields=("booking", "kind"), name="reminder_once_per_kind"),
        )

    def __str__(self) -> str:
        return f"{self.kind} reminder for {self.booking_id}"
