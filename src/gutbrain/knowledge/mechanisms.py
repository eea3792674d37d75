"""The six gut–brain mechanisms, diversity and literature marker taxa, as cited data.

The data live in ``gutbrain/knowledge/data/mechanisms/``:

* ``mechanisms.json`` — every mechanism with its components (module, trait, diversity metric or
  marker taxon), the favourable direction, a weight, an evidence grade and citation keys;
* ``marker_taxa.tsv`` — taxa reported as lower or higher in a condition, one row per study;
* ``mechanisms.schema.json`` and ``marker_taxa.schema.json`` — JSON Schemas (draft 2020-12) of
  both files. They are checked with the small validator in this module, which supports exactly the
  keywords those schemas use, so no extra dependency is needed.

Component ids are a contract shared with the scoring code:

* ``module:<ID>`` — a module of a packaged module database (GMM, GBM, curated);
* ``trait:<id>`` — a taxon trait in :data:`gutbrain.knowledge.taxa.TRAITS`;
* ``diversity:<metric>`` — an alpha metric in :data:`gutbrain.core.diversity.ALPHA_METRICS`;
* ``taxon:<rank>:<name>`` — a genus or species, resolvable to an NCBI taxid.

:func:`validate_knowledge` checks all cross references and raises
:class:`~gutbrain.errors.KnowledgeBaseError` on the first problem. Editorial policy:
``docs/knowledge-base.md``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast, get_args

from gutbrain.errors import KnowledgeBaseError
from gutbrain.knowledge.citations import load_citations

__all__ = [
    "MECHANISM_IDS",
    "Component",
    "ComponentKind",
    "Direction",
    "Grade",
    "MarkerTaxon",
    "Mechanism",
    "NotEstimable",
    "component_kind",
    "load_marker_taxa",
    "load_mechanisms",
    "load_schema",
    "mechanisms_version",
    "reference_keys",
    "resolve_taxon",
    "validate_instance",
    "validate_knowledge",
]

Grade = Literal["A", "B", "C", "D"]
Direction = Literal["higher", "lower", "neutral", "balance"]
InputKind = Literal["functional", "taxonomic", "both"]
ComponentKind = Literal["module", "trait", "diversity", "taxon"]
MarkerDirection = Literal["lower", "higher"]

#: mechanism ids, in report order
MECHANISM_IDS: tuple[str, ...] = (
    "serotonin",
    "stress",
    "inflammation",
    "neurotransmitters",
    "scfa",
    "vitamins",
    "diversity",
    "markers",
)
GRADES: tuple[str, ...] = get_args(Grade)
MODULE_DATABASES: tuple[str, ...] = ("gmm", "gbm", "curated")

_DIR = "mechanisms"
_MECHANISMS = "mechanisms.json"
_MARKERS = "marker_taxa.tsv"
_MECHANISMS_SCHEMA = "mechanisms.schema.json"
_MARKERS_SCHEMA = "marker_taxa.schema.json"

PathLike = str | Path


@dataclass(frozen=True)
class NotEstimable:
    """Something a mechanism cannot estimate from the input, and why."""

    what: str
    reason: str


@dataclass(frozen=True)
class Component:
    """One scored or displayed part of a mechanism.

    ``direction`` is the favourable direction: ``higher`` or ``lower``; ``neutral`` (shown, no
    favourable direction) or ``balance`` (shown as a ratio against ``balance_with``).
    """

    id: str
    label: str
    input: InputKind
    direction: Direction
    weight: float
    evidence_grade: Grade
    citations: tuple[str, ...]
    note: str
    balance_with: str | None = None

    @property
    def kind(self) -> ComponentKind:
        """``module``, ``trait``, ``diversity`` or ``taxon``."""
        return component_kind(self.id)

    @property
    def scored(self) -> bool:
        """Whether the component contributes to the mechanism score (weight > 0)."""
        return self.weight > 0


@dataclass(frozen=True)
class Mechanism:
    """A section of the report: a gut–brain mechanism, diversity or marker taxa."""

    id: str
    title: str
    summary: str
    evidence_grade: Grade
    citations: tuple[str, ...]
    not_estimable: tuple[NotEstimable, ...]
    components: tuple[Component, ...]

    def component(self, component_id: str) -> Component:
        """The component with this id.

        >>> load_mechanisms()[0].component("module:MGB005").evidence_grade
        'B'
        """
        for comp in self.components:
            if comp.id == component_id:
                return comp
        raise KeyError(component_id)


@dataclass(frozen=True)
class MarkerTaxon:
    """One literature report of a taxon being lower or higher in a condition."""

    taxon: str
    rank: Literal["genus", "species"]
    name: str
    condition: str
    direction: MarkerDirection
    study: str
    evidence_grade: Grade
    citation: str
    note: str


# --------------------------------------------------------------------------- reading


def _packaged(name: str) -> str:
    node = resources.files("gutbrain.knowledge") / "data" / _DIR / name
    return node.read_text(encoding="utf-8")


def _read(path: PathLike | None, name: str) -> tuple[str, str]:
    """Text of a packaged file, or of ``path`` when given; plus a label for messages."""
    if path is None:
        return _packaged(name), f"gutbrain:{_DIR}/{name}"
    try:
        return Path(path).read_text(encoding="utf-8"), str(path)
    except OSError as exc:
        raise KnowledgeBaseError(
            "cannot read a knowledge-base file",
            where=str(path),
            found=type(exc).__name__,
            expected=f"a readable {name}",
            fix="check the path",
        ) from exc


@cache
def load_schema(name: str = _MECHANISMS_SCHEMA) -> dict[str, Any]:
    """A packaged JSON Schema (``mechanisms.schema.json`` or ``marker_taxa.schema.json``).

    >>> load_schema()["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
    """
    schema: dict[str, Any] = json.loads(_packaged(name))
    return schema


# --------------------------------------------------------------------------- mini JSON Schema

#: keywords the validator enforces; anything else except annotations is refused
_SUPPORTED = frozenset(
    {
        "$ref",
        "type",
        "enum",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "minItems",
        "minLength",
        "pattern",
        "minimum",
        "maximum",
    }
)
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description"})


def _type_ok(value: object, expected: str) -> bool:
    if expected == "object":
        return isinstance(value, dict)
    if expected == "array":
        return isinstance(value, list)
    if expected == "string":
        return isinstance(value, str)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected == "null":
        return value is None
    raise KnowledgeBaseError(
        "unsupported type in schema", found=repr(expected), expected="a JSON Schema type"
    )


def _resolve_ref(ref: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        raise KnowledgeBaseError(
            "unsupported $ref in schema", found=repr(ref), expected="a local '#/...' reference"
        )
    node: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(node, Mapping) or part not in node:
            raise KnowledgeBaseError("dangling $ref in schema", found=repr(ref))
        node = node[part]
    return cast(Mapping[str, Any], node)


#: schema nodes already checked for unsupported keywords; the node is kept so its id
#: cannot be reused by another object (schemas are never mutated)
_CHECKED_NODES: dict[int, Mapping[str, Any]] = {}


def _check(value: object, schema: Mapping[str, Any], root: Mapping[str, Any], at: str) -> None:
    if _CHECKED_NODES.get(id(schema)) is schema:
        unknown: list[str] = []
    else:
        unknown = [k for k in schema if k not in _SUPPORTED and k not in _ANNOTATIONS]
        unknown = [k for k in unknown if not k.startswith("x-")]
        if not unknown:
            _CHECKED_NODES[id(schema)] = schema
    if unknown:
        raise KnowledgeBaseError(
            "schema uses a keyword the validator does not support",
            found=", ".join(sorted(unknown)),
            expected=", ".join(sorted(_SUPPORTED)),
            fix="extend gutbrain.knowledge.mechanisms._check",
        )

    def fail(problem: str, expected: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(
            problem, where=at or "/", found=repr(value)[:60], expected=expected
        )

    if "$ref" in schema:
        _check(value, _resolve_ref(str(schema["$ref"]), root), root, at)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_ok(value, str(t)) for t in types):
            raise fail("wrong type", " or ".join(map(str, types)))
    if "enum" in schema and value not in schema["enum"]:
        raise fail("value not allowed", "one of " + ", ".join(map(str, schema["enum"])))
    if isinstance(value, str):
        if len(value) < int(schema.get("minLength", 0)):
            raise fail("string too short", f"at least {schema['minLength']} characters")
        if "pattern" in schema and re.search(str(schema["pattern"]), value) is None:
            raise fail("string does not match the pattern", str(schema["pattern"]))
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise fail("number too small", f">= {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise fail("number too large", f"<= {schema['maximum']}")
    if isinstance(value, list):
        if len(value) < int(schema.get("minItems", 0)):
            raise fail("too few items", f"at least {schema['minItems']}")
        if "items" in schema:
            for i, item in enumerate(value):
                _check(item, schema["items"], root, f"{at}/{i}")
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                raise fail(f"missing field {key!r}", "fields " + ", ".join(schema["required"]))
        props: Mapping[str, Any] = schema.get("properties", {})
        if schema.get("additionalProperties", True) is False:
            extra = sorted(set(value) - set(props))
            if extra:
                raise fail(
                    "unknown field(s) " + ", ".join(map(repr, extra)), "only " + ", ".join(props)
                )
        for key, sub in props.items():
            if key in value:
                _check(value[key], sub, root, f"{at}/{key}")


def validate_instance(instance: object, schema: Mapping[str, Any], *, where: str = "") -> None:
    """Validate ``instance`` against the subset of JSON Schema 2020-12 used by gutbrain.

    Raises :class:`KnowledgeBaseError` naming the JSON pointer of the first problem.

    >>> validate_instance({"a": 1}, {"type": "object", "required": ["a"]})
    >>> validate_instance({}, {"type": "object", "required": ["a"]})
    Traceback (most recent call last):
    ...
    gutbrain.errors.KnowledgeBaseError: /: missing field 'a'; found {}; expected fields a
    """
    try:
        _check(instance, schema, schema, "")
    except KnowledgeBaseError as exc:
        if where:
            raise KnowledgeBaseError(
                exc.problem,
                where=f"{where}, {exc.where}" if exc.where else where,
                found=exc.found,
                expected=exc.expected,
                fix=exc.fix or "correct the knowledge-base file",
            ) from None
        raise


# --------------------------------------------------------------------------- loaders


def _parse_mechanisms(path: PathLike | None) -> tuple[str, tuple[Mechanism, ...]]:
    text, label = _read(path, _MECHANISMS)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KnowledgeBaseError(
            "invalid JSON", where=f"{label}, line {exc.lineno}", found=exc.msg
        ) from exc
    validate_instance(data, load_schema(_MECHANISMS_SCHEMA), where=label)
    mechanisms = []
    for m in data["mechanisms"]:
        comps = tuple(
            Component(
                id=c["id"],
                label=c["label"],
                input=c["input"],
                direction=c["direction"],
                weight=float(c["weight"]),
                evidence_grade=c["evidence_grade"],
                citations=tuple(c["citations"]),
                note=c["note"],
                balance_with=c.get("balance_with"),
            )
            for c in m["components"]
        )
        mechanisms.append(
            Mechanism(
                id=m["id"],
                title=m["title"],
                summary=m["summary"],
                evidence_grade=m["evidence_grade"],
                citations=tuple(m["citations"]),
                not_estimable=tuple(
                    NotEstimable(n["what"], n["reason"]) for n in m["not_estimable"]
                ),
                components=comps,
            )
        )
    return str(data["version"]), tuple(mechanisms)


@cache
def _mechanisms_cached(path: PathLike | None) -> tuple[str, tuple[Mechanism, ...]]:
    return _parse_mechanisms(path)


def load_mechanisms(path: PathLike | None = None) -> tuple[Mechanism, ...]:
    """Mechanisms in report order, from the packaged file or from ``path``.

    >>> [m.id for m in load_mechanisms()][:3]
    ['serotonin', 'stress', 'inflammation']
    """
    return _mechanisms_cached(path)[1]


def mechanisms_version(path: PathLike | None = None) -> str:
    """Version string of the mechanism knowledge base.

    >>> mechanisms_version().count(".")
    2
    """
    return _mechanisms_cached(path)[0]


def _parse_markers(path: PathLike | None) -> tuple[MarkerTaxon, ...]:
    text, label = _read(path, _MARKERS)
    schema = load_schema(_MARKERS_SCHEMA)
    columns: list[str] = list(schema["x-column-order"])
    reader = csv.reader(io.StringIO(text), delimiter="\t")
    header = next(reader, None)
    if header != columns:
        raise KnowledgeBaseError(
            "unexpected header",
            where=f"{label}, line 1",
            found=repr(header),
            expected="\t".join(columns),
        )
    rows = []
    for line_no, cells in enumerate(reader, start=2):
        if not cells:
            continue
        if len(cells) != len(columns):
            raise KnowledgeBaseError(
                "wrong number of columns",
                where=f"{label}, line {line_no}",
                found=str(len(cells)),
                expected=str(len(columns)),
            )
        row = dict(zip(columns, cells, strict=True))
        validate_instance(row, schema, where=f"{label}, line {line_no}")
        rows.append(MarkerTaxon(**row))  # type: ignore[arg-type]
    return tuple(rows)


@cache
def _markers_cached(path: PathLike | None) -> tuple[MarkerTaxon, ...]:
    return _parse_markers(path)


def load_marker_taxa(path: PathLike | None = None) -> tuple[MarkerTaxon, ...]:
    """Literature marker-taxon rows, from the packaged TSV or from ``path``.

    >>> rows = [r for r in load_marker_taxa() if r.name == "Eggerthella"]
    >>> sorted({r.direction for r in rows})
    ['higher']
    """
    return _markers_cached(path)


def reference_keys(path: PathLike | None = None) -> frozenset[str]:
    """Citation keys of ``references.json`` (packaged, or ``path``)."""
    if path is None:
        return frozenset(load_citations())
    text = Path(path).read_text(encoding="utf-8")
    return frozenset(str(entry["id"]) for entry in json.loads(text))


# --------------------------------------------------------------------------- component ids

_COMPONENT = re.compile(r"^(module|trait|diversity|taxon):(.+)$")
_TAXON = re.compile(r"^(genus|species):([A-Z][a-z]+(?: [a-z][a-z-]+)?)$")


def component_kind(component_id: str) -> ComponentKind:
    """Kind of a component id.

    >>> component_kind("module:MGB005"), component_kind("taxon:genus:Coprococcus")
    ('module', 'taxon')
    """
    match = _COMPONENT.match(component_id)
    if match is None or (match.group(1) == "taxon" and not _TAXON.match(match.group(2))):
        raise KnowledgeBaseError(
            "malformed component id",
            found=repr(component_id),
            expected="module:<ID>, trait:<id>, diversity:<metric> or taxon:<genus|species>:<name>",
        )
    return cast(ComponentKind, match.group(1))


@cache
def _module_ids() -> frozenset[str]:
    from gutbrain.knowledge.modules import load_database

    return frozenset(m.id for key in MODULE_DATABASES for m in load_database(key).modules)


@cache
def _resolver() -> Any:
    from gutbrain.knowledge.taxa import TaxonResolver

    return TaxonResolver()


def resolve_taxon(component_id: str) -> int | None:
    """NCBI taxid of a ``taxon:`` component (species or genus taxid), or ``None``."""
    component_kind(component_id)
    match = _TAXON.match(component_id.split(":", 1)[1])
    assert match is not None
    rank, name = match.groups()
    if rank == "species":
        taxid: int | None = _resolver().resolve(name, None).species_taxid
        return taxid
    genus: int | None = _resolver().resolve(None, name).genus_taxid
    return genus


def _component_exists(component_id: str) -> bool:
    from gutbrain.core.diversity import ALPHA_METRICS
    from gutbrain.knowledge.taxa import TRAITS

    kind = component_kind(component_id)
    value = component_id.split(":", 1)[1]
    if kind == "module":
        return value in _module_ids()
    if kind == "trait":
        return value in TRAITS
    if kind == "diversity":
        return value in ALPHA_METRICS
    return resolve_taxon(component_id) is not None


# --------------------------------------------------------------------------- validation


def _error(problem: str, where: str, found: str, expected: str) -> KnowledgeBaseError:
    return KnowledgeBaseError(
        problem, where=where, found=found, expected=expected, fix="correct the knowledge base"
    )


def _check_citations(keys: Iterable[str], known: frozenset[str], where: str) -> None:
    for key in keys:
        if key not in known:
            raise _error("unknown citation key", where, repr(key), "a key of references.json")


def _check_mechanism(mech: Mechanism, known: frozenset[str]) -> None:
    _check_citations(mech.citations, known, f"mechanism {mech.id}")
    ids = [c.id for c in mech.components]
    if len(ids) != len(set(ids)):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise _error("duplicate component", f"mechanism {mech.id}", ", ".join(dupes), "unique ids")
    for comp in mech.components:
        where = f"mechanism {mech.id}, component {comp.id}"
        if not _component_exists(comp.id):
            raise _error(
                "unknown component",
                where,
                repr(comp.id),
                "a packaged module, a trait, an alpha metric or a resolvable taxon",
            )
        if comp.evidence_grade not in GRADES:
            raise _error("invalid evidence grade", where, repr(comp.evidence_grade), "A, B, C or D")
        if not 0.0 <= comp.weight <= 1.0:
            raise _error("weight out of range", where, repr(comp.weight), "0 <= weight <= 1")
        _check_citations(comp.citations, known, where)
        if (comp.direction == "balance") != (comp.balance_with is not None):
            raise _error(
                "balance_with and direction 'balance' must go together",
                where,
                f"direction {comp.direction!r}, balance_with {comp.balance_with!r}",
                "both or neither",
            )
        if comp.balance_with is not None and (
            comp.balance_with == comp.id or comp.balance_with not in ids
        ):
            raise _error(
                "balance_with is not another component of the same mechanism",
                where,
                repr(comp.balance_with),
                "one of " + ", ".join(i for i in ids if i != comp.id),
            )
        if comp.weight > 0 and (
            comp.evidence_grade == "D" or comp.direction in ("neutral", "balance")
        ):
            raise _error(
                "a grade-D, neutral or balance component must have weight 0",
                where,
                f"weight {comp.weight}",
                "weight 0 (shown, not scored)",
            )
    if mech.evidence_grade not in GRADES:
        raise _error("invalid evidence grade", f"mechanism {mech.id}", mech.evidence_grade, "A-D")


def _check_markers(
    markers: Sequence[MarkerTaxon], mechanisms: Sequence[Mechanism], known: frozenset[str]
) -> None:
    by_taxon: dict[str, list[MarkerTaxon]] = {}
    for i, row in enumerate(markers, start=2):
        where = f"{_MARKERS}, line {i} ({row.taxon})"
        if row.taxon != f"taxon:{row.rank}:{row.name}":
            raise _error("taxon id does not match rank and name", where, row.taxon,
                         f"taxon:{row.rank}:{row.name}")  # fmt: skip
        if resolve_taxon(row.taxon) is None:
            raise _error(
                "taxon does not resolve to an NCBI taxid", where, row.name, "a known taxon"
            )
        _check_citations((row.citation,), known, where)
        by_taxon.setdefault(row.taxon, []).append(row)
    for mech in mechanisms:
        for comp in mech.components:
            if comp.kind != "taxon":
                continue
            where = f"mechanism {mech.id}, component {comp.id}"
            rows = by_taxon.get(comp.id)
            if not rows:
                raise _error("taxon component has no marker_taxa row", where, comp.id, "a row")
            if comp.direction not in ("higher", "lower"):
                continue
            # favourable 'higher' contradicts a well-graded report of 'higher in condition'
            against = comp.direction
            bad = [r for r in rows if r.direction == against and r.evidence_grade in ("A", "B")]
            if bad:
                raise _error(
                    "component direction contradicts a grade A/B marker row",
                    where,
                    f"{comp.direction} favourable vs {bad[0].direction} in {bad[0].condition}",
                    "consistent directions",
                )


def validate_knowledge(
    mechanisms_path: PathLike | None = None,
    marker_taxa_path: PathLike | None = None,
    references_path: PathLike | None = None,
) -> None:
    """Check the mechanism knowledge base; raise :class:`KnowledgeBaseError` on a problem.

    Checks: schemas; all eight mechanisms present once; every component exists in the engine
    that computes it; citation keys in ``references.json``; grades A–D; weights in [0, 1] and 0
    for grade-D, neutral and balance components; ``balance_with`` names another component of the
    same mechanism; marker rows resolve and agree with the taxon components.

    >>> validate_knowledge()
    """
    mechanisms = _parse_mechanisms(mechanisms_path)[1]
    markers = _parse_markers(marker_taxa_path)
    known = reference_keys(references_path)
    ids = [m.id for m in mechanisms]
    if sorted(ids) != sorted(MECHANISM_IDS):
        raise _error(
            "mechanism set is incomplete or repeated",
            str(mechanisms_path) if mechanisms_path else _MECHANISMS,
            ", ".join(ids),
            ", ".join(MECHANISM_IDS),
        )
    for mech in mechanisms:
        _check_mechanism(mech, known)
    _check_markers(markers, mechanisms, known)
