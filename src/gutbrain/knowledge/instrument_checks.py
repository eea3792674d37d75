"""Cross-field checks of an instrument definition: what its JSON Schema cannot express.

Item ids, response sets, shipped wording against the licence, skip gates, the missing-item
rule, the score range implied by the items, what each scoring method needs, and bands that
cover the score range without gaps. Used by :func:`gutbrain.knowledge.instruments.parse_instrument`.
"""

from __future__ import annotations

from gutbrain.errors import KnowledgeBaseError
from gutbrain.knowledge.instrument_types import IPAQ_ITEMS, IPAQ_PARAMETERS, Instrument

__all__ = ["check_instrument", "fail"]


def fail(problem: str, where: str, found: str, expected: str) -> KnowledgeBaseError:
    """The error for an inconsistent instrument file."""
    return KnowledgeBaseError(
        problem, where=where, found=found, expected=expected, fix="correct the instrument file"
    )


def _check_items(inst: Instrument, label: str) -> None:
    ids = inst.item_ids
    if len(set(ids)) != len(ids):
        raise fail("duplicate item id", label, ", ".join(ids), "unique item ids")
    for item in inst.items:
        if (item.text is not None) != inst.licence.wording_shipped:
            raise fail(
                "item text must be given exactly when the licence ships the wording",
                f"{label}, item {item.id}",
                repr(item.text),
                f"wording_shipped={inst.licence.wording_shipped}",
            )
        gate = item.skipped_when_zero
        if gate is not None and (
            gate == item.id or gate not in ids or inst.item(gate).minimum != 0
        ):
            raise fail(
                "skipped_when_zero must name another item that can be 0",
                f"{label}, item {item.id}",
                repr(gate),
                "an item id",
            )
    unknown = [i for i in inst.missing.never_missing if i not in ids]
    if unknown:
        raise fail("never_missing names an unknown item", label, ", ".join(unknown), "item ids")
    required = [i for i in inst.items if not i.optional]
    if inst.missing.max_missing >= len(required):
        raise fail(
            "max_missing must leave at least one answered item",
            label,
            str(inst.missing.max_missing),
            f"< {len(required)}",
        )


def _expected_range(inst: Instrument) -> tuple[float | None, float | None]:
    s = inst.scoring
    if s.method == "sum":
        lo = sum(i.minimum for i in inst.items if not i.optional) * s.multiplier
        return lo, sum(i.maximum for i in inst.items if not i.optional) * s.multiplier
    if s.method == "category" and s.primary_item in inst.item_ids:
        primary = inst.item(s.primary_item)
        return primary.minimum, primary.maximum
    if s.method == "product" and all(f in inst.item_ids for f in s.factors):
        lo = hi = 1.0
        for f in s.factors:
            lo, hi = lo * inst.item(f).minimum, hi * inst.item(f).maximum
        return lo, hi
    if s.method == "ipaq_short":
        p = dict(s.parameters)
        week = 7 * p.get("truncate_minutes_per_day", 0.0)
        return 0.0, week * (
            p.get("met_walking", 0) + p.get("met_moderate", 0) + p.get("met_vigorous", 0)
        )
    return None, None


def _check_scoring(inst: Instrument, label: str) -> None:
    s = inst.scoring
    kinds = {i.kind for i in inst.items if not i.optional}
    problems = {
        "sum": kinds != {"choice"} or s.primary_item is not None or s.factors,
        "category": s.primary_item not in inst.item_ids
        or inst.item(str(s.primary_item)).kind != "choice",
        "product": len(s.factors) < 2
        or any(f not in inst.item_ids or inst.item(f).kind != "number" for f in s.factors),
        "profile": inst.bands or inst.mid is not None or inst.referral_rules,
        "ipaq_short": tuple(inst.item_ids) != IPAQ_ITEMS
        or {k for k, _ in s.parameters} != set(IPAQ_PARAMETERS),
    }
    if problems[s.method]:
        raise fail(
            f"inconsistent {s.method} scoring rule",
            label,
            s.method,
            "see docs/assessments.md for what each method needs",
        )
    if s.method != "ipaq_short" and s.parameters:
        raise fail(
            "only ipaq_short scoring takes parameters",
            label,
            str(dict(s.parameters)),
            "parameters: null",
        )
    if inst.missing.method == "prorate" and s.method != "sum":
        raise fail("prorating needs sum scoring", label, s.method, "sum")
    if (s.minimum, s.maximum) != _expected_range(inst):
        raise fail(
            "score range does not follow from the items",
            label,
            f"{s.minimum}..{s.maximum}",
            "{}..{}".format(*_expected_range(inst)),
        )


def _check_bands(inst: Instrument, label: str) -> None:
    bands, s = inst.bands, inst.scoring
    if len({b.id for b in bands}) != len(bands):
        raise fail("duplicate band id", label, ", ".join(b.id for b in bands), "unique")
    if s.method == "ipaq_short":
        if [b.id for b in bands] != ["low", "moderate", "high"] or any(
            b.minimum is not None or b.maximum is not None for b in bands
        ):
            raise fail(
                "IPAQ bands are the categories low, moderate, high without ranges",
                label,
                ", ".join(b.id for b in bands),
                "low, moderate, high",
            )
        return
    if s.method == "profile":
        return
    if s.minimum is None or s.maximum is None:
        raise fail("banded scoring needs a score range", label, "null", "numbers")
    edges: list[float] = [s.minimum]
    for band in bands:
        if band.minimum is None or band.maximum is None or band.minimum > band.maximum:
            raise fail(
                "band needs min <= max",
                f"{label}, band {band.id}",
                f"{band.minimum}..{band.maximum}",
                "numbers",
            )
        if band.minimum != edges[-1]:
            raise fail(
                "bands must cover the score range without gaps or overlaps",
                f"{label}, band {band.id}",
                str(band.minimum),
                str(edges[-1]),
            )
        edges.append(band.maximum + 1)
    if not bands or edges[-1] != s.maximum + 1:
        raise fail("bands must end at the maximum score", label, str(edges[-1] - 1), str(s.maximum))


def check_instrument(inst: Instrument, label: str) -> None:
    """Raise :class:`KnowledgeBaseError` naming ``label`` on the first inconsistency."""
    _check_items(inst, label)
    _check_scoring(inst, label)
    _check_bands(inst, label)
    if inst.mid is not None and inst.direction == "none":
        raise fail(
            "a minimal important difference needs a direction",
            label,
            "none",
            "lower_is_better or higher_is_better",
        )
    rules = [r.id for r in inst.referral_rules]
    if len(set(rules)) != len(rules):
        raise fail("duplicate referral rule id", label, ", ".join(rules), "unique")
    if inst.validated_ages is not None and inst.validated_ages[0] > inst.validated_ages[1]:
        raise fail("validated_ages min > max", label, str(inst.validated_ages), "min <= max")
