"""The ``gutbrain modules`` job: functional profile → module coverage and abundance."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from gutbrain import __version__
from gutbrain.core.module_cutoff import auto_cutoff, computability, validate_cutoff
from gutbrain.core.module_report import DatabaseResult, select_reported
from gutbrain.core.module_types import ModuleDatabase, id_namespace
from gutbrain.core.modules import ScoringOptions, compile_modules, score_modules
from gutbrain.core.modules_per_taxon import score_modules_per_taxon
from gutbrain.errors import InputError, OptionError
from gutbrain.io.checksum import sha256_file
from gutbrain.io.functional import read_functional_profile
from gutbrain.io.module_file import read_module_file
from gutbrain.io.module_output import write_module_outputs
from gutbrain.io.profile import FunctionalProfile, InputFormat
from gutbrain.knowledge.module_format import parse_modules
from gutbrain.knowledge.modules import load_databases
from gutbrain.pipeline.progress import ProgressSink

__all__ = ["ModulesRequest", "check_function_ids", "run_modules"]

DbChoice = Literal["gmm", "gbm", "curated", "all"]
DEFAULT_MIN_COVERAGE = 0.66


@dataclass(frozen=True)
class ModulesRequest:
    """Everything ``gutbrain modules`` needs.

    ``db=None`` means ``all``, or no packaged database when ``db_files`` are given.
    """

    input: Path
    outdir: Path
    input_format: InputFormat = "auto"
    db: DbChoice | None = None
    db_files: tuple[Path, ...] = ()
    options: ScoringOptions = field(default_factory=ScoringOptions)
    min_coverage: float | Literal["auto"] = DEFAULT_MIN_COVERAGE
    per_taxon: bool | None = None


def _databases(request: ModulesRequest) -> tuple[ModuleDatabase, ...]:
    dbs: list[ModuleDatabase] = []
    if request.db is not None or not request.db_files:
        dbs.extend(load_databases(request.db or "all"))
    for path in request.db_files:
        text = read_module_file(path)
        modules = parse_modules(text, source=str(path))
        dbs.append(
            ModuleDatabase(
                key=f"file:{Path(path).name}",
                title=f"user module file {Path(path).name}",
                version="user",
                modules=modules,
                licence="user-supplied",
                source=os.fspath(path),
            )
        )
    keys = [db.key for db in dbs]
    if len(set(keys)) != len(keys):
        raise OptionError(
            "the same module database was given twice",
            found=", ".join(keys),
            expected="each database once",
            fix="remove the repeated --db-file",
        )
    return tuple(dbs)


def check_function_ids(
    profile: FunctionalProfile, dbs: tuple[ModuleDatabase, ...]
) -> frozenset[str]:
    """Identifier kinds of the input; an error if no input id occurs in any module."""
    features = profile.community.features
    used = set().union(*(m.identifiers() for db in dbs for m in db.modules))
    if not used.intersection(features):
        example = features[0] if features else ""
        raise InputError(
            "none of the input's function identifiers occur in the selected modules",
            where=profile.source,
            found=f"{len(features)} ids such as {InputError.quote(example)}",
            expected="KEGG orthologs (K00001), COG, eggNOG or TIGRFAM ids used by the modules",
            fix="regroup the table to KEGG orthologs first, e.g. "
            "humann_regroup_table --groups uniref90_ko; or check --db / --db-file",
        )
    return frozenset(id_namespace(f) for f in features)


def _score_database(
    db: ModuleDatabase,
    profile: FunctionalProfile,
    request: ModulesRequest,
    namespaces: frozenset[str],
    per_taxon: bool,
    progress: ProgressSink | None,
) -> DatabaseResult:
    opts = request.options
    if per_taxon:
        table = profile.per_taxon
        assert table is not None
        compiled = compile_modules(db.modules, table.features, distribute=opts.distribute)
        total = len(table.taxa) * len(table.samples)
        tick = progress.start(f"{db.key}: scoring per taxon", total) if progress else None
        pt = score_modules_per_taxon(compiled, table, opts, progress=tick)
        n_t, n_m, n_s = pt.coverage.shape
        coverage = pt.coverage.reshape(n_t * n_m, n_s)
        abundance = pt.abundance.reshape(n_t * n_m, n_s)
        row_taxa_all = [t for t in pt.taxa for _ in range(n_m)]
        row_mods_all = list(pt.module_ids) * n_t
    else:
        community = profile.community
        compiled = compile_modules(db.modules, community.features, distribute=opts.distribute)
        tick = progress.start(f"{db.key}: scoring", len(community.samples)) if progress else None
        scores = score_modules(compiled, community.values, opts, progress=tick)
        coverage, abundance = scores.coverage, scores.abundance
        row_taxa_all = []
        row_mods_all = list(scores.module_ids)
        n_m = len(scores.module_ids)
    if request.min_coverage == "auto":
        cutoff, mode = auto_cutoff([coverage]), "auto"
    else:
        cutoff, mode = validate_cutoff(request.min_coverage), "explicit"
    comp = computability(db.modules, namespaces, cutoff)
    computable_mod = np.array([c.computable for c in comp], dtype=bool)
    computable_rows = np.tile(computable_mod, coverage.shape[0] // max(n_m, 1))
    rows, values, passing = select_reported(coverage, abundance, cutoff, computable_rows)
    return DatabaseResult(
        database=db,
        cutoff=cutoff,
        cutoff_mode=mode,  # type: ignore[arg-type]
        computability=comp,
        row_taxa=tuple(row_taxa_all[i] for i in rows) if per_taxon else None,
        row_modules=tuple(row_mods_all[i] for i in rows),
        coverage=coverage[rows],
        abundance=values,
        passing_per_sample=passing,
    )


def _summary(
    request: ModulesRequest,
    profile: FunctionalProfile,
    namespaces: frozenset[str],
    per_taxon: bool,
    results: tuple[DatabaseResult, ...],
    warnings: list[str],
) -> dict[str, Any]:
    samples = profile.community.samples
    total = sum((r.passing_per_sample for r in results), np.zeros(len(samples), dtype=np.int64))
    opts = request.options
    return {
        "gutbrain_version": __version__,
        "command": "modules",
        "input": {
            "path": os.fspath(request.input),
            "sha256": sha256_file(request.input),
            "format": profile.format,
            "orientation": profile.orientation,
            "units": profile.units,
            "n_features": len(profile.community.features),
            "n_samples": len(samples),
            "n_taxa": len(profile.per_taxon.taxa) if profile.per_taxon is not None else None,
            "identifier_kinds": sorted(namespaces - {"other"}),
            "notes": list(profile.notes),
        },
        "options": {
            "input_format": request.input_format,
            "estimator": opts.estimator,
            "normalize_by_length": opts.normalize_by_length,
            "distribute": opts.distribute,
            "min_coverage": request.min_coverage,
            "per_taxon": per_taxon,
        },
        "abundance_units": profile.units,
        "databases": [
            {
                "key": r.database.key,
                "title": r.database.title,
                "version": r.database.version,
                "licence": r.database.licence,
                "source": r.database.source,
                "citations": list(r.database.citation_keys),
                "n_modules": len(r.database.modules),
                "cutoff": r.cutoff,
                "cutoff_mode": r.cutoff_mode,
                "n_rows_reported": len(r.row_modules),
                "not_computable": [
                    {
                        "module": c.module_id,
                        "name": next(m.name for m in r.database.modules if m.id == c.module_id),
                        "max_coverage": c.max_coverage,
                        "reason": c.reason,
                    }
                    for c in r.not_computable
                ],
            }
            for r in results
        ],
        "samples": {
            s: {
                "reported": int(total[j]),
                **{r.database.key: int(r.passing_per_sample[j]) for r in results},
            }
            for j, s in enumerate(samples)
        },
        "warnings": warnings,
    }


def run_modules(request: ModulesRequest, progress: ProgressSink | None = None) -> dict[str, Any]:
    """Score module databases on a functional profile and write the outputs.

    Returns the summary that was written to ``summary.json`` (with the output
    paths under ``"outputs"``).
    """
    if request.min_coverage != "auto":
        validate_cutoff(request.min_coverage)
    dbs = _databases(request)
    profile = read_functional_profile(request.input, request.input_format)
    per_taxon = request.per_taxon
    if per_taxon is None:
        per_taxon = profile.format == "ko-per-taxon"
    if per_taxon and profile.per_taxon is None:
        raise OptionError(
            "per-taxon scoring needs a taxon-stratified input",
            where=profile.source,
            found=f"a {profile.format} table without taxon rows",
            expected="a HUMAnN stratified table or a taxon<TAB>KO<TAB>samples… matrix",
            fix="drop --per-taxon, or give a stratified table",
        )
    namespaces = check_function_ids(profile, dbs)
    warnings: list[str] = []
    if request.min_coverage == "auto":
        warnings.append(
            "automatic coverage cut-off (Omixer-RPM compatibility): the cut-off depends on "
            "every sample in this run, so a sample's result changes with the batch; prefer "
            f"an explicit --min-coverage such as {DEFAULT_MIN_COVERAGE}"
        )
    results = tuple(
        _score_database(db, profile, request, namespaces, per_taxon, progress) for db in dbs
    )
    summary = _summary(request, profile, namespaces, per_taxon, results, warnings)
    paths = write_module_outputs(request.outdir, profile.community.samples, results, summary)
    return {**summary, "outputs": paths}
