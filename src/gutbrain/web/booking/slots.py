"""Free slots from weekly rules: pure functions over UTC-aware datetimes (no database).

Slots are laid out in the practitioner's wall-clock time (``zoneinfo``) and converted to UTC,
so they stay at 09:00 local across a DST change; a wall-clock time that does not exist
(spring forward) is skipped, an ambiguous one (fall back) is taken at its first occurrence.
A booking occupies ``[start - buffer_before, end + buffer_after]``; a slot is free when its own
occupied interval overlaps no booking's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["Policy", "Rule", "Slot", "free_slots"]


@dataclass(frozen=True)
class Rule:
    weekday: int  # 0 = Monday
    start: time
    end: time


@dataclass(frozen=True)
class Policy:
    time_zone: str = "UTC"
    slot_minutes: int = 30
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    min_notice_hours: int = 0
    horizon_days: int = 14
    daily_cap: int = 0  # 0: no limit


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    end: datetime  # UTC


def _wall_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime | None:
    """``day at`` local time in UTC, or None when that wall-clock time does not exist.

    >>> tz = ZoneInfo("Europe/Berlin")
    >>> _wall_to_utc(date(2026, 3, 29), time(2, 30), tz) is None  # spring forward
    True
    >>> _wall_to_utc(date(2026, 3, 30), time(9), tz).isoformat()
    '2026-03-30T07:00:00+00:00'
    """
    local = datetime.combine(day, at, tzinfo=tz)
    utc = local.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return utc


def free_slots(
    rules: Iterable[Rule],
    policy: Policy,
    busy: Sequence[tuple[datetime, datetime]],
    now: datetime,
) -> list[Slot]:
    """The free slots from ``now`` (UTC-aware) to the horizon, in time order.

    ``busy`` are the (start, end) of the practitioner's pending and confirmed bookings.
    """
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    tz = ZoneInfo(policy.time_zone)
    length = timedelta(minutes=policy.slot_minutes)
    before = timedelta(minutes=policy.buffer_before_minutes)
    after = timedelta(minutes=policy.buffer_after_minutes)
    earliest = now + timedelta(hours=policy.min_notice_hours)
    latest = now + timedelta(days=policy.horizon_days)
    occupied = [(s - before, e + after) for s, e in busy]
    per_day: dict[date, int] = {}
    for s, _ in busy:
        d = s.astimezone(tz).date()
        per_day[d] = per_day.get(d, 0) + 1
    by_weekday: dict[int, list[Rule]] = {}
    for rule in rules:
        by_weekday.setdefault(rule.weekday, []).append(rule)

    found: list[Slot] = []
    today = now.astimezone(tz).date()
    for offset in range(policy.horizon_days + 1):
        day = today + timedelta(days=offset)
        if policy.daily_cap and per_day.get(day, 0) >= policy.daily_cap:
            continue
        for rule in sorted(by_weekday.get(day.weekday(), []), key=lambda r: r.start):
            window_end = _wall_to_utc(day, rule.end, tz) or datetime.combine(
                day, rule.end, tzinfo=tz
            ).astimezone(UTC)
            wall = datetime.combine(day, rule.start)
            while wall.date() == day:
                start = _wall_to_utc(day, wall.time(), tz)
                wall += length
                if start is None:
                    continue
                end = start + length
                if end > window_end:
                    break
                if start < earliest or start > latest:
                    continue
                lo, hi = start - before, end + after
                if any(lo < b_end and b_start < hi for b_start, b_end in occupied):
                    continue
                found.append(Slot(start, end))
    found.sort(key=lambda s: s.start)
    return list({s.start: s for s in found}.values())
