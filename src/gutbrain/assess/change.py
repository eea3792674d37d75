"""Change since a previous assessment, judged against the minimal important difference."""

from __future__ import annotations

from gutbrain.assess.results import Change, ChangeCategory, InstrumentResult, Number
from gutbrain.knowledge.instruments import Instrument

__all__ = ["compare"]


def _delta(current: Number, previous: Number) -> Number:
    delta = current - previous
    if isinstance(delta, float):
        delta = round(delta, 6)
        return int(delta) if delta.is_integer() else delta
    return delta


def compare(
    instrument: Instrument, current: InstrumentResult, previous: InstrumentResult | None
) -> Change:
    """How the score changed since ``previous`` (``None``: not answered then).

    Direction-aware: for PHQ-9 a fall of at least 5 points is ``improved``; for WHO-5 a
    rise of at least 10 points is ``improved``. A change smaller than the minimal important
    difference is ``no_meaningful_change``; without two scores or without an established MID
    the change is ``not_rated``.

    >>> from gutbrain.assess.scoring import score_instrument
    >>> from gutbrain.knowledge.instruments import get_instrument
    >>> phq9 = get_instrument("phq9")
    >>> before = score_instrument(phq9, [2, 2, 2, 1, 1, 1, 1, 0, 0])
    >>> after = score_instrument(phq9, [1, 1, 1, 1, 0, 1, 0, 0, 0])
    >>> change = compare(phq9, after, before)
    >>> change.delta, change.category
    (-5, 'improved')
    """
    mid = instrument.mid
    mid_value: Number | None = None
    citations: tuple[str, ...] = ()
    if mid is not None:
        mid_value = int(mid.value) if mid.value.is_integer() else mid.value
        citations = mid.citations
    if previous is None:
        return Change(
            None, None, mid_value, "not_rated", "not answered at the previous assessment", citations
        )
    if not previous.scorable or previous.score is None:
        return Change(
            None,
            None,
            mid_value,
            "not_rated",
            "no score at the previous assessment: " + previous.reason,
            citations,
        )
    if not current.scorable or current.score is None:
        return Change(
            previous.score,
            None,
            mid_value,
            "not_rated",
            "no score at this assessment: " + current.reason,
            citations,
        )
    delta = _delta(current.score, previous.score)
    if mid_value is None or instrument.direction == "none":
        return Change(
            previous.score,
            delta,
            None,
            "not_rated",
            f"{instrument.short_name} has no established minimal important difference",
            (),
        )
    better = delta < 0 if instrument.direction == "lower_is_better" else delta > 0
    category: ChangeCategory
    if abs(delta) < mid_value:
        category = "no_meaningful_change"
        reason = (
            f"change of {delta:+g} is smaller than the minimal important difference ({mid_value:g})"
        )
    else:
        category = "improved" if better else "worsened"
        reason = f"change of {delta:+g} reaches the minimal important difference ({mid_value:g})"
    return Change(previous.score, delta, mid_value, category, reason, citations)
