"""Checking one answer, or one instrument's answers, against the instrument definition.

Used by the answers-file reader (with file and line in messages) and by
:func:`~gutbrain.assess.scoring.score_instrument` (with the instrument and item in messages),
so that both accept exactly the same values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from gutbrain.assess.results import Number
from gutbrain.errors import GutBrainError, InputFormatError
from gutbrain.knowledge.instruments import Instrument, Item

__all__ = ["check_answer", "check_answers", "expected_answer", "item_list"]


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def item_list(instrument: Instrument) -> str:
    """The item ids, shortened for messages: ``q1..q9`` or ``a, b, c``.

    >>> from gutbrain.knowledge.instruments import get_instrument
    >>> item_list(get_instrument("phq9"))
    'q1..q9'
    """
    ids = instrument.item_ids
    if len(ids) > 3 and all(i == f"q{n}" for n, i in enumerate(ids, start=1)):
        return f"{ids[0]}..{ids[-1]}"
    return ", ".join(ids)


def expected_answer(item: Item) -> str:
    """What the item accepts, in words, for error messages.

    >>> from gutbrain.knowledge.instruments import get_instrument
    >>> expected_answer(get_instrument("gbdiet").item("omega3_supplement"))
    'one of 0 (No), 1 (Yes), or null'
    >>> expected_answer(get_instrument("evs").item("days_per_week"))
    'a whole number from 0 to 7 (days), or null'
    """
    if item.kind == "choice":
        options = ", ".join(
            f"{o.value} ({o.label})" for o in sorted(item.options, key=lambda o: o.value)
        )
        return f"one of {options}, or null"
    kind = "a whole number" if item.integer else "a number"
    return f"{kind} from {_fmt(item.minimum)} to {_fmt(item.maximum)} ({item.unit}), or null"


def _describe(value: object) -> str:
    if isinstance(value, str):
        return GutBrainError.quote(value) + " (text)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (yes/no)"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return GutBrainError.quote(repr(value))


def check_answer(instrument: Instrument, item: Item, value: object, where: str) -> Number | None:
    """The answer as a number (``None`` for unanswered), or an error naming ``where``.

    Choice items take one of their option values (``true``/``false`` too, for yes/no
    items); number items take a finite number in range, a whole one when the item asks
    for a count.

    Raises
    ------
    InputFormatError
        Wrong type, not finite, not an option, or out of range; the message lists what the
        item accepts.
    """
    if value is None:
        return None
    expected = expected_answer(item)
    problem = f"invalid answer to {instrument.short_name} item {item.id}"
    if isinstance(value, bool):
        if item.kind == "choice" and item.allowed_values == (0, 1):
            return int(value)
        raise InputFormatError(
            problem,
            where=where,
            found=_describe(value),
            expected=expected,
            fix="answer with a number",
        )
    if not isinstance(value, int | float):
        raise InputFormatError(
            problem,
            where=where,
            found=_describe(value),
            expected=expected,
            fix="answer with a number, or null if unanswered",
        )
    if not math.isfinite(value):
        raise InputFormatError(
            problem,
            where=where,
            found=repr(value),
            expected=expected,
            fix="answer with a finite number",
        )
    whole = float(value).is_integer()
    if item.kind == "choice":
        if whole and int(value) in item.allowed_values:
            return int(value)
        raise InputFormatError(
            f"answer out of range for {instrument.short_name} item {item.id}",
            where=where,
            found=_fmt(value),
            expected=expected,
            fix="use one of the listed values",
        )
    if item.integer and not whole:
        raise InputFormatError(
            problem,
            where=where,
            found=_fmt(value),
            expected=expected,
            fix="round to a whole number",
        )
    if not item.minimum <= value <= item.maximum:
        raise InputFormatError(
            f"answer out of range for {instrument.short_name} item {item.id}",
            where=where,
            found=_fmt(value),
            expected=expected,
            fix="check the value and its unit",
        )
    return int(value) if item.integer else value


def check_answers(
    instrument: Instrument,
    answers: object,
    where: str,
    item_where: Callable[[object], str | None] | None = None,
) -> tuple[Number | None, ...]:
    """All answers of one instrument, in item order (``None`` for unanswered).

    ``answers`` is a list in item order (``null`` for an unanswered item) or a mapping of
    item id → answer (missing ids are unanswered). ``item_where(key)`` may give a precise
    location for the answer at list index or mapping key ``key``.

    Raises
    ------
    InputFormatError
        Wrong number of answers, unknown item id, or an invalid answer.
    """
    ids = instrument.item_ids
    if isinstance(answers, Mapping):
        unknown = [k for k in answers if str(k) not in ids]
        if unknown:
            located = item_where(unknown[0]) if item_where is not None else None
            raise InputFormatError(
                f"unknown item {str(unknown[0])!r} for {instrument.short_name}",
                where=located or where,
                found=repr(str(unknown[0])),
                expected="one of " + ", ".join(ids),
                fix="use the item ids of the instrument",
            )
        keys: dict[str, object] = {str(k): k for k in answers}
        values: list[object] = [answers.get(keys[i]) if i in keys else None for i in ids]
        positions: list[object] = [keys.get(i, i) for i in ids]
    elif isinstance(answers, Sequence) and not isinstance(answers, str | bytes):
        if len(answers) != len(ids):
            raise InputFormatError(
                f"wrong number of answers for {instrument.short_name}",
                where=where,
                found=f"{len(answers)} values",
                expected=f"{len(ids)} values (items {item_list(instrument)}), "
                "null for an unanswered item",
                fix=f"give exactly {len(ids)} answers in item order",
            )
        values = list(answers)
        positions = list(range(len(ids)))
    else:
        raise InputFormatError(
            f"answers for {instrument.short_name} are not a list",
            where=where,
            found=_describe(answers),
            expected=f"a list of {len(ids)} answers, or a mapping of item id to answer",
            fix="write e.g. [1, 0, 2, ...]",
        )
    out = []
    for item, value, key in zip(instrument.items, values, positions, strict=True):
        located = item_where(key) if item_where is not None else None
        out.append(check_answer(instrument, item, value, located or f"{where}, item {item.id}"))
    return tuple(out)
