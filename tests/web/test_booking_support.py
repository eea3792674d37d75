"""Shared set-up for the booking tests: published availability in the ``world`` practices."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time

import pytest
import time_machine

from gutbrain.web.booking.models import Availability, WeeklyRule
from tests.web.conftest import World

#: Monday 2026-11-30 06:00 UTC; the first bookable slot (24 h notice) is Tuesday 09:00 Berlin.
NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
TUESDAY_9 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 Europe/Berlin


def publish(user: object, **kwargs: object) -> Availability:
    fields: dict[str, object] = {
        "published": True,
        "time_zone": "Europe/Berlin",
        "slot_minutes": 30,
        "min_notice_hours": 24,
        "horizon_days": 14,
        "cancel_notice_hours": 24,
    }
    fields.update(kwargs)
    offer = Availability.objects.create(practitioner=user, **fields)
    for weekday in range(5):
        WeeklyRule.objects.create(availability=offer, weekday=weekday, start=time(9), end=time(12))
    return offer


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def offers(world: World, frozen: time_machine.Traveller) -> dict[str, Availability]:
    return {name: publish(world.users[name]) for name in ("prac_a1", "prac_a2", "prac_b")}
