"""An answers document (parsed YAML, or a web form) → a checked :class:`AnswerSet`.

The document is a mapping::

    client: {id: c-001, name: Alex Example, age: 34, sex: female}
    date: 2026-11-20
    answers: {phq9: [1, 1, 2, 0, 1, 0, 1, 0, 0], gad7: {q1: 1, q2: 2, ...}, ...}
    preferences: [vegetarian, lactose_intolerant]
    conditions: [pregnancy]
    medications: [maoi]

Answers are a list in item order (``null`` for an unanswered item) or a mapping of item id
→ answer. Every problem raises one :class:`~gutbrain.errors.InputFormatError` that names
where it is (file, line and column when a ``locate`` callback is given) and lists the valid
values.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from gutbrain.assess.model import SEXES, Answer, AnswerSet, Client
from gutbrain.assess.validation import check_answers
from gutbrain.errors import GutBrainError, InputFormatError
from gutbrain.knowledge.instruments import get_instrument, instrument_ids
from gutbrain.knowledge.vocabulary import SECTIONS, Section, load_vocabulary

__all__ = ["FIELDS", "KeyPath", "Locator", "answer_set_from_mapping"]

KeyPath = tuple[str | int, ...]
#: maps a key path (``("answers", "phq9", 3)``) to "file, line L, column C", or None
Locator = Callable[[KeyPath], str | None]
#: top-level fields of an answers document, required ones first
FIELDS = ("client", "date", "answers", "preferences", "conditions", "medications")
_REQUIRED = ("client", "date", "answers")
_CLIENT_FIELDS = ("id", "name", "age", "sex")


def _dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass(frozen=True)
class _Where:
    source: str
    locate: Locator | None

    def __call__(self, path: KeyPath, shown: KeyPath | None = None) -> str:
        position = None
        if self.locate is not None:
            for n in range(len(path), 0, -1):
                position = self.locate(path[:n])
                if position is not None:
                    break
        base = position or self.source
        shown = path if shown is None else shown
        return f"{base} ({_dotted(shown)})" if shown else base


def _found(value: object) -> str:
    if isinstance(value, str):
        return GutBrainError.quote(value)
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)}"
    return GutBrainError.quote(repr(value))


def _client(raw: object, where: _Where) -> Client:
    at = ("client",)
    if not isinstance(raw, Mapping):
        raise InputFormatError(
            "client is not a mapping",
            where=where(at),
            found=_found(raw),
            expected="a mapping with at least id",
            fix="write e.g. client: {id: c-001, name: Alex Example}",
        )
    unknown = [str(k) for k in raw if str(k) not in _CLIENT_FIELDS]
    if unknown:
        raise InputFormatError(
            f"unknown client field {unknown[0]!r}",
            where=where((*at, unknown[0])),
            found=repr(unknown[0]),
            expected="fields " + ", ".join(_CLIENT_FIELDS),
            fix="remove or rename the field",
        )
    cid = raw.get("id")
    if isinstance(cid, int) and not isinstance(cid, bool):
        cid = str(cid)
    if not isinstance(cid, str) or not cid.strip():
        raise InputFormatError(
            "missing or empty client id",
            where=where((*at, "id")),
            found=_found(cid),
            expected="a non-empty text such as c-001",
            fix="give the client an id",
        )
    name = raw.get("name")
    if name is not None and not isinstance(name, str):
        raise InputFormatError(
            "client name is not text",
            where=where((*at, "name")),
            found=_found(name),
            expected="a text",
            fix="quote the name",
        )
    age = raw.get("age")
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130
    ):
        raise InputFormatError(
            "invalid client age",
            where=where((*at, "age")),
            found=_found(age),
            expected="a whole number from 0 to 130, or leave it out",
            fix="correct the age",
        )
    sex = raw.get("sex")
    if sex is not None and (not isinstance(sex, str) or sex.lower() not in SEXES):
        raise InputFormatError(
            "invalid client sex",
            where=where((*at, "sex")),
            found=_found(sex),
            expected="one of " + ", ".join(SEXES) + ", or leave it out",
            fix="use one of the listed values",
        )
    return Client(cid.strip(), name, age, sex.lower() if isinstance(sex, str) else None)  # type: ignore[arg-type]


def _date(raw: object, where: _Where) -> dt.date:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise InputFormatError(
        "invalid date",
        where=where(("date",)),
        found=_found(raw),
        expected="a date like 2026-11-20 (year-month-day)",
        fix="write the date of the answers as YYYY-MM-DD",
    )


def _answers(raw: object, where: _Where) -> tuple[tuple[str, tuple[Answer, ...]], ...]:
    at = ("answers",)
    valid = instrument_ids()
    if not isinstance(raw, Mapping) or not raw:
        raise InputFormatError(
            "no answers",
            where=where(at),
            found=_found(raw),
            expected="a mapping of instrument id to answers, with ids from " + ", ".join(valid),
            fix="write e.g. answers: {phq9: [1, 1, 2, 0, 1, 0, 1, 0, 0]}",
        )
    checked: dict[str, tuple[Answer, ...]] = {}
    for key, values in raw.items():
        name = str(key)
        if name not in valid:
            close = difflib.get_close_matches(name.lower(), valid, n=1)
            raise InputFormatError(
                f"unknown instrument {name!r}",
                where=where((*at, name)),
                found=repr(name),
                expected="one of " + ", ".join(valid),
                fix=f"did you mean {close[0]!r}?" if close else "use one of the listed ids",
            )
        path = (*at, name)
        instrument = get_instrument(name)

        def item_where(
            k: object, path: KeyPath = path, ids: tuple[str, ...] = instrument.item_ids
        ) -> str:
            if isinstance(k, int) and not isinstance(k, bool):
                return where((*path, k), (*path, ids[k]))
            return where((*path, str(k)))

        checked[name] = check_answers(instrument, values, where(path), item_where)
    return tuple((i, checked[i]) for i in valid if i in checked)


def _terms(raw: object, section: Section, where: _Where) -> tuple[str, ...]:
    at: KeyPath = (section,)
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    vocabulary = load_vocabulary()
    valid = vocabulary.ids(section)
    expected = "one of " + ", ".join(valid)
    if not isinstance(raw, list):
        raise InputFormatError(
            f"{section} is not a list",
            where=where(at),
            found=_found(raw),
            expected=f"a list of {section} ({expected})",
            fix=f"write e.g. {section}: [{valid[0]}]",
        )
    out: list[str] = []
    for index, value in enumerate(raw):
        term = vocabulary.lookup(value) if isinstance(value, str) else None
        if term is not None and term.section == section:
            out.append(term.id)
            continue
        if term is not None:
            fix = f"move it under {term.section}:"
            problem = f"{term.id!r} is one of the {term.section}, not of the {section}"
        else:
            close = difflib.get_close_matches(str(value).lower(), valid, n=1)
            fix = f"did you mean {close[0]!r}?" if close else "use one of the listed values"
            problem = f"unknown {section[:-1]} {str(value)!r}"
        raise InputFormatError(
            problem, where=where((*at, index)), found=_found(value), expected=expected, fix=fix
        )
    return tuple(sorted(set(out), key=valid.index))


def answer_set_from_mapping(
    data: object, *, source: str = "answers", locate: Locator | None = None
) -> AnswerSet:
    """Check an answers document and build the :class:`AnswerSet`.

    Parameters
    ----------
    data:
        The parsed document (``yaml.safe_load`` output, or a web form's dict).
    source:
        Name of the document for messages (the file name).
    locate:
        Optional callback: key path → ``"file, line L, column C"``.

    Raises
    ------
    InputFormatError
        Missing or unknown field, invalid client or date, unknown instrument, wrong number
        of answers, answer out of range, unknown preference, condition or medication. The
        message lists the valid values.

    Examples
    --------
    >>> s = answer_set_from_mapping({"client": {"id": "c-1"}, "date": "2026-11-20",
    ...                              "answers": {"gad7": [0, 1, 0, 0, 1, 0, 0]},
    ...                              "preferences": ["Vegan"], "medications": ["phenelzine"]})
    >>> s.answers_for("gad7"), s.preferences, s.medications
    ((0, 1, 0, 0, 1, 0, 0), ('vegan',), ('maoi',))
    >>> try:
    ...     answer_set_from_mapping({"client": {"id": "c-1"}, "date": "2026-11-20",
    ...                              "answers": {"phq8": [0] * 8}})
    ... except InputFormatError as exc:
    ...     print(exc.where, exc.problem, exc.fix, sep=" | ")
    answers (answers.phq8) | unknown instrument 'phq8' | did you mean 'phq9'?
    """
    where = _Where(source, locate)
    if not isinstance(data, Mapping):
        raise InputFormatError(
            "not an answers document",
            where=where(()),
            found=_found(data),
            expected="a mapping with " + ", ".join(_REQUIRED),
            fix="see docs/assessments.md for the answers format",
        )
    unknown = [str(k) for k in data if str(k) not in FIELDS]
    if unknown:
        raise InputFormatError(
            f"unknown field {unknown[0]!r}",
            where=where((unknown[0],)),
            found=repr(unknown[0]),
            expected="fields " + ", ".join(FIELDS),
            fix="remove or rename the field",
        )
    missing = [f for f in _REQUIRED if f not in data]
    if missing:
        raise InputFormatError(
            f"missing field {missing[0]!r}",
            where=where(()),
            found="fields " + (", ".join(map(str, data)) or "none"),
            expected="fields " + ", ".join(_REQUIRED) + " at least",
            fix=f"add {missing[0]}:",
        )
    client = _client(data["client"], where)
    date = _date(data["date"], where)
    answers = _answers(data["answers"], where)
    terms = {s: _terms(data.get(s), s, where) for s in SECTIONS}
    return AnswerSet(
        client=client,
        date=date,
        answers=answers,
        preferences=terms["preferences"],
        medications=terms["medications"],
        conditions=terms["conditions"],
        source=source,
    )
