"""The ``gutbrain cohort`` job: feature table + sample metadata → association tables and plots.

Steps:

1. read FEATURES and METADATA (:mod:`gutbrain.io.cohort_table`) and find which axis of each
   holds the samples, from the ids the two tables share (:func:`orient_tables`);
2. check the options once, with MaAsLin's allowed combinations (:func:`check_request`);
3. fit: ``lm`` = MaAsLin2 LM (:func:`~gutbrain.core.stats.fit_maaslin2`), ``maaslin3`` =
   MaAsLin 3 fixed effects (:func:`~gutbrain.core.stats.fit_maaslin3`), ``wilcoxon`` = rank
   tests (:func:`~gutbrain.core.stats.rank.fit_rank_tests`);
4. write ``all_results.tsv`` and ``significant_results.tsv`` in the peer tool's format
   (R ``write.table``: tab-separated, 15 significant digits, ``NA``; MaAsLin2 unquoted,
   MaAsLin 3 quoted), then the figures and the HTML summary made by the renderer the caller
   passes (:mod:`gutbrain.report.cohort_view`; this layer may not import it), and
   ``summary.json``.

Nothing here prints; progress goes to an optional sink.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd

from gutbrain import __version__
from gutbrain.core.stats import MAASLIN2_COLUMNS, fit_maaslin2, fit_maaslin3
from gutbrain.core.stats.maaslin2 import ProblemFitter
from gutbrain.core.stats.rank import fit_rank_tests
from gutbrain.core.stats.transforms import check_combination
from gutbrain.errors import OptionError
from gutbrain.io.cohort_table import read_feature_table, read_metadata_table
from gutbrain.io.r_table import write_r_table
from gutbrain.io.tsv_out import make_outdir, write_lines
from gutbrain.pipeline.cohort_inputs import MIN_SHARED, orient_tables
from gutbrain.pipeline.progress import ProgressSink, tick
from gutbrain.pipeline.runner import check_cluster_options, require_dask

__all__ = [
    "MIN_SHARED",
    "CohortOutcome",
    "CohortRenderer",
    "CohortRequest",
    "Model",
    "check_request",
    "orient_tables",
    "parse_references",
    "run_cohort",
    "significant_rows",
]

Model = Literal["lm", "maaslin3", "wilcoxon"]
#: defaults that differ between the peer tools: (min_prevalence, max_significance)
DEFAULTS: Mapping[str, tuple[float, float]] = {
    "lm": (0.1, 0.25),
    "wilcoxon": (0.1, 0.25),
    "maaslin3": (0.0, 0.1),
}
MAASLIN3_SIGNIFICANT = (
    "feature", "metadata", "value", "name", "coef", "stderr", "pval_individual",
    "qval_individual", "pval_joint", "qval_joint", "model", "N", "N_not_zero",
)  # fmt: skip


@dataclass(frozen=True)
class CohortRequest:
    """Everything ``gutbrain cohort`` needs; ``None`` means the model's default."""

    features: Path
    metadata: Path
    outdir: Path
    fixed: tuple[str, ...]
    random: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    normalization: str = "TSS"
    transform: str = "LOG"
    model: str = "lm"
    standardize: bool = True
    min_prevalence: float | None = None
    max_significance: float | None = None
    workers: int | None = None
    scheduler: str | None = None


@dataclass(frozen=True)
class CohortOutcome:
    """What the renderer gets: the tables and the facts for the summary page."""

    model: Model
    results: pd.DataFrame
    significant: pd.DataFrame
    options: Mapping[str, str]
    n_samples: int
    n_features: int
    n_tested: int
    max_significance: float
    coef_column: str
    q_column: str
    notes: tuple[str, ...] = field(default=())


#: renders the outcome into {file name: text}: the SVG figures and the HTML summary
CohortRenderer = Callable[[CohortOutcome], Mapping[str, str]]


# --------------------------------------------------------------------------- options


def parse_references(items: Iterable[str]) -> dict[str, list[str]]:
    """``VAR,LEVEL`` (or ``VAR,L1,L2,…`` giving the whole level order), ``;``-separated or repeated.

    >>> parse_references(["diagnosis,nonIBD;antibiotics,No", "sex,F,M"])
    {'diagnosis': ['nonIBD'], 'antibiotics': ['No'], 'sex': ['F', 'M']}
    """
    out: dict[str, list[str]] = {}
    for item in items:
        for part in item.split(";"):
            if not part.strip():
                continue
            pieces = [p.strip() for p in part.split(",")]
            if len(pieces) < 2 or not all(pieces):
                raise OptionError(
                    "malformed --reference",
                    found=repr(part),
                    expected="VARIABLE,LEVEL (e.g. diagnosis,nonIBD), several separated by ';'",
                    fix="write e.g. --reference 'diagnosis,nonIBD;antibiotics,No'",
                )
            if pieces[0] in out:
                raise OptionError(
                    "reference given twice",
                    found=repr(pieces[0]),
                    expected="one reference per variable",
                    fix="keep one --reference for it",
                )
            out[pieces[0]] = pieces[1:]
    return out


def _fraction(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise OptionError(
            f"--{name} out of range",
            found=repr(value),
            expected="a fraction from 0 to 1",
            fix=f"e.g. --{name} 0.1",
        )


def check_request(request: CohortRequest) -> Model:
    """Check option values and combinations (MaAsLin's rules) before any file is read."""
    if request.model not in get_args(Model):
        raise OptionError(
            "unknown --model",
            found=repr(request.model),
            expected="lm, maaslin3 or wilcoxon",
            fix="choose one of them",
        )
    model: Model = request.model  # type: ignore[assignment]
    for name, value in (
        ("min-prevalence", request.min_prevalence),
        ("max-significance", request.max_significance),
    ):
        if value is not None:
            _fraction(name, value)
    if not request.fixed:
        raise OptionError(
            "no fixed effect",
            found="an empty --fixed",
            expected="at least one metadata column, e.g. --fixed diagnosis,age",
            fix="name the variables to test with --fixed",
        )
    both = sorted(set(request.fixed) & set(request.random))
    if both:
        raise OptionError(
            "variable given as both fixed and random effect",
            found=", ".join(both),
            expected="each variable in --fixed or --random, not both",
            fix="remove it from one of the two",
        )
    if model == "maaslin3":
        if request.normalization not in ("TSS", "NONE") or request.transform not in ("LOG", "NONE"):
            raise OptionError(
                "normalisation/transform not available with --model maaslin3",
                found=f"--normalization {request.normalization} --transform {request.transform}",
                expected="--normalization TSS or NONE with --transform LOG or NONE",
                fix="use MaAsLin 3's default TSS + LOG, or --model lm for CLR/AST",
            )
    else:
        check_combination(request.normalization, request.transform)
    if request.random and model != "lm":
        raise OptionError(
            f"--random is not available with --model {model}",
            found=f"--random {','.join(request.random)}",
            expected="random intercepts only with --model lm"
            + (" (rank tests cannot adjust for them)" if model == "wilcoxon" else ""),
            fix="use --model lm for repeated measures, or drop --random",
        )
    given = check_cluster_options(request.workers, request.scheduler)
    if given is not None:
        if model != "lm":
            raise OptionError(
                f"distributed fitting is not available with --model {model}",
                found=given,
                expected="--workers/--scheduler only with --model lm",
                fix=f"run --model {model} without --workers/--scheduler",
            )
        require_dask(given, "fitting")
    return model


def _check_variables(
    request: CohortRequest, metadata: pd.DataFrame, refs: Mapping[str, list[str]], source: str
) -> None:
    columns = [str(c) for c in metadata.columns]
    for role, names in (("--fixed", request.fixed), ("--random", request.random)):
        missing = [n for n in names if n not in columns]
        if missing:
            shown = ", ".join(columns[:12]) + (
                f" and {len(columns) - 12} more" if len(columns) > 12 else ""
            )
            raise OptionError(
                f"{role} variable not found in the metadata",
                where=source,
                found=", ".join(repr(m) for m in missing),
                expected=f"metadata columns: {shown}",
                fix=f"correct the {role} names (they are case-sensitive)",
            )
    for var, levels in refs.items():
        if var not in request.fixed:
            raise OptionError(
                "--reference for a variable that is not a fixed effect",
                found=repr(var),
                expected="one of the fixed effects: " + ", ".join(request.fixed),
                fix="add it to --fixed or drop its --reference",
            )
        column = metadata[var]
        if pd.api.types.is_numeric_dtype(column):
            raise OptionError(
                "--reference for a numeric variable",
                where=source,
                found=f"{var} is numeric",
                expected="a reference level only for categorical variables",
                fix=f"drop the reference for {var!r}",
            )
        present = sorted({str(v) for v in column.dropna()})
        absent = [lev for lev in levels if lev not in present]
        if absent:
            raise OptionError(
                "reference level not present in the metadata",
                where=f"{source}, column {var!r}",
                found=", ".join(repr(a) for a in absent),
                expected="one of the levels " + ", ".join(present),
                fix="correct the level (it is case-sensitive)",
            )
        if len(levels) > 1 and len(levels) != len(present):
            raise OptionError(
                "incomplete level order in --reference",
                where=f"column {var!r}",
                found=",".join(levels),
                expected="one reference level, or every level: " + ",".join(present),
                fix=f"write --reference {var},{levels[0]}",
            )


def _mixed_type_notes(metadata: pd.DataFrame, names: Sequence[str]) -> list[str]:
    """Warnings for categorical variables whose values are mostly numbers (a missing-value code)."""
    notes = []
    for name in names:
        column = metadata[name]
        if pd.api.types.is_numeric_dtype(column):
            continue
        values = column.dropna().astype(str)
        numbers = pd.to_numeric(values, errors="coerce")
        if len(values) and numbers.notna().mean() >= 0.8:
            odd = sorted(set(values[numbers.isna()]))[:3]
            notes.append(
                f"{name!r} is treated as categorical because of non-numeric values such as "
                + ", ".join(repr(o) for o in odd)
                + "; write missing values as NA (or leave the cell empty) to test it as a number"
            )
    return notes


def significant_rows(model: Model, results: pd.DataFrame, max_significance: float) -> pd.DataFrame:
    """The rows of ``significant_results.tsv``.

    MaAsLin2 / rank tests: q ≤ threshold. MaAsLin 3: joint q ≤ threshold, or individual
    q ≤ threshold without an error; the ``error`` column dropped.
    """
    if model != "maaslin3":
        return results[results["qval"] <= max_significance].reset_index(drop=True)
    no_err = results["error"].eq("")
    sig = (results["qval_joint"] <= max_significance) | (
        (results["qval_individual"] <= max_significance) & no_err
    )
    return results[sig].drop(columns="error").reset_index(drop=True)


# --------------------------------------------------------------------------- job


def run_cohort(
    request: CohortRequest,
    render: CohortRenderer | None = None,
    progress: ProgressSink | None = None,
    fit_problem: ProblemFitter | None = None,
) -> dict[str, Any]:
    """Run the job; return the summary (also written as ``summary.json``).

    ``fit_problem`` fits the prepared ``lm`` problem (e.g. in chunks on a Dask cluster,
    :class:`gutbrain.distributed.ChunkedFitter`, which the caller builds from
    ``request.workers`` / ``request.scheduler``); ``None`` fits it here at once.
    """
    model = check_request(request)
    refs = parse_references(request.references)
    features_raw = read_feature_table(request.features)
    metadata_raw = read_metadata_table(request.metadata)
    features, metadata = orient_tables(features_raw, metadata_raw)
    _check_variables(request, metadata, refs, metadata_raw.source)
    notes = _mixed_type_notes(metadata, [*request.fixed, *request.random])
    default_prev, default_sig = DEFAULTS[model]
    min_prev = default_prev if request.min_prevalence is None else request.min_prevalence
    max_sig = default_sig if request.max_significance is None else request.max_significance
    shared = set(map(str, metadata.index))
    n_samples = sum(1 for s in features.index if str(s) in shared)

    done = tick(progress, f"fitting {features.shape[1]} features ({model})", features.shape[1])
    first = {var: levels[0] for var, levels in refs.items()}
    if model == "lm":
        results = fit_maaslin2(
            features, metadata, list(request.fixed), list(request.random), first or None,
            normalization=request.normalization,  # type: ignore[arg-type]
            transform=request.transform,  # type: ignore[arg-type]
            standardize=request.standardize, min_prevalence=min_prev,
            fit_problem=fit_problem,
        )  # fmt: skip
        columns: Sequence[str] = MAASLIN2_COLUMNS
        coef_col, q_col = "coef", "qval"
    elif model == "wilcoxon":
        results = fit_rank_tests(
            features, metadata, list(request.fixed), first or None,
            normalization=request.normalization,  # type: ignore[arg-type]
            transform=request.transform,  # type: ignore[arg-type]
            min_prevalence=min_prev,
        )  # fmt: skip
        columns = MAASLIN2_COLUMNS
        coef_col, q_col = "coef", "qval"
    else:
        orders = {var: levels for var, levels in refs.items() if len(levels) > 1}
        single = {var: levels[0] for var, levels in refs.items() if len(levels) == 1}
        results = fit_maaslin3(
            features, metadata, list(request.fixed), levels=orders or None,
            reference=single or None,
            normalization=request.normalization,  # type: ignore[arg-type]
            transform=request.transform,  # type: ignore[arg-type]
            standardize=request.standardize, min_prevalence=min_prev, max_significance=max_sig,
        )  # fmt: skip
        columns = tuple(results.columns)
        coef_col, q_col = "coef", "qval_individual"
    done(features.shape[1])
    significant = significant_rows(model, results, max_sig)
    sig_columns = MAASLIN3_SIGNIFICANT if model == "maaslin3" else columns

    out = make_outdir(request.outdir)
    quote = model == "maaslin3"
    written = {
        "all_results": out / "all_results.tsv",
        "significant": out / "significant_results.tsv",
    }
    shown = results.assign(error=results["error"].replace("", None)) if quote else results
    write_r_table(written["all_results"], shown, columns, quote)
    write_r_table(written["significant"], significant, sig_columns, quote)

    options = {
        "model": model,
        "fixed": ",".join(request.fixed),
        "random": ",".join(request.random) or "none",
        "reference": ";".join(f"{v},{','.join(levs)}" for v, levs in refs.items()) or "none",
        "normalization": request.normalization,
        "transform": request.transform,
        "standardize": "yes" if request.standardize else "no",
        "min_prevalence": f"{min_prev:g}",
        "max_significance": f"{max_sig:g}",
    }
    outcome = CohortOutcome(
        model=model,
        results=results,
        significant=significant,
        options=options,
        n_samples=n_samples,
        n_features=int(features.shape[1]),
        n_tested=int(results["feature"].nunique()) if len(results) else 0,
        max_significance=max_sig,
        coef_column=coef_col,
        q_column=q_col,
        notes=tuple(notes),
    )
    if render is not None:
        for name, text in render(outcome).items():
            path = out / name
            write_lines(path, [text if text.endswith("\n") else text + "\n"])
            written[name.replace(".", "_")] = path
    summary: dict[str, Any] = {
        "gutbrain_version": __version__,
        "command": "cohort",
        "features": {"path": str(request.features), "format": features_raw.format},
        "metadata": {"path": str(request.metadata)},
        "options": options,
        "n_samples": n_samples,
        "n_features": outcome.n_features,
        "n_features_tested": outcome.n_tested,
        "n_rows": len(results),
        "n_significant": len(significant),
        "warnings": notes,
        "outputs": {k: str(v) for k, v in written.items()},
    }
    summary_path = out / "summary.json"
    summary["outputs"]["summary"] = str(summary_path)
    write_lines(summary_path, [json.dumps(summary, indent=2, sort_keys=True) + "\n"])
    return summary
