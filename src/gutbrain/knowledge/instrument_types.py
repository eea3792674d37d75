"""The types of an instrument definition (see :mod:`gutbrain.knowledge.instruments`).

Dataclasses for items, response options, targets, bands, the scoring and missing-item rules,
the minimal important difference, referral rules and the licence note, as read from the
instrument JSON files. Re-exported by :mod:`gutbrain.knowledge.instruments`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "IPAQ_ITEMS",
    "IPAQ_PARAMETERS",
    "REFERRAL_LEVELS",
    "Band",
    "Direction",
    "Domain",
    "Instrument",
    "Item",
    "ItemKind",
    "Licence",
    "MinimalImportantDifference",
    "MissingRule",
    "ReferralLevel",
    "ReferralRule",
    "ResponseOption",
    "RuleKind",
    "Scoring",
    "ScoringMethod",
    "Target",
]

Domain = Literal[
    "mood", "anxiety", "stress", "wellbeing", "stool", "diet", "activity", "stress_practice"
]
Direction = Literal["lower_is_better", "higher_is_better", "none"]
ScoringMethod = Literal["sum", "category", "product", "profile", "ipaq_short"]
ItemKind = Literal["choice", "number"]
#: referral levels, from none to the most pressing
ReferralLevel = Literal[
    "none", "suggest_screening", "professional_assessment", "prompt_professional_care"
]
REFERRAL_LEVELS: tuple[ReferralLevel, ...] = get_args(ReferralLevel)
RuleKind = Literal["score_at_least", "score_at_most", "any_item_at_most"]

#: parameters the IPAQ short-form scoring reads from its instrument file
IPAQ_PARAMETERS: tuple[str, ...] = (
    "met_walking",
    "met_moderate",
    "met_vigorous",
    "min_bout_minutes",
    "truncate_minutes_per_day",
    "exclude_total_minutes_per_day_above",
    "high_vigorous_days",
    "high_vigorous_met",
    "high_any_days",
    "high_any_met",
    "moderate_vigorous_days",
    "moderate_vigorous_minutes",
    "moderate_days",
    "moderate_minutes",
    "moderate_any_days",
    "moderate_any_met",
)
IPAQ_ITEMS: tuple[str, ...] = (
    "vigorous_days",
    "vigorous_minutes",
    "moderate_days",
    "moderate_minutes",
    "walking_days",
    "walking_minutes",
    "sitting_minutes",
)


@dataclass(frozen=True)
class ResponseOption:
    """One answer a choice item accepts: its value and its label."""

    value: int
    label: str


@dataclass(frozen=True)
class Target:
    """A cited target an answer is compared with (``value >= 30`` plant foods a week)."""

    operator: Literal[">=", "<="]
    value: float
    label: str
    citations: tuple[str, ...]

    def met(self, answer: float) -> bool:
        """Whether ``answer`` meets the target.

        >>> Target(">=", 30, "30 plants", ("McDonald2018",)).met(31)
        True
        """
        return answer >= self.value if self.operator == ">=" else answer <= self.value


@dataclass(frozen=True)
class Item:
    """One question: a choice among options, or a number within a range.

    ``text`` is the original wording when the licence allows shipping it (else ``None``);
    ``label`` is always a short paraphrase. For choice items ``minimum``/``maximum`` are the
    smallest and largest option values. ``skipped_when_zero`` names the item whose answer 0
    means this one is not asked (IPAQ: no vigorous days, so no vigorous minutes).
    """

    id: str
    label: str
    text: str | None
    kind: ItemKind
    options: tuple[ResponseOption, ...]
    minimum: float
    maximum: float
    integer: bool
    unit: str
    reversed: bool
    optional: bool
    skipped_when_zero: str | None
    target: Target | None
    note: str | None

    @property
    def allowed_values(self) -> tuple[int, ...]:
        """Option values of a choice item, in ascending order (empty for numbers)."""
        return tuple(sorted(o.value for o in self.options))

    def option_label(self, value: float) -> str | None:
        """The label of the option with this value, or ``None``."""
        for option in self.options:
            if option.value == value:
                return option.label
        return None

    def reverse(self, value: int) -> int:
        """The reverse-scored value: ``minimum + maximum - value`` (0↔4, 1↔3 on 0–4)."""
        return int(self.minimum + self.maximum) - value


@dataclass(frozen=True)
class Band:
    """A labelled score range (``minimum``/``maximum`` inclusive; ``None`` for categories)."""

    id: str
    minimum: float | None
    maximum: float | None
    label: str
    description: str

    def contains(self, score: float) -> bool:
        """Whether ``score`` falls in this band (always false for a category band)."""
        if self.minimum is None or self.maximum is None:
            return False
        return self.minimum <= score <= self.maximum


@dataclass(frozen=True)
class MissingRule:
    """How unanswered items are handled: at most ``max_missing`` may be prorated."""

    max_missing: int
    method: Literal["none", "prorate"]
    never_missing: tuple[str, ...]
    note: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Scoring:
    """The scoring rule of an instrument."""

    method: ScoringMethod
    multiplier: float
    minimum: float | None
    maximum: float | None
    unit: str
    primary_item: str | None
    factors: tuple[str, ...]
    parameters: tuple[tuple[str, float], ...]
    note: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class MinimalImportantDifference:
    """The smallest change of the score that counts as meaningful for one person."""

    value: float
    unit: str
    note: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class ReferralRule:
    """A score or item condition that recommends screening or professional care."""

    id: str
    kind: RuleKind
    value: float
    level: ReferralLevel
    text: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Licence:
    """Re-use terms, whether the original wording is shipped, and the attribution."""

    status: Literal["free", "free_with_attribution", "non_commercial", "adapted", "own"]
    wording_shipped: bool
    note: str
    attribution: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Instrument:
    """One questionnaire, as read from its JSON file."""

    id: str
    order: int
    name: str
    short_name: str
    version: str
    domain: Domain
    construct: str
    recall_period: str
    instructions: str
    direction: Direction
    validated_ages: tuple[int, int] | None
    licence: Licence
    citations: tuple[str, ...]
    items: tuple[Item, ...]
    scoring: Scoring
    missing: MissingRule
    bands: tuple[Band, ...]
    mid: MinimalImportantDifference | None
    referral_rules: tuple[ReferralRule, ...]
    notes: tuple[str, ...]

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in questionnaire order.

        >>> from gutbrain.knowledge.instruments import get_instrument
        >>> get_instrument("gad7").item_ids[:3]
        ('q1', 'q2', 'q3')
        """
        return tuple(i.id for i in self.items)

    def item(self, item_id: str) -> Item:
        """The item with this id (``KeyError`` if there is none)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def band(self, band_id: str) -> Band:
        """The band with this id (``KeyError`` if there is none)."""
        for band in self.bands:
            if band.id == band_id:
                return band
        raise KeyError(band_id)

    def band_for(self, score: float) -> Band | None:
        """The band a score falls in, or ``None`` (category instruments, profiles).

        >>> from gutbrain.knowledge.instruments import get_instrument
        >>> get_instrument("phq9").band_for(10).label
        'Moderate'
        """
        for band in self.bands:
            if band.contains(score):
                return band
        return None

    def all_citations(self) -> frozenset[str]:
        """Every citation key the instrument uses, wherever it appears."""
        keys = set(self.citations) | set(self.licence.citations) | set(self.scoring.citations)
        keys |= set(self.missing.citations)
        if self.mid is not None:
            keys |= set(self.mid.citations)
        for rule in self.referral_rules:
            keys |= set(rule.citations)
        for item in self.items:
            if item.target is not None:
                keys |= set(item.target.citations)
        return frozenset(keys)

    def texts(self) -> Iterator[str]:
        """Every human-readable text of the instrument (for wording checks)."""
        yield from (self.name, self.short_name, self.construct, self.instructions)
        yield from (self.licence.note, self.licence.attribution, self.scoring.note)
        yield self.missing.note
        yield from self.notes
        if self.mid is not None:
            yield self.mid.note
        for band in self.bands:
            yield from (band.label, band.description)
        for rule in self.referral_rules:
            yield rule.text
        for item in self.items:
            yield item.label
            yield from (t for t in (item.text, item.note) if t)
            yield from (o.label for o in item.options)
            if item.target is not None:
                yield item.target.label
