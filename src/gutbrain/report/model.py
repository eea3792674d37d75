"""The report model: what a report shows, independent of HTML.

:func:`gutbrain.report.build.build_report` makes a :class:`Report` from checked documents;
the templates only lay it out. Unknown values stay ``None`` (never 0) all the way to the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from gutbrain.plan.model import PlanItem

__all__ = [
    "Audience",
    "BandView",
    "ComponentView",
    "InputView",
    "MarkerRow",
    "MechanismView",
    "PlanVersionView",
    "PlanView",
    "ProfileView",
    "QuestionnaireView",
    "ReferenceInfo",
    "Report",
    "ResultView",
    "SafetyView",
    "Section",
    "TrendPoint",
]

Audience = Literal["client", "practitioner"]
ComponentState = Literal[
    "ok", "low_coverage", "not_in_reference", "not_comparable", "not_estimable"
]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Section:
    """A top-level section: anchor id and heading (in document order)."""

    id: str
    title: str


@dataclass(frozen=True)
class ReferenceInfo:
    """The reference population a profile input was compared with.

    ``available`` says whether its distributions could be loaded (packaged, or given to
    :func:`~gutbrain.report.build.build_report`); ``description`` and ``selection`` are
    known only then.
    """

    name: str
    n_samples: int
    kind: str
    resolution: str
    units: str
    units_match: bool
    citations: tuple[str, ...]
    available: bool
    description: str | None = None
    selection: str | None = None


@dataclass(frozen=True)
class InputView:
    """One input file of the profile: its name, checksum, format and reference."""

    path: str
    name: str
    sha256: str
    format: str
    kind: str
    resolution: str
    units: str
    reference: ReferenceInfo


@dataclass(frozen=True)
class ComponentView:
    """One component of a mechanism, with the reference distribution when available.

    ``distribution`` holds the sorted stored reference values (``None`` when the reference
    or this component's distribution is not available); ``reference`` is the reference the
    component was compared with.
    """

    id: str
    label: str
    value: float | None
    percentile: float | None
    favourable_score: float | None
    coverage: float | None
    state: ComponentState
    direction: str
    weight: float
    evidence_grade: str
    citations: tuple[str, ...]
    balance_with: str | None
    reference: ReferenceInfo | None
    distribution: FloatArray | None = None

    @property
    def main(self) -> bool:
        """Whether the component counts towards the mechanism score (weight > 0)."""
        return self.weight > 0

    @property
    def has_value(self) -> bool:
        """Whether the sample has a value (not estimable otherwise)."""
        return self.value is not None and self.state != "not_estimable"

    @property
    def axis_range(self) -> tuple[float, float] | None:
        """The value axis of the chart: the reference's range, widened to the sample's value."""
        if self.distribution is None or not self.distribution.size:
            return None
        lo, hi = float(self.distribution[0]), float(self.distribution[-1])
        if self.value is not None and self.has_position:
            lo, hi = min(lo, float(self.value)), max(hi, float(self.value))
        return lo, hi

    @property
    def has_position(self) -> bool:
        """Whether the sample can be placed against the reference (a percentile to show)."""
        return self.percentile is not None and self.state in ("ok", "low_coverage")


@dataclass(frozen=True)
class MarkerRow:
    """One literature report of a marker taxon (from the knowledge base)."""

    condition: str
    direction: str
    study: str
    evidence_grade: str
    citation: str
    note: str


@dataclass(frozen=True)
class MechanismView:
    """One mechanism (or the diversity / marker-taxa group) of a profile."""

    id: str
    title: str
    score: float | None
    confidence: float
    state: str
    evidence_grade: str
    citations: tuple[str, ...]
    not_estimable: tuple[tuple[str, str], ...]
    components: tuple[ComponentView, ...]
    intro: str
    markers: Mapping[str, tuple[MarkerRow, ...]] = field(default_factory=dict)

    @property
    def main_components(self) -> tuple[ComponentView, ...]:
        """Components with a value that count towards the score."""
        return tuple(c for c in self.components if c.main and c.state != "not_estimable")

    @property
    def context_components(self) -> tuple[ComponentView, ...]:
        """Components with a value shown for context only (weight 0)."""
        return tuple(c for c in self.components if not c.main and c.state != "not_estimable")

    @property
    def not_estimable_components(self) -> tuple[ComponentView, ...]:
        """Components this sample gives no value for (main ones first)."""
        missing = [c for c in self.components if c.state == "not_estimable"]
        return tuple(sorted(missing, key=lambda c: not c.main))

    def state_counts(self) -> dict[str, int]:
        """How many components are in each state."""
        counts: dict[str, int] = {}
        for comp in self.components:
            counts[comp.state] = counts.get(comp.state, 0) + 1
        return counts


@dataclass(frozen=True)
class ProfileView:
    """A gut–brain profile: the six mechanisms, diversity and marker taxa, with provenance."""

    sample: str
    gutbrain_version: str
    knowledge_version: str
    mechanisms_version: str
    wording: str
    inputs: tuple[InputView, ...]
    mechanisms: tuple[MechanismView, ...]
    diversity: MechanismView | None
    markers: MechanismView | None

    @property
    def all_mechanisms(self) -> tuple[MechanismView, ...]:
        """The six mechanisms, then diversity and the marker taxa (when present)."""
        extra = tuple(m for m in (self.diversity, self.markers) if m is not None)
        return self.mechanisms + extra


@dataclass(frozen=True)
class BandView:
    """A score band of a questionnaire (bounds inclusive; ``None`` = open)."""

    id: str
    label: str
    minimum: float | None
    maximum: float | None


@dataclass(frozen=True)
class TrendPoint:
    """A questionnaire score on one date (``None`` when not scored that day)."""

    date: str
    score: float | None


@dataclass(frozen=True)
class ResultView:
    """One questionnaire result of the latest assessment, with its bands and trend."""

    instrument: str
    short_name: str
    name: str
    domain: str
    scorable: bool
    score: float | None
    score_min: float | None
    score_max: float | None
    unit: str
    band: Mapping[str, str] | None
    direction: str
    items: tuple[Mapping[str, Any], ...]
    n_missing: int
    prorated: bool
    reason: str
    referral: str
    referral_reasons: tuple[str, ...]
    notes: tuple[str, ...]
    citations: tuple[str, ...]
    change: Mapping[str, Any] | None
    bands: tuple[BandView, ...]
    trend: tuple[TrendPoint, ...]

    @property
    def has_trend(self) -> bool:
        """Whether there are at least two scored dates to draw a trend."""
        return sum(1 for p in self.trend if p.score is not None) >= 2


@dataclass(frozen=True)
class SafetyView:
    """The safety block: shown first, before anything else, in both audiences."""

    source: str
    title: str
    texts: tuple[str, ...]
    reasons: tuple[str, ...]
    resources: tuple[tuple[str, str, str], ...]
    practitioner_action: str | None


@dataclass(frozen=True)
class QuestionnaireView:
    """The latest assessment (and the dates of earlier ones)."""

    date: str
    previous_date: str | None
    dates: tuple[str, ...]
    results: tuple[ResultView, ...]
    referral: str
    disclaimer: str
    no_flag_note: str | None
    preferences: tuple[str, ...]
    conditions: tuple[str, ...]
    medications: tuple[str, ...]
    constraints: tuple[str, ...]
    instruments_version: str
    gutbrain_version: str | None
    earlier_flags: tuple[str, ...]


@dataclass(frozen=True)
class PlanVersionView:
    """One version of the plan: who changed it, when, why, and what changed."""

    number: int
    author: str
    time: str
    reason: str
    item_ids: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class PlanView:
    """The current plan version, its notes and (for practitioners) its history."""

    date: str
    header: str
    current_version: int
    items: tuple[PlanItem, ...]
    notes: tuple[tuple[str, tuple[str, ...]], ...]
    omitted: tuple[tuple[str, str], ...]
    constraints: tuple[str, ...]
    versions: tuple[PlanVersionView, ...]
    based_on: Mapping[str, Any]
    gutbrain_version: str | None


@dataclass(frozen=True)
class Report:
    """Everything one report shows, for one audience."""

    audience: Audience
    title: str
    client_name: str | None
    client_id: str | None
    date: str | None
    safety: SafetyView | None
    crisis_banner: str
    profile: ProfileView | None
    questionnaires: QuestionnaireView | None
    plan: PlanView | None
    note: str | None
    disclosure: str | None
    sources: Mapping[str, str]
    gutbrain_version: str
    sections: tuple[Section, ...]
