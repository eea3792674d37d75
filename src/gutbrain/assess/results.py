"""What scoring one instrument gives: item values, score, band, referral, change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from gutbrain.knowledge.instruments import Direction, ReferralLevel

__all__ = [
    "BandResult",
    "Change",
    "ChangeCategory",
    "InstrumentResult",
    "ItemResult",
    "Number",
    "json_number",
]

Number = int | float
#: change since the previous assessment, judged against the minimal important difference
ChangeCategory = Literal["improved", "worsened", "no_meaningful_change", "not_rated"]


def json_number(value: Number | None) -> Number | None:
    """``value`` with whole floats written as integers (``12.0`` → ``12``).

    >>> json_number(12.0), json_number(49.5), json_number(None)
    (12, 49.5, None)
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class ItemResult:
    """One item: the answer given and the value the score used.

    ``value`` differs from ``answer`` for reverse-scored items (PSS-10 4, 5, 7, 8) and for
    IPAQ cleaning (bouts under 10 minutes → 0, more than 180 minutes a day → 180); it is
    ``None`` when the item was not answered. ``skipped`` marks an item not asked because its
    gate item was answered 0 (no walking days → no walking minutes). ``target_met`` compares
    the answer with the item's cited target, when it has one.
    """

    id: str
    label: str
    answer: Number | None
    value: Number | None
    option: str | None
    target_met: bool | None
    skipped: bool

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "label": self.label,
            "answer": json_number(self.answer),
            "value": json_number(self.value),
            "option": self.option,
            "target_met": self.target_met,
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class BandResult:
    """The band a score falls in, with its wellness-language label and description."""

    id: str
    label: str
    description: str

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "label": self.label, "description": self.description}


@dataclass(frozen=True)
class Change:
    """Change of the score since the previous assessment.

    ``delta`` is current minus previous. ``category`` is ``improved`` / ``worsened`` when
    ``|delta| >= mid`` in the instrument's better / worse direction, ``no_meaningful_change``
    below the MID, and ``not_rated`` when either score is missing or the instrument has no
    established MID (``reason`` says which).
    """

    previous_score: Number | None
    delta: Number | None
    mid: Number | None
    category: ChangeCategory
    reason: str
    citations: tuple[str, ...]

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "previous_score": json_number(self.previous_score),
            "delta": json_number(self.delta),
            "mid": json_number(self.mid),
            "category": self.category,
            "reason": self.reason,
            "citations": list(self.citations),
        }


@dataclass(frozen=True)
class InstrumentResult:
    """The scored answers of one instrument.

    ``score`` is ``None`` when the answers are not scorable (``reason`` says why) and for
    profile instruments, which report items only. ``referral`` is the most pressing level of
    the instrument's referral rules that the answers meet (``none`` if none), with the texts
    of those rules in ``referral_reasons``. ``change`` is set when a previous assessment was
    given.
    """

    instrument: str
    short_name: str
    name: str
    domain: str
    scorable: bool
    score: Number | None
    score_min: Number | None
    score_max: Number | None
    unit: str
    band: BandResult | None
    direction: Direction
    items: tuple[ItemResult, ...]
    n_missing: int
    prorated: bool
    reason: str
    referral: ReferralLevel
    referral_reasons: tuple[str, ...]
    notes: tuple[str, ...]
    citations: tuple[str, ...]
    change: Change | None = None

    def item(self, item_id: str) -> ItemResult:
        """The result of one item (``KeyError`` if the instrument has no such item)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def answers(self) -> dict[str, Number | None]:
        """Item id → answer given (``None`` when unanswered)."""
        return {i.id: i.answer for i in self.items}

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "instrument": self.instrument,
            "short_name": self.short_name,
            "name": self.name,
            "domain": self.domain,
            "scorable": self.scorable,
            "score": json_number(self.score),
            "score_min": json_number(self.score_min),
            "score_max": json_number(self.score_max),
            "unit": self.unit,
            "band": None if self.band is None else self.band.to_json_dict(),
            "direction": self.direction,
            "items": [i.to_json_dict() for i in self.items],
            "n_missing": self.n_missing,
            "prorated": self.prorated,
            "reason": self.reason,
            "referral": self.referral,
            "referral_reasons": list(self.referral_reasons),
            "notes": list(self.notes),
            "citations": list(self.citations),
            "change": None if self.change is None else self.change.to_json_dict(),
        }
