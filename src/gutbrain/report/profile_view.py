"""Profile document (``gutbrain-profile/1``) → :class:`~gutbrain.report.model.ProfileView`.

Each component is matched with the reference distribution it was compared with: module
components with the functional input's reference, the others with the taxonomic input's.
Packaged references are loaded by name (and cached); a reference built by the user can be
passed in. When none is available the chart falls back to a 0–100 percentile scale and says so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from gutbrain.errors import GutBrainError
from gutbrain.knowledge.mechanisms import load_marker_taxa
from gutbrain.pipeline.reference import ReferencePopulation, packaged_reference
from gutbrain.report.model import (
    ComponentView,
    InputView,
    MarkerRow,
    MechanismView,
    ProfileView,
    ReferenceInfo,
)
from gutbrain.report.texts import CLIENT_INTROS

__all__ = ["GROUPS", "build_profile_view", "cached_packaged_reference"]

#: mechanism ids shown as their own sections after the six mechanisms
GROUPS = ("diversity", "markers")


@cache
def cached_packaged_reference(name: str) -> ReferencePopulation | None:
    """A packaged reference population by name, or ``None`` when there is none of that name."""
    try:
        return packaged_reference(name)
    except GutBrainError:
        return None


def _population(
    name: str, given: Mapping[str, ReferencePopulation] | None
) -> ReferencePopulation | None:
    if given is not None and name in given:
        return given[name]
    return cached_packaged_reference(name)


def _input_view(doc: Mapping[str, Any], pop: ReferencePopulation | None) -> InputView:
    ref = doc["reference"]
    info = ReferenceInfo(
        name=str(ref["name"]),
        n_samples=int(ref["n_samples"]),
        kind=str(ref["kind"]),
        resolution=str(ref["resolution"]),
        units=str(ref["units"]),
        units_match=bool(ref["units_match"]),
        citations=tuple(ref["citations"]),
        available=pop is not None,
        description=None if pop is None else pop.description,
        selection=None if pop is None else pop.selection,
    )
    path = str(doc["path"])
    return InputView(
        path=path,
        name=os.path.basename(path) or path,
        sha256=str(doc["sha256"]),
        format=str(doc["format"]),
        kind=str(doc["kind"]),
        resolution=str(doc["resolution"]),
        units=str(doc["units"]),
        reference=info,
    )


def _order(
    component_id: str, inputs: Sequence[tuple[InputView, ReferencePopulation | None]]
) -> list[tuple[InputView, ReferencePopulation | None]]:
    preferred = "functional" if component_id.startswith("module:") else "taxonomic"
    return sorted(inputs, key=lambda pair: pair[0].kind != preferred)


def _component(
    doc: Mapping[str, Any],
    inputs: Sequence[tuple[InputView, ReferencePopulation | None]],
    labels: Mapping[str, str],
) -> ComponentView:
    cid = str(doc["id"])
    ordered = _order(cid, inputs)
    reference = ordered[0][0].reference if ordered else None
    distribution = None
    for view, pop in ordered:
        dist = None if pop is None else pop.distributions.get(cid)
        if dist is not None and dist.values.size:
            reference, distribution = view.reference, dist.values
            break
    balance = doc.get("balance_with")
    return ComponentView(
        id=cid,
        label=str(doc["label"]),
        value=doc["value"],
        percentile=doc["percentile"],
        favourable_score=doc["favourable_score"],
        coverage=doc["coverage"],
        state=doc["state"],
        direction=str(doc["direction"]),
        weight=float(doc["weight"]),
        evidence_grade=str(doc["evidence_grade"]),
        citations=tuple(doc["citations"]),
        balance_with=None if balance is None else labels.get(str(balance), str(balance)),
        reference=reference,
        distribution=distribution,
    )


def _markers(components: Sequence[ComponentView]) -> dict[str, tuple[MarkerRow, ...]]:
    wanted = {c.id for c in components}
    rows: dict[str, list[MarkerRow]] = {}
    for row in load_marker_taxa():
        if row.taxon in wanted:
            rows.setdefault(row.taxon, []).append(
                MarkerRow(
                    condition=row.condition.replace("_", " "),
                    direction=row.direction,
                    study=row.study,
                    evidence_grade=row.evidence_grade,
                    citation=row.citation,
                    note=row.note,
                )
            )
    return {k: tuple(v) for k, v in rows.items()}


def _mechanism(
    doc: Mapping[str, Any], inputs: Sequence[tuple[InputView, ReferencePopulation | None]]
) -> MechanismView:
    labels = {str(c["id"]): str(c["label"]) for c in doc["components"]}
    components = tuple(_component(c, inputs, labels) for c in doc["components"])
    mid = str(doc["id"])
    return MechanismView(
        id=mid,
        title=str(doc["title"]),
        score=doc["score"],
        confidence=float(doc["confidence"]),
        state=str(doc["state"]),
        evidence_grade=str(doc["evidence_grade"]),
        citations=tuple(doc["citations"]),
        not_estimable=tuple((str(n["what"]), str(n["reason"])) for n in doc["not_estimable"]),
        components=components,
        intro=CLIENT_INTROS.get(mid, ""),
        markers=_markers(components) if mid == "markers" else {},
    )


def build_profile_view(
    profile: Mapping[str, Any],
    references: Mapping[str, ReferencePopulation] | None = None,
) -> ProfileView:
    """The profile as the report shows it.

    Parameters
    ----------
    profile:
        A checked ``gutbrain-profile/1`` document.
    references:
        Reference populations by name, for references that are not packaged (optional).
    """
    inputs = []
    for doc in profile["inputs"]:
        pop = _population(str(doc["reference"]["name"]), references)
        inputs.append((_input_view(doc, pop), pop))
    mechanisms = [_mechanism(m, inputs) for m in profile["mechanisms"]]
    by_id = {m.id: m for m in mechanisms}
    return ProfileView(
        sample=str(profile["sample"]),
        gutbrain_version=str(profile["gutbrain_version"]),
        knowledge_version=str(profile["knowledge_version"]),
        mechanisms_version=str(profile["mechanisms_version"]),
        wording=str(profile.get("wording", "")),
        inputs=tuple(view for view, _ in inputs),
        mechanisms=tuple(m for m in mechanisms if m.id not in GROUPS),
        diversity=by_id.get("diversity"),
        markers=by_id.get("markers"),
    )
