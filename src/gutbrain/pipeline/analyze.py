"""The ``gutbrain analyze`` job: stool profile(s) → per-sample gut–brain profiles.

One or two inputs (taxonomic, functional, or one of each for the same
samples) become component tables (:mod:`gutbrain.pipeline.features`); each is
placed against a reference population of the same kind, resolution and units
(:mod:`gutbrain.pipeline.reference`); components are combined into the
mechanisms of the knowledge base (:mod:`gutbrain.core.mechanisms`). Output:
one versioned ``GutBrainProfile`` JSON per sample (schema shipped in the
package), a mechanisms table and a long components table. Same inputs and
options give byte-identical files.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from gutbrain import __version__
from gutbrain.core.mechanisms import (
    COMPONENT_STATES,
    MECHANISM_STATES,
    BatchScores,
    ComponentSpec,
    MechanismSpec,
    score_batch,
)
from gutbrain.errors import InputError, InputFormatError, OptionError
from gutbrain.io.checksum import sha256_file
from gutbrain.io.functional import detect_format, read_functional_profile
from gutbrain.io.reference_file import write_reference
from gutbrain.io.taxon_profile import TaxonInputFormat
from gutbrain.io.taxonomic import detect_taxon_format, read_taxon_profile
from gutbrain.io.tsv_out import make_outdir, write_bytes, write_lines
from gutbrain.knowledge.mechanisms import load_mechanisms, mechanisms_version
from gutbrain.knowledge.modules import load_databases
from gutbrain.knowledge.references_data import packaged_references
from gutbrain.pipeline.features import (
    ComponentTable,
    functional_components,
    taxonomic_components,
)
from gutbrain.pipeline.modules import check_function_ids
from gutbrain.pipeline.progress import ProgressSink, tick
from gutbrain.pipeline.reference import (
    ReferencePopulation,
    build_reference,
    knowledge_version,
    load_reference,
    packaged_reference,
)

__all__ = [
    "PROFILE_FORMAT",
    "AnalyzeRequest",
    "build_reference_file",
    "default_reference",
    "run_analyze",
]

PROFILE_FORMAT = "gutbrain-profile/1"
_SIG = 12
FloatArray = npt.NDArray[np.float64]
_JSON_OPTS = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


@dataclass(frozen=True)
class AnalyzeRequest:
    """Everything ``gutbrain analyze`` needs."""

    inputs: tuple[Path, ...]
    outdir: Path
    samples: tuple[str, ...] = ()
    references: tuple[str, ...] = ()  # packaged names or files


@dataclass(frozen=True)
class _Part:
    path: Path
    sha256: str
    format: str
    table: ComponentTable
    reference: ReferencePopulation


def default_reference(table: ComponentTable) -> str:
    """The packaged reference for a component table's kind and resolution.

    >>> import numpy as np
    >>> empty = np.zeros((0, 1))
    >>> default_reference(ComponentTable("functional", "ko", "RPK", ("s",), (), empty, empty))
    'zhu2020_controls_modules'
    """
    if table.kind == "functional":
        return "zhu2020_controls_modules"
    return "hmp2_nonibd_metaphlan4" if table.resolution == "species" else "agp_stool_genus"


def _read(path: Path) -> tuple[str, ComponentTable]:
    """Read a taxonomic or functional profile, whichever the file is.

    HUMAnN tables and taxon × KO matrices are functional; a plain table whose
    labels parse as taxon names is taxonomic, otherwise functional.
    """
    try:
        functional = detect_format(path)
    except InputFormatError:
        functional = None
    if functional in ("humann", "ko-per-taxon"):
        fprofile = read_functional_profile(path, functional)
        return fprofile.format, functional_components(fprofile)
    taxon_format: TaxonInputFormat = "auto"
    if functional == "ko":
        try:
            taxon_format = detect_taxon_format(path)
        except InputFormatError as not_taxa:
            fprofile = read_functional_profile(path, "ko")
            try:
                check_function_ids(fprofile, load_databases("all"))
            except InputError:
                features = fprofile.community.features
                raise InputFormatError(
                    "neither a taxonomic nor a functional profile",
                    where=str(path),
                    found=f"row labels such as {InputError.quote(features[0] if features else '')}"
                    f" ({not_taxa.problem}; and no KEGG/COG/eggNOG/TIGRFAM id of any module)",
                    expected="taxon names (e.g. 'g__Faecalibacterium', 'Faecalibacterium "
                    "prausnitzii', a lineage) or function ids (e.g. K00001)",
                    fix="relabel the rows, e.g. 'Family_Genus' as 'g__Genus', or regroup a "
                    "gene table to KEGG orthologs",
                ) from None
            return fprofile.format, functional_components(fprofile)
    profile = read_taxon_profile(path, taxon_format)
    return profile.format, taxonomic_components(profile)


def _reference(spec: str) -> ReferencePopulation:
    if spec in packaged_references():
        return packaged_reference(spec)
    if Path(spec).is_file():
        return load_reference(spec)
    raise OptionError(
        f"unknown reference {spec!r}",
        found=repr(spec),
        expected="a packaged reference (" + ", ".join(packaged_references()) + ") or a file",
        fix="build one with 'gutbrain reference build', or choose a packaged one",
    )


def _match_reference(
    table: ComponentTable, given: list[ReferencePopulation], path: Path
) -> ReferencePopulation:
    candidates = [r for r in given if r.kind == table.kind]
    if not candidates and given and len(given) == 1:
        ref = given[0]
        raise OptionError(
            "the reference is of a different kind than the input",
            where=str(path),
            found=f"a {table.kind} input and the {ref.kind} reference {ref.name!r}",
            expected=f"a {table.kind} reference at {table.resolution} resolution",
            fix="leave out --reference to use the packaged default, or build a matching one",
        )
    ref = candidates[0] if candidates else packaged_reference(default_reference(table))
    if ref.resolution != table.resolution:
        raise OptionError(
            "the reference has another resolution than the input",
            where=str(path),
            found=f"{table.resolution}-level input, {ref.resolution}-level reference {ref.name!r}",
            expected=f"a {table.resolution}-level reference",
            fix="choose a reference made at the same resolution",
        )
    return ref


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


def _specs() -> tuple[MechanismSpec, ...]:
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


def _sample_ids(parts: list[_Part], wanted: tuple[str, ...]) -> list[str]:
    common = list(parts[0].table.samples)
    for part in parts[1:]:
        others = set(part.table.samples)
        common = [s for s in common if s in others]
    if not common:
        raise InputError(
            "the two inputs share no sample id",
            where=", ".join(str(p.path) for p in parts),
            found=f"e.g. {parts[0].table.samples[0]!r} and {parts[1].table.samples[0]!r}",
            expected="the same samples in both files (one taxonomic, one functional)",
            fix="give files of the same samples, or analyse them separately",
        )
    if wanted:
        missing = [s for s in wanted if s not in common]
        if missing:
            raise OptionError(
                "unknown sample id",
                found=", ".join(map(repr, missing[:5])),
                expected="ids present in every input, e.g. " + ", ".join(common[:3]),
                fix="check --sample",
            )
        return list(wanted)
    return common


def _safe_name(sample: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in sample)
    return keep.strip(".") or "sample"


def _score(specs: tuple[MechanismSpec, ...], parts: list[_Part], samples: list[str]) -> BatchScores:
    """Every component of every mechanism for ``samples``, scored in one batch.

    A component no input provides stays NaN (``not_estimable``), never 0.
    """
    slot_ids = [c.id for m in specs for c in m.components]
    shape = (len(slot_ids), len(samples))
    values, coverage, pcts = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    comparable = np.ones(len(slot_ids), dtype=np.bool_)
    for part in parts:
        table, ref = part.table, part.reference
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


def run_analyze(request: AnalyzeRequest, progress: ProgressSink | None = None) -> dict[str, Any]:
    """Analyse the inputs; write profiles, tables and a summary; return the summary."""
    if not 1 <= len(request.inputs) <= 2:
        raise OptionError(
            "analyze takes one or two inputs",
            found=f"{len(request.inputs)} inputs",
            expected="one taxonomic and/or one functional profile of the same samples",
            fix="give one or two files",
        )
    given = [_reference(r) for r in request.references]
    parts: list[_Part] = []
    for path in request.inputs:
        fmt, table = _read(path)
        ref = _match_reference(table, given, path)
        parts.append(_Part(path, sha256_file(path), fmt, table, ref))
    if len(parts) == 2 and parts[0].table.kind == parts[1].table.kind:
        raise OptionError(
            "two inputs of the same kind",
            found=f"two {parts[0].table.kind} profiles",
            expected="one taxonomic and one functional profile of the same samples",
            fix="analyse the files separately",
        )
    samples = _sample_ids(parts, request.samples)
    specs = _specs()
    batch = _score(specs, parts, samples)
    out = make_outdir(request.outdir)
    (out / "profiles").mkdir(exist_ok=True)
    inputs_json = [
        {
            "path": os.fspath(p.path),
            "sha256": p.sha256,
            "format": p.format,
            "kind": p.table.kind,
            "resolution": p.table.resolution,
            "units": p.table.units,
            "reference": {
                "name": p.reference.name,
                "kind": p.reference.kind,
                "resolution": p.reference.resolution,
                "units": p.reference.units,
                "n_samples": p.reference.n_samples,
                "citations": list(p.reference.citations),
                "units_match": p.reference.units == p.table.units,
            },
        }
        for p in parts
    ]
    header = {
        "format": PROFILE_FORMAT,
        "gutbrain_version": __version__,
        "knowledge_version": knowledge_version(),
        "mechanisms_version": mechanisms_version(),
        "inputs": inputs_json,
        "wording": "Scores describe the genetic potential of the gut community compared "
        "with a reference population; they are not a diagnosis.",
    }
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
    done = tick(progress, "profiles", len(samples))
    written: set[str] = set()
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
        doc = {**header, "sample": s, "mechanisms": mechs}
        name = _safe_name(s)
        while name in written:
            name += "_"
        written.add(name)
        # compact, sorted keys, UTF-8: the same bytes as json.dumps(doc, sort_keys=True,
        # ensure_ascii=False, separators=(",", ":")), about ten times faster
        write_bytes(out / "profiles" / f"{name}.json", orjson.dumps(doc, option=_JSON_OPTS))
        done(1)
    mech_ids = [m.id for m in specs]
    mech_rows = ["sample\t" + "\t".join(mech_ids) + "\n"]
    mech_rows += [
        s + "\t" + "\t".join(row) + "\n" for s, row in zip(samples, _cells(score.T), strict=True)
    ]
    comp_rows = ["sample\tmechanism\tcomponent\tvalue\tpercentile\tcoverage\tstate\tgrade\n"]
    slot_keys = [f"{m.id}\t{c.id}" for m in specs for c in m.components]
    grades = [c.grade for m in specs for c in m.components]
    vc, pc, kc = _cells(value.T), _cells(pct.T), _cells(coverage.T)
    for j, s in enumerate(samples):
        comp_rows += [
            f"{s}\t{slot_keys[i]}\t{vc[j][i]}\t{pc[j][i]}\t{kc[j][i]}\t{state_names[j][i]}"
            f"\t{grades[i]}\n"
            for i in range(len(slot_keys))
        ]
    write_lines(out / "mechanisms.tsv", mech_rows)
    write_lines(out / "components.tsv", comp_rows)
    summary = {
        "gutbrain_version": __version__,
        "command": "analyze",
        "inputs": inputs_json,
        "n_samples": len(samples),
        "outputs": {
            "profiles": str(out / "profiles"),
            "mechanisms": str(out / "mechanisms.tsv"),
            "components": str(out / "components.tsv"),
        },
    }
    write_lines(out / "summary.json", [json.dumps(summary, indent=2, sort_keys=True) + "\n"])
    return summary


def build_reference_file(
    inputs: tuple[Path, ...],
    output: Path,
    name: str,
    description: str,
    selection: str,
    samples: tuple[str, ...] = (),
) -> dict[str, Any]:
    """``gutbrain reference build``: a reference population from your own samples.

    Uses exactly the feature code of :func:`run_analyze`, so a practice's own
    consenting clients (or any cohort) can serve as a reference.
    """
    if len(inputs) != 1:
        raise OptionError(
            "reference build takes one input",
            found=f"{len(inputs)} inputs",
            expected="one taxonomic or one functional profile of the reference samples",
            fix="build one reference per kind",
        )
    fmt, table = _read(inputs[0])
    if samples:
        keep = [s for s in samples if s in table.samples]
        missing = [s for s in samples if s not in table.samples]
        if missing:
            raise OptionError(
                "unknown sample id",
                found=", ".join(map(repr, missing[:5])),
                expected="ids of the input",
                fix="check --sample",
            )
        cols = [table.samples.index(s) for s in keep]
        table = ComponentTable(
            table.kind, table.resolution, table.units, tuple(keep), table.components,
            table.values[:, cols], table.coverage[:, cols], table.notes,
        )  # fmt: skip
    ref = build_reference(
        table,
        name,
        description,
        selection,
        (),
        provenance=f"gutbrain reference build from {inputs[0].name} ({fmt}), "
        f"sha256 {sha256_file(inputs[0])}",
        notes=table.notes,
    )
    write_reference(output, ref.to_json())
    return {
        "name": name,
        "kind": ref.kind,
        "resolution": ref.resolution,
        "units": ref.units,
        "n_samples": ref.n_samples,
        "n_components": len(ref.distributions),
        "output": str(output),
    }
