"""Free-slot computation (pure): buffers, notice, horizon, daily cap and DST change days."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from gutbrain.web.booking.slots import Policy, Rule, free_slots

MONDAY = 0
#: Monday 2026-11-30, 00:00 UTC (a week without DST changes)
NOW = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


def starts(rules: list[Rule], policy: Policy, busy=(), now: datetime = NOW) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.start.strftime("%m-%d %H:%M") for s in free_slots(rules, policy, list(busy), now)]


def test_slots_fill_the_window_in_local_time() -> None:
    policy = Policy(time_zone="Europe/Berlin", slot_minutes=30, horizon_days=1)
    got = starts([Rule(MONDAY, time(9), time(11))], policy)
    # 09:00–11:00 Berlin (UTC+1) = 08:00–10:00 UTC, four 30-minute slots
    assert got == ["11-30 08:00", "11-30 08:30", "11-30 09:00", "11-30 09:30"]


def test_a_slot_must_end_inside_the_window() -> None:
    policy = Policy(slot_minutes=45, horizon_days=1)
    assert starts([Rule(MONDAY, time(9), time(10, 20))], policy) == ["11-30 09:00"]


def test_buffers_around_existing_bookings() -> None:
    policy = Policy(
        slot_minutes=30, buffer_before_minutes=15, buffer_after_minutes=15, horizon_days=1
    )
    busy = [(datetime(2026, 11, 30, 10, 0, tzinfo=UTC), datetime(2026, 11, 30, 10, 30, tzinfo=UTC))]
    got = starts([Rule(MONDAY, time(9), time(12))], policy, busy)
    # the booking occupies 09:45–10:45; a slot occupies 15 min either side of itself
    assert got == ["11-30 09:00", "11-30 11:00", "11-30 11:30"]
    no_buffer = starts(
        [Rule(MONDAY, time(9), time(12))], Policy(slot_minutes=30, horizon_days=1), busy
    )
    assert (
        "11-30 09:30" in no_buffer and "11-30 10:30" in no_buffer and "11-30 10:00" not in no_buffer
    )


def test_minimum_notice() -> None:
    policy = Policy(slot_minutes=60, min_notice_hours=10, horizon_days=1)
    got = starts([Rule(MONDAY, time(8), time(12))], policy, now=NOW)
    assert got == ["11-30 10:00", "11-30 11:00"]


def test_horizon() -> None:
    rules = [Rule(d, time(9), time(10)) for d in range(7)]
    got = starts(rules, Policy(slot_minutes=60, horizon_days=3))
    assert got == ["11-30 09:00", "12-01 09:00", "12-02 09:00"]  # 12-03 09:00 is past 72 h


def test_daily_cap_closes_the_day() -> None:
    policy = Policy(slot_minutes=60, daily_cap=1, horizon_days=2)
    rules = [Rule(MONDAY, time(9), time(12)), Rule(1, time(9), time(10))]
    busy = [(datetime(2026, 11, 30, 9, tzinfo=UTC), datetime(2026, 11, 30, 10, tzinfo=UTC))]
    assert starts(rules, policy, busy) == ["12-01 09:00"]
    assert len(starts(rules, Policy(slot_minutes=60, horizon_days=2), busy)) == 3


def test_spring_forward_keeps_local_time_and_skips_the_gap() -> None:
    # Europe/Berlin: Sunday 2026-03-29, 02:00 -> 03:00
    now = datetime(2026, 3, 28, 0, tzinfo=UTC)
    policy = Policy(time_zone="Europe/Berlin", slot_minutes=60, horizon_days=3)
    rules = [Rule(6, time(1), time(4)), Rule(MONDAY, time(9), time(10)), Rule(5, time(9), time(10))]
    got = [s.start for s in free_slots(rules, policy, [], now)]
    assert [g.isoformat() for g in got] == [
        "2026-03-28T08:00:00+00:00",  # Saturday 09:00 CET
        "2026-03-29T00:00:00+00:00",  # Sunday 01:00 CET
        # 02:00 does not exist; 03:00 CEST = 01:00 UTC ends at 02:00 UTC = 04:00 CEST
        "2026-03-29T01:00:00+00:00",
        "2026-03-30T07:00:00+00:00",  # Monday 09:00 CEST
    ]
    assert all(s.end - s.start == timedelta(hours=1) for s in free_slots(rules, policy, [], now))


def test_fall_back_day_keeps_nine_oclock_local() -> None:
    # America/New_York: Sunday 2026-11-01, 02:00 EDT -> 01:00 EST
    now = datetime(2026, 10, 31, 0, tzinfo=UTC)
    policy = Policy(time_zone="America/New_York", slot_minutes=60, horizon_days=3)
    rules = [Rule(d, time(9), time(10)) for d in range(7)]
    got = [s.start.isoformat() for s in free_slots(rules, policy, [], now)][:3]
    assert got == [
        "2026-10-31T13:00:00+00:00",  # Saturday 09:00 EDT
        "2026-11-01T14:00:00+00:00",  # Sunday 09:00 EST
        "2026-11-02T14:00:00+00:00",
    ]


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        free_slots([], Policy(), [], datetime(2026, 1, 1))
