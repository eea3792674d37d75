"""One chunk of ``gutbrain analyze``: samples → profile documents and table rows.

:func:`profile_chunk` is everything ``gutbrain analyze`` does per sample: the
components of the chunk's samples (with the :class:`~gutbrain.pipeline.features.ComponentPlan`
made on the whole input), their percentiles against the reference, the mechanism
scores, then each sample's ``GutBrainProfile`` JSON and its rows of ``mechanisms.tsv``
and ``components.tsv``. It reads and writes no file, so it can run in this process or
on a Dask worker on another machine; every number of a sample is computed from that
sample's column alone, so the bytes do not depend on how the samples are chunked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from gutbrain.core.mechanisms import (
    COMPONENT_STATES,
    MECHANISM_STATES,
    BatchScores,
    ComponentSpec,
    MechanismSpec,
    score_batch,
)
from gutbrain.knowledge.mechanisms import load_mechanisms
from gutbrain.pipeline.features import ComponentPlan, ComponentTable, Profile, components
from gutbrain.pipeline.reference import ReferencePopulation

__all__ = [
    "ChunkOutput",
    "InputPart",
    "ProfileJob",
    "SampleChunk",
    "mechanism_specs",
    "profile_chunk",
    "table_headers",
]

_SIG = 12
FloatArray = npt.NDArray[np.float64]
_JSON_OPTS = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


@dataclass(frozen=True)
class InputPart:
    """What every chunk needs of one input: its table-wide plan and its reference."""

    plan: ComponentPlan
    reference: ReferencePopulation


@dataclass(frozen=True)
class ProfileJob:
    """What every chunk shares (sent once to every worker)."""

    specs: tuple[MechanismSpec, ...]
    header: dict[str, Any]  # the profile JSON's fields other than ``sample``/``mechanisms``
    parts: tuple[InputPart, ...]


@dataclass(frozen=True)
class SampleChunk:
    """Consecutive samples of the run (in output order, possibly repeated) and, per input,
    the profile restricted to their distinct columns
    (:func:`~gutbrain.pipeline.features.select_samples`).
    """

    samples: tuple[str, ...]
    profiles: tuple[Profile, ...]


@dataclass(frozen=True)
class ChunkOutput:
    """A chunk's results: one profile document per sample, and its table rows."""

    samples: tuple[str, ...]
    documents: tuple[bytes, ...]
    mechanisms: str  # rows of mechanisms.tsv, newline-terminated
    components: str  # rows of components.tsv


def mechanism_specs() -> tuple[MechanismSpec, ...]:
    """The knowledge base's mechanisms as :class:`~gutbrain.core.mechanisms.MechanismSpec`."""
    return tuple(
        MechanismSpec(
            id=m.id,
            title=m.title,
            grade=m.evidence_grade,
            citations=m.citations,
            components=tuple(
                ComponentSpec(
                    id=c.id,
                    label=c.label,
                    direction=c.direction,
                    weight=c.weight,
                    grade=c.evidence_grade,
                    citations=c.citations,
                    balance_with=c.balance_with,
                )
                for c in m.components
            ),
            not_estimable=tuple((n.what, n.reason) for n in m.not_estimable),
        )
        for m in load_mechanisms()
    )


def table_headers(specs: tuple[MechanismSpec, ...]) -> tuple[str, str]:
    """Header lines of ``mechanisms.tsv`` and ``components.tsv``."""
    return (
        "sample\t" + "\t".join(m.id for m in specs) + "\n",
        "sample\tmechanism\tcomponent\tvalue\tpercentile\tcoverage\tstate\tgrade\n",
    )


def _round_sig(values: FloatArray) -> FloatArray:
    """Round to :data:`_SIG` significant digits, vectorised; NaN/inf become NaN.

    Only for output: it keeps profiles short and stable against last-bit
    differences of summation order.

    >>> _round_sig(np.array([2 / 3, 123456.7890123456, np.inf, 0.0])).tolist()
    [0.666666666667, 123456.789012, nan, 0.0]
    """
    out = np.array(values, dtype=np.float64, copy=True)
    out[~np.isfinite(out)] = np.nan
    mag = np.abs(out)
    m = (mag > 1e-280) & (mag < 1e280)
    x = out[m]
    scale = np.power(10.0, (_SIG - 1) - np.floor(np.log10(np.abs(x))))
    out[m] = np.round(x * scale) / scale
    return out


def _cells(values: FloatArray) -> list[list[str]]:
    """Rows of text cells: shortest round-trip decimals, empty for NaN."""
    return [["" if x != x else repr(x) for x in row] for row in values.tolist()]


def _jsonable(values: FloatArray) -> list[list[float | None]]:
    """Rows as lists with ``None`` for NaN (JSON null)."""
    obj = values.astype(object)
    obj[np.isnan(values)] = None
    rows: list[list[float | None]] = obj.tolist()
    return rows


def _score(
    specs: tuple[MechanismSpec, ...],
    tables: list[tuple[ComponentTable, ReferencePopulation]],
    samples: tuple[str, ...],
) -> BatchScores:
    """Every component of every mechanism for ``samples``, scored in one batch.

    A component no input provides stays NaN (``not_estimable``), never 0.
    """
    slot_ids = [c.id for m in specs for c in m.components]
    shape = (len(slot_ids), len(samples))
    values, coverage, pcts = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    comparable = np.ones(len(slot_ids), dtype=np.bool_)
    for table, ref in tables:
        pct = ref.percentiles(table)
        col = {s: j for j, s in enumerate(table.samples)}
        take = np.array([col[s] for s in samples], dtype=np.intp)
        row = {c: i for i, c in enumerate(table.components)}
        for k, comp in enumerate(slot_ids):
            i = row.get(comp)
            if i is not None:
                values[k] = table.values[i, take]
                coverage[k] = table.coverage[i, take]
                pcts[k] = pct[i, take]
                comparable[k] = ref.units == table.units
    return score_batch(specs, values, coverage, pcts, comparable)


def profile_chunk(job: ProfileJob, chunk: SampleChunk) -> ChunkOutput:
    """Profile the samples of ``chunk``: documents and table rows, in the chunk's order."""
    specs, samples = job.specs, chunk.samples
    tables = [
        (components(profile, part.plan), part.reference)
        for profile, part in zip(chunk.profiles, job.parts, strict=True)
    ]
    batch = _score(specs, tables, samples)
    # everything per sample as ready-made Python lists (samples × slots), built once
    value = _round_sig(batch.value)
    coverage = _round_sig(batch.coverage)
    pct = _round_sig(batch.percentile)
    fav = _round_sig(batch.favourable)
    score = _round_sig(batch.score)
    conf = _round_sig(batch.confidence)
    cols = [_jsonable(a.T) for a in (value, coverage, pct, fav)]
    state_names = np.array(COMPONENT_STATES, dtype=object)[batch.state].T.tolist()
    mstate_names = np.array(MECHANISM_STATES, dtype=object)[batch.mechanism_state].T.tolist()
    score_json, conf_json = _jsonable(score.T), _jsonable(conf.T)
    static = [
        {
            "id": c.id,
            "label": c.label,
            "direction": c.direction,
            "weight": c.weight,
            "evidence_grade": c.grade,
            "citations": list(c.citations),
            "balance_with": c.balance_with,
        }
        for m in specs
        for c in m.components
    ]
    bounds = np.cumsum([0] + [len(m.components) for m in specs]).tolist()
    mech_static = [
        {
            "id": m.id,
            "title": m.title,
            "evidence_grade": m.grade,
            "citations": list(m.citations),
            "not_estimable": [{"what": w, "reason": r} for w, r in m.not_estimable],
        }
        for m in specs
    ]
    documents = []
    for j, s in enumerate(samples):
        v, k, p, f = (c[j] for c in cols)
        st = state_names[j]
        comps = [
            {
                **static[i],
                "value": v[i],
                "coverage": k[i],
                "percentile": p[i],
                "favourable_score": f[i],
                "state": st[i],
            }
            for i in range(len(static))
        ]
        mechs = [
            {
                **ms,
                "score": score_json[j][m],
                "confidence": conf_json[j][m],
                "state": mstate_names[j][m],
                "components": comps[bounds[m] : bounds[m + 1]],
            }
            for m, ms in enumerate(mech_static)
        ]
        doc = {**job.header, "sample": s, "mechanisms": mechs}
        # compact, sorted keys, UTF-8: the same bytes as json.dumps(doc, sort_keys=True,
        # ensure_ascii=False, separators=(",", ":")), about ten times faster
        documents.append(orjson.dumps(doc, option=_JSON_OPTS))
    mech_rows = [
        s + "\t" + "\t".join(row) + "\n" for s, row in zip(samples, _cells(score.T), strict=True)
    ]
    slot_keys = [f"{m.id}\t{c.id}" for m in specs for c in m.components]
    grades = [c.grade for m in specs for c in m.components]
    vc, pc, kc = _cells(value.T), _cells(pct.T), _cells(coverage.T)
    comp_rows = [
        f"{s}\t{slot_keys[i]}\t{vc[j][i]}\t{pc[j][i]}\t{kc[j][i]}\t{state_names[j][i]}"
        f"\t{grades[i]}\n"
        for j, s in enumerate(samples)
        for i in range(len(slot_keys))
    ]
    return ChunkOutput(samples, tuple(documents), "".join(mech_rows), "".join(comp_rows))
