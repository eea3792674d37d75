"""Validated questionnaires (and two gutbrain modules) as cited data.

Each instrument is one JSON file in ``gutbrain/knowledge/data/instruments/`` following
``instrument.schema.json``: items with their response options or numeric range, the scoring
rule (sum with reversed items and a multiplier, a category, a product of two answers, an
item-by-item profile, or the IPAQ short-form protocol), the missing-item rule, score bands in
wellness language, the minimal important difference, referral rules, a licence note and
citation keys of ``references.json``. Scoring itself lives in :mod:`gutbrain.assess`.

:func:`validate_instruments` checks the schema and everything it cannot express (ids,
ranges, band coverage, citations, forbidden wording) and raises
:class:`~gutbrain.errors.KnowledgeBaseError` on the first problem. Editorial policy and the
instrument reference: ``docs/assessments.md``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from gutbrain.errors import KnowledgeBaseError, OptionError
from gutbrain.knowledge.instrument_checks import check_instrument, fail
from gutbrain.knowledge.instrument_types import (
    REFERRAL_LEVELS,
    Band,
    Direction,
    Domain,
    Instrument,
    Item,
    ItemKind,
    Licence,
    MinimalImportantDifference,
    MissingRule,
    ReferralLevel,
    ReferralRule,
    ResponseOption,
    Scoring,
    ScoringMethod,
    Target,
)
from gutbrain.knowledge.mechanisms import reference_keys, validate_instance

__all__ = [
    "REFERRAL_LEVELS",
    "Band",
    "Direction",
    "Domain",
    "Instrument",
    "Item",
    "Licence",
    "MinimalImportantDifference",
    "MissingRule",
    "ReferralLevel",
    "ReferralRule",
    "ResponseOption",
    "Scoring",
    "ScoringMethod",
    "Target",
    "get_instrument",
    "instrument_ids",
    "instrument_schema",
    "instruments_version",
    "load_instruments",
    "parse_instrument",
    "validate_instruments",
]

_DIR = "instruments"
_SCHEMA = "instrument.schema.json"

# --------------------------------------------------------------------------- reading


def _folder() -> Traversable:
    return resources.files("gutbrain.knowledge") / "data" / _DIR


def _files() -> list[Traversable]:
    return sorted(
        (p for p in _folder().iterdir() if p.name.endswith(".json") and p.name != _SCHEMA),
        key=lambda p: p.name,
    )


@cache
def instrument_schema() -> dict[str, Any]:
    """The JSON Schema of an instrument file.

    >>> instrument_schema()["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
    """
    schema: dict[str, Any] = json.loads((_folder() / _SCHEMA).read_text(encoding="utf-8"))
    return schema


def _item(raw: Mapping[str, Any], sets: Mapping[str, tuple[ResponseOption, ...]], at: str) -> Item:
    target = raw.get("target")
    kind: ItemKind = raw["kind"]
    if kind == "choice":
        extra = [k for k in ("minimum", "maximum", "integer", "unit") if k in raw]
        if "response_set" not in raw or raw["response_set"] not in sets or extra:
            raise fail(
                "choice item needs a known response_set and no numeric range",
                at,
                repr(raw.get("response_set")) + (f", {extra}" if extra else ""),
                "one of " + ", ".join(sets),
            )
        options = sets[raw["response_set"]]
        values = [o.value for o in options]
        minimum, maximum, integer, unit = float(min(values)), float(max(values)), True, ""
    else:
        missing = [k for k in ("minimum", "maximum", "integer", "unit") if k not in raw]
        if missing or "response_set" in raw or raw["minimum"] > raw["maximum"]:
            raise fail(
                "number item needs minimum <= maximum, integer and unit",
                at,
                ", ".join(missing) or repr(raw.get("response_set")),
                "a numeric range",
            )
        options = ()
        minimum, maximum = float(raw["minimum"]), float(raw["maximum"])
        integer, unit = bool(raw["integer"]), str(raw["unit"])
    return Item(
        id=raw["id"],
        label=raw["label"],
        text=raw["text"],
        kind=kind,
        options=options,
        minimum=minimum,
        maximum=maximum,
        integer=integer,
        unit=unit,
        reversed=raw["reversed"],
        optional=raw["optional"],
        skipped_when_zero=raw.get("skipped_when_zero"),
        target=None
        if target is None
        else Target(
            target["operator"], float(target["value"]), target["label"], tuple(target["citations"])
        ),
        note=raw.get("note"),
    )


def parse_instrument(data: object, label: str) -> Instrument:
    """Check ``data`` against the schema and the cross-field rules; build the instrument.

    Raises :class:`~gutbrain.errors.KnowledgeBaseError` naming ``label`` and the problem.
    """
    validate_instance(data, instrument_schema(), where=label)
    assert isinstance(data, dict)
    sets: dict[str, tuple[ResponseOption, ...]] = {}
    for rs in data["response_sets"]:
        options = tuple(ResponseOption(o["value"], o["label"]) for o in rs["options"])
        if rs["id"] in sets or len({o.value for o in options}) != len(options):
            raise fail("duplicate response set or option value", label, rs["id"], "unique")
        sets[rs["id"]] = options
    items = tuple(_item(raw, sets, f"{label}, item {raw['id']}") for raw in data["items"])
    s, m, mid, ages = data["scoring"], data["missing"], data["mid"], data["validated_ages"]
    inst = Instrument(
        id=data["id"],
        order=data["order"],
        name=data["name"],
        short_name=data["short_name"],
        version=data["version"],
        domain=data["domain"],
        construct=data["construct"],
        recall_period=data["recall_period"],
        instructions=data["instructions"],
        direction=data["direction"],
        validated_ages=None if ages is None else (ages["min"], ages["max"]),
        licence=Licence(**{**data["licence"], "citations": tuple(data["licence"]["citations"])}),
        citations=tuple(data["citations"]),
        items=items,
        scoring=Scoring(
            method=s["method"],
            multiplier=float(s["multiplier"]),
            minimum=s["minimum"],
            maximum=s["maximum"],
            unit=s["unit"],
            primary_item=s["primary_item"],
            factors=tuple(s["factors"]),
            parameters=tuple((k, float(v)) for k, v in (s["parameters"] or {}).items()),
            note=s["note"],
            citations=tuple(s["citations"]),
        ),
        missing=MissingRule(
            m["max_missing"],
            m["method"],
            tuple(m["never_missing"]),
            m["note"],
            tuple(m["citations"]),
        ),
        bands=tuple(
            Band(b["id"], b["min"], b["max"], b["label"], b["description"]) for b in data["bands"]
        ),
        mid=None
        if mid is None
        else MinimalImportantDifference(
            float(mid["value"]), mid["unit"], mid["note"], tuple(mid["citations"])
        ),
        referral_rules=tuple(
            ReferralRule(
                r["id"], r["kind"], float(r["value"]), r["level"], r["text"], tuple(r["citations"])
            )
            for r in data["referral_rules"]
        ),
        notes=tuple(data["notes"]),
    )
    check_instrument(inst, label)
    return inst


@cache
def _packaged() -> tuple[tuple[Instrument, ...], str]:
    instruments = []
    digest = hashlib.sha256()
    for node in _files():
        raw = node.read_bytes()
        digest.update(node.name.encode() + b"\0" + raw)
        label = f"gutbrain:{_DIR}/{node.name}"
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise KnowledgeBaseError(
                "invalid JSON", where=f"{label}, line {exc.lineno}", found=exc.msg
            ) from exc
        inst = parse_instrument(data, label)
        if f"{inst.id}.json" != node.name:
            raise fail("file name must be the instrument id", label, inst.id, node.name)
        instruments.append(inst)
    instruments.sort(key=lambda i: i.order)
    orders = [i.order for i in instruments]
    if len(set(orders)) != len(orders):
        raise fail("duplicate instrument order", f"gutbrain:{_DIR}", str(orders), "unique")
    return tuple(instruments), "sha256:" + digest.hexdigest()[:16]


def load_instruments() -> tuple[Instrument, ...]:
    """The packaged instruments, in questionnaire order.

    >>> [i.id for i in load_instruments()][:4]
    ['phq9', 'gad7', 'pss10', 'who5']
    """
    return _packaged()[0]


def instrument_ids() -> tuple[str, ...]:
    """Ids of the packaged instruments, in questionnaire order."""
    return tuple(i.id for i in load_instruments())


def instruments_version() -> str:
    """A digest of the packaged instrument files (changes whenever any file changes).

    >>> instruments_version().startswith("sha256:")
    True
    """
    return _packaged()[1]


def get_instrument(instrument_id: str) -> Instrument:
    """The packaged instrument with this id.

    Raises
    ------
    OptionError
        For an unknown id; the message lists the valid ones.

    >>> get_instrument("who5").scoring.multiplier
    4.0
    """
    for inst in load_instruments():
        if inst.id == instrument_id:
            return inst
    raise OptionError(
        f"unknown instrument {instrument_id!r}",
        found=repr(instrument_id),
        expected="one of " + ", ".join(instrument_ids()),
        fix="use one of the listed instrument ids",
    )


def validate_instruments() -> None:
    """Check every packaged instrument; raise :class:`KnowledgeBaseError` on a problem.

    Beyond :func:`parse_instrument`: every citation key resolves in ``references.json`` and
    no text of any instrument makes a forbidden claim (:func:`~gutbrain.knowledge.wording.\
find_forbidden`).

    >>> validate_instruments()
    """
    from gutbrain.knowledge.wording import find_forbidden

    known = reference_keys()
    for inst in load_instruments():
        unknown = sorted(inst.all_citations() - known)
        if unknown:
            raise fail(
                "unknown citation key", inst.id, ", ".join(unknown), "keys of references.json"
            )
        for text in inst.texts():
            found = find_forbidden(text)
            if found:
                raise fail(
                    "forbidden claim in instrument text",
                    inst.id,
                    repr(text)[:80],
                    "wellness wording (" + ", ".join(found) + ")",
                )
