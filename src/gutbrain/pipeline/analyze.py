"""The ``gutbrain analyze`` job: stool profile(s) → per-sample gut–brain profiles.

One or two inputs (taxonomic, functional, or one of each for the same
samples) become component tables (:mod:`gutbrain.pipeline.features`); each is
placed against a reference population of the same kind, resolution and units
(:mod:`gutbrain.pipeline.reference`); components are combined into the
mechanisms of the knowledge base (:mod:`gutbrain.core.mechanisms`). Output:
one versioned ``GutBrainProfile`` JSON per sample (schema shipped in the
package), a mechanisms table and a long components table. Same inputs and
options give byte-identical files.

The inputs are read and every table-wide decision is made here; the per-sample work
(:func:`gutbrain.pipeline.profiles.profile_chunk`) runs over chunks of samples given by a
:class:`~gutbrain.pipeline.runner.ChunkRunner` — one chunk in this process by default, or
:class:`gutbrain.distributed.ChunkedProfiler` on Dask — with the same bytes either way.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from gutbrain import __version__
from gutbrain.errors import InputError, InputFormatError, OptionError
from gutbrain.io.checksum import sha256_file
from gutbrain.io.functional import detect_format, read_functional_profile
from gutbrain.io.reference_file import write_reference
from gutbrain.io.taxon_profile import TaxonInputFormat, TaxonProfile
from gutbrain.io.taxonomic import detect_taxon_format, read_taxon_profile
from gutbrain.io.tsv_out import make_outdir, open_atomic, write_bytes, write_lines
from gutbrain.knowledge.mechanisms import mechanisms_version
from gutbrain.knowledge.modules import load_databases
from gutbrain.knowledge.references_data import packaged_references
from gutbrain.pipeline.features import (
    ComponentPlan,
    ComponentTable,
    Profile,
    components,
    plan_components,
    select_samples,
)
from gutbrain.pipeline.modules import check_function_ids
from gutbrain.pipeline.profiles import (
    InputPart,
    ProfileJob,
    SampleChunk,
    mechanism_specs,
    profile_chunk,
    table_headers,
)
from gutbrain.pipeline.progress import ProgressSink, tick
from gutbrain.pipeline.reference import (
    ReferencePopulation,
    build_reference,
    knowledge_version,
    load_reference,
    packaged_reference,
)
from gutbrain.pipeline.runner import ChunkRunner, OneChunk

__all__ = [
    "PROFILE_FORMAT",
    "AnalyzeRequest",
    "build_reference_file",
    "default_reference",
    "run_analyze",
]

PROFILE_FORMAT = "gutbrain-profile/1"


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
    profile: Profile
    plan: ComponentPlan
    reference: ReferencePopulation

    @property
    def samples(self) -> tuple[str, ...]:
        if isinstance(self.profile, TaxonProfile):
            return self.profile.samples
        return self.profile.community.samples

    @property
    def profile_features(self) -> tuple[str, ...]:
        if isinstance(self.profile, TaxonProfile):
            return self.profile.features
        return self.profile.community.features

    @cached_property
    def columns(self) -> dict[str, int]:
        """Sample id → column."""
        return {s: j for j, s in enumerate(self.samples)}


def default_reference(table: ComponentTable | ComponentPlan) -> str:
    """The packaged reference for a component table's (or plan's) kind and resolution.

    >>> import numpy as np
    >>> empty = np.zeros((0, 1))
    >>> default_reference(ComponentTable("functional", "ko", "RPK", ("s",), (), empty, empty))
    'zhu2020_controls_modules'
    """
    if table.kind == "functional":
        return "zhu2020_controls_modules"
    return "hmp2_nonibd_metaphlan4" if table.resolution == "species" else "agp_stool_genus"


def _read_profile(path: Path) -> tuple[str, Profile]:
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
        return fprofile.format, fprofile
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
            return fprofile.format, fprofile
    profile = read_taxon_profile(path, taxon_format)
    return profile.format, profile


def _read(path: Path) -> tuple[str, ComponentTable]:
    """A profile's format and component table (all its samples)."""
    fmt, profile = _read_profile(path)
    return fmt, components(profile)


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
    table: ComponentPlan, given: list[ReferencePopulation], path: Path
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


def _sample_ids(parts: list[_Part], wanted: tuple[str, ...]) -> list[str]:
    common = list(parts[0].samples)
    for part in parts[1:]:
        others = set(part.samples)
        common = [s for s in common if s in others]
    if not common:
        raise InputError(
            "the two inputs share no sample id",
            where=", ".join(str(p.path) for p in parts),
            found=f"e.g. {parts[0].samples[0]!r} and {parts[1].samples[0]!r}",
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


def _select(parts: list[_Part], chunk: list[str]) -> SampleChunk:
    """A :class:`SampleChunk` of ``chunk``'s samples; an input whose columns are exactly
    the chunk's goes whole (no copy: the default run's single chunk)."""
    profiles: list[Profile] = []
    for part in parts:
        col = part.columns
        cols = list(dict.fromkeys(col[s] for s in chunk))
        if len(cols) == len(part.samples) and cols == list(range(len(cols))):
            profiles.append(part.profile)
        else:
            profiles.append(select_samples(part.profile, cols))
    return SampleChunk(tuple(chunk), tuple(profiles))


def run_analyze(
    request: AnalyzeRequest,
    progress: ProgressSink | None = None,
    runner: ChunkRunner | None = None,
) -> dict[str, Any]:
    """Analyse the inputs; write profiles, tables and a summary; return the summary.

    The inputs are read, and every table-wide decision made, here (the
    :class:`~gutbrain.pipeline.features.ComponentPlan` of each input, the sample ids and
    their file names); ``runner`` (default: one chunk in this process) profiles the
    samples in chunks with :func:`~gutbrain.pipeline.profiles.profile_chunk`, and the
    results are written as they come, in sample order. Every runner gives the same bytes.
    """
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
        fmt, profile = _read_profile(path)
        plan = plan_components(profile)
        ref = _match_reference(plan, given, path)
        parts.append(_Part(path, sha256_file(path), fmt, profile, plan, ref))
    if len(parts) == 2 and parts[0].plan.kind == parts[1].plan.kind:
        raise OptionError(
            "two inputs of the same kind",
            found=f"two {parts[0].plan.kind} profiles",
            expected="one taxonomic and one functional profile of the same samples",
            fix="analyse the files separately",
        )
    samples = _sample_ids(parts, request.samples)
    specs = mechanism_specs()
    out = make_outdir(request.outdir)
    (out / "profiles").mkdir(exist_ok=True)
    inputs_json = [
        {
            "path": os.fspath(p.path),
            "sha256": p.sha256,
            "format": p.format,
            "kind": p.plan.kind,
            "resolution": p.plan.resolution,
            "units": p.plan.units,
            "reference": {
                "name": p.reference.name,
                "kind": p.reference.kind,
                "resolution": p.reference.resolution,
                "units": p.reference.units,
                "n_samples": p.reference.n_samples,
                "citations": list(p.reference.citations),
                "units_match": p.reference.units == p.plan.units,
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
    job = ProfileJob(specs, header, tuple(InputPart(p.plan, p.reference) for p in parts))
    runner = runner if runner is not None else OneChunk()
    bounds = runner.plan(len(samples), sum(len(p.profile_features) for p in parts))
    chunks = (_select(parts, samples[a:b]) for a, b in bounds)
    done = tick(progress, "profiles", len(samples))
    written: set[str] = set()
    mech_header, comp_header = table_headers(specs)
    with open_atomic(out / "mechanisms.tsv") as mech, open_atomic(out / "components.tsv") as comp:
        mech.write(mech_header)
        comp.write(comp_header)
        for result in runner.map(profile_chunk, job, chunks):
            for s, doc in zip(result.samples, result.documents, strict=True):
                name = _safe_name(s)
                while name in written:
                    name += "_"
                written.add(name)
                write_bytes(out / "profiles" / f"{name}.json", doc)
                done(1)
            mech.write(result.mechanisms)
            comp.write(result.components)
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
