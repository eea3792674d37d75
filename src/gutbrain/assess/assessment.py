"""Scoring a whole answer set, with the changes since a previous one."""

from __future__ import annotations

from dataclasses import replace

from gutbrain.assess.change import compare
from gutbrain.assess.model import AnswerSet, Assessment
from gutbrain.assess.scoring import score_instrument
from gutbrain.errors import OptionError
from gutbrain.knowledge.instruments import load_instruments

__all__ = ["assess"]


def assess(answers: AnswerSet, previous: AnswerSet | None = None) -> Assessment:
    """Score every answered instrument; compare with ``previous`` when given.

    The safety flag is part of the returned :class:`Assessment` whenever its rules are met
    (see :mod:`gutbrain.assess.safety`); nothing here can switch it off.

    Raises
    ------
    OptionError
        When ``previous`` belongs to another client or is not earlier than ``answers``.

    Examples
    --------
    >>> from gutbrain.assess.answers import answer_set_from_mapping
    >>> now = answer_set_from_mapping({"client": {"id": "c-1"}, "date": "2026-11-20",
    ...                                "answers": {"who5": [3, 3, 2, 2, 3]}})
    >>> before = answer_set_from_mapping({"client": {"id": "c-1"}, "date": "2026-10-20",
    ...                                   "answers": {"who5": [2, 2, 1, 2, 2]}})
    >>> who5 = assess(now, before).result("who5")
    >>> who5.score, who5.change.delta, who5.change.category
    (52, 16, 'improved')
    """
    age = answers.client.age
    results = []
    for instrument in load_instruments():
        values = answers.answers_for(instrument.id)
        if values is not None:
            results.append(score_instrument(instrument, list(values), age=age))
    if previous is not None:
        if previous.client.id != answers.client.id:
            raise OptionError(
                "the previous answers are for another client",
                where=previous.source,
                found=f"client {previous.client.id!r}",
                expected=f"client {answers.client.id!r}",
                fix="give the previous answers file of the same client",
            )
        if previous.date >= answers.date:
            raise OptionError(
                "the previous answers are not earlier",
                where=previous.source,
                found=previous.date.isoformat(),
                expected=f"a date before {answers.date.isoformat()}",
                fix="swap the two files, or correct the dates",
            )
        before = {
            inst.id: score_instrument(inst, list(values), age=previous.client.age)
            for inst in load_instruments()
            if (values := previous.answers_for(inst.id)) is not None
        }
        by_id = {inst.id: inst for inst in load_instruments()}
        results = [
            replace(r, change=compare(by_id[r.instrument], r, before.get(r.instrument)))
            for r in results
        ]
    return Assessment(
        client=answers.client,
        date=answers.date,
        results=tuple(results),
        preferences=answers.preferences,
        medications=answers.medications,
        conditions=answers.conditions,
        previous_date=None if previous is None else previous.date,
    )
