r"""Module coverage and abundance with Omixer-RPM 1.1 semantics, vectorised over samples.

Omixer-RPM (Darzi et al. 2016) scores a module in one sample by enumerating
every *path* (one alternative per step), computing each path's coverage and
abundance, and keeping the best path: highest coverage first, then highest
abundance. This module computes the same numbers without enumerating paths.

Definitions, for one module with :math:`L` steps in one sample:

* value of an alternative (a complex of :math:`n` subunits with abundances
  :math:`x_i`): :math:`a = \frac{1}{n}\sum_i x_i`; it is *observed* when
  :math:`\sum_i x_i > 0` (so a complex counts as soon as any subunit is there);
* value of a step: :math:`s = \max_j a_j` over its alternatives; the step is
  observed when :math:`s > 0`;
* coverage: :math:`P/L`, with :math:`P` the number of observed steps;
* abundance, by estimator, over the observed step values (and with
  ``normalize_by_length`` over all :math:`L` values, unobserved ones being 0):

  - ``median``: median (mean of the two middle values, computed as
    :math:`a + \tfrac12 (b - a)` like commons-math's legacy estimator). With
    ``normalize_by_length`` a median of exactly 0 is replaced by the smallest
    positive value (Omixer-RPM rule);
  - ``average``: :math:`\sum s / P`, or :math:`\sum s / L` when normalised;
  - ``sum``: :math:`\sum s`, or :math:`\sum s / L` when normalised;
  - ``min``: the smallest positive subunit abundance along the best path.

Why per step is exact: coverage is maximised by taking an observed alternative
in every step that has one, and every estimator is non-decreasing in each
step's value, so the best path takes the highest-valued alternative in every
step (MODULE_ALGORITHM §2.3, item 5; checked there on 286,200 random cases
against full enumeration, and in ``tests/core/test_modules_enumeration.py``
against our own enumerator).

Omixer-RPM quirks, and what we do (each tested):

* ``min`` first-step quirk -- **reproduced**. In the first observed step of a
  path, Omixer-RPM lets each positive subunit overwrite the running value, so
  for a complex there the *last* positive subunit wins, not the smallest. The
  quirk is still per-step: the score is
  :math:`\min(\max_j \mathrm{last}_j(f), \min_{s>f} \max_j \mathrm{minpos}_j(s))`
  with :math:`f` the first observed step. Reproduced so that ``min`` results
  match published Omixer-RPM output; it only matters for complexes in the first
  observed step.
* ``distribute`` -- **reproduced**: a function id found :math:`N>1` times
  (counting repeats within a module) across the modules of a database has its
  abundance divided by :math:`N`; inside a module that lists it more than once
  only the *last* listing is divided. :math:`N` is counted per database (as
  one Omixer-RPM run per database file would), so ``--db all`` gives each
  database the same numbers as scoring it alone. Per taxon we apply it
  correctly per taxon (Omixer-RPM's per-taxon distribute reuses module objects
  across taxa and is unreliable: **not reproduced**).
* modules with no observed step -- Omixer-RPM prints ``NaN`` (median/average)
  or 0 (sum/min) at cut-off 0; **we return NaN for every estimator** so that
  "nothing observed" is never shown as an abundance of 0.
* zero values are kept but count as absent; negative values are rejected when
  the table is built (Omixer-RPM accepts them silently).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from gutbrain.core.module_types import Module
from gutbrain.errors import OptionError

__all__ = [
    "CompiledModules",
    "Estimator",
    "ModuleScores",
    "ScoringOptions",
    "compile_modules",
    "score_modules",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

Estimator = Literal["median", "average", "sum", "min"]
ESTIMATORS: tuple[Estimator, ...] = ("median", "average", "sum", "min")

#: Columns scored at once; bounds memory to ~n_alternatives × this × 8 bytes.
DEFAULT_CHUNK = 4096


@dataclass(frozen=True)
class ScoringOptions:
    """How module abundance is estimated.

    >>> ScoringOptions().estimator
    'median'
    """

    estimator: Estimator = "median"
    normalize_by_length: bool = False
    distribute: bool = False

    def __post_init__(self) -> None:
        if self.estimator not in ESTIMATORS:
            raise OptionError(
                f"unknown estimator {self.estimator!r}",
                found=repr(self.estimator),
                expected="one of " + ", ".join(ESTIMATORS),
                fix="choose a supported estimator",
            )


@dataclass(frozen=True)
class _LengthGroup:
    """Modules with the same number of steps, scored together."""

    length: int
    modules: IntArray  # module positions
    steps: IntArray  # (n_modules, length) global step indices


@dataclass(frozen=True)
class CompiledModules:
    """Modules compiled against one input feature list (see :func:`compile_modules`)."""

    modules: tuple[Module, ...]
    n_features: int
    used_rows: IntArray  # input feature rows used by any module, in order
    alt_matrix: sp.csr_matrix  # (n_alternatives, len(used_rows)) weights / n_subunits
    alt_step_starts: IntArray  # first alternative of each step
    groups: tuple[_LengthGroup, ...]
    complex_alts: IntArray  # alternatives with more than one subunit
    complex_rows: IntArray  # (n_complex, max_sub) positions in used_rows, -1 = absent
    complex_weights: FloatArray  # (n_complex, max_sub) distribute weights


def _distribute_weights(modules: Sequence[Module]) -> dict[tuple[int, int, int, int], float]:
    """Weights of each (module, step, alt, subunit) listing under ``distribute``."""
    occurrences = Counter(k for m in modules for st in m.steps for alt in st for k in alt)
    weights: dict[tuple[int, int, int, int], float] = {}
    for mi, m in enumerate(modules):
        last: dict[str, tuple[int, int, int, int]] = {}
        for si, st in enumerate(m.steps):
            for ai, alt in enumerate(st):
                for ki, k in enumerate(alt):
                    last[k] = (mi, si, ai, ki)
        for k, pos in last.items():
            if occurrences[k] > 1:
                weights[pos] = 1.0 / occurrences[k]
    return weights


def compile_modules(
    modules: Sequence[Module], features: Sequence[str], *, distribute: bool = False
) -> CompiledModules:
    """Turn module definitions into matrices indexed by an input's feature rows.

    Parameters
    ----------
    modules:
        The modules of **one** database (``distribute`` counts over them).
    features:
        Feature ids of the input, in row order. Ids absent from the input
        count as abundance 0.
    distribute:
        Apply Omixer-RPM's ``--Xdistribute`` weights.

    Examples
    --------
    >>> from gutbrain.core.module_types import Module
    >>> c = compile_modules([Module("M", "m", ((("K1", "K2"),),))], ["K2", "K9"])
    >>> c.used_rows.tolist(), c.alt_matrix.toarray().tolist()
    ([0], [[0.5]])
    """
    modules = tuple(modules)
    row_of = {f: i for i, f in enumerate(features)}
    weights = _distribute_weights(modules) if distribute else {}
    used: dict[int, int] = {}
    a_rows: list[int] = []
    a_cols: list[int] = []
    a_vals: list[float] = []
    alt_step_starts: list[int] = []
    complex_alts: list[int] = []
    complex_members: list[list[tuple[int, float]]] = []
    step_index = 0
    module_first_step: list[int] = []
    n_alt = 0
    for mi, m in enumerate(modules):
        module_first_step.append(step_index)
        for si, step in enumerate(m.steps):
            alt_step_starts.append(n_alt)
            alts = step if step else ((),)
            for ai, alt in enumerate(alts):
                members: list[tuple[int, float]] = []
                for ki, k in enumerate(alt):
                    row = row_of.get(k)
                    w = weights.get((mi, si, ai, ki), 1.0)
                    if row is None:
                        members.append((-1, w))
                        continue
                    col = used.setdefault(row, len(used))
                    a_rows.append(n_alt)
                    a_cols.append(col)
                    a_vals.append(w / len(alt))
                    members.append((col, w))
                if len(alt) > 1:
                    complex_alts.append(n_alt)
                    complex_members.append(members)
                n_alt += 1
            step_index += 1
    alt_matrix = sp.csr_matrix(
        (np.asarray(a_vals, dtype=np.float64), (np.asarray(a_rows), np.asarray(a_cols))),
        shape=(n_alt, len(used)),
    )
    alt_matrix.sum_duplicates()
    width = max((len(x) for x in complex_members), default=1)
    c_rows = np.full((len(complex_members), width), -1, dtype=np.intp)
    c_w = np.zeros((len(complex_members), width))
    for i, members in enumerate(complex_members):
        for j, (col, w) in enumerate(members):
            c_rows[i, j] = col
            c_w[i, j] = w
    lengths = np.array([m.n_steps for m in modules], dtype=np.intp)
    first = np.array(module_first_step, dtype=np.intp)
    groups = []
    for length in sorted(set(lengths.tolist())):
        idx = np.flatnonzero(lengths == length)
        groups.append(
            _LengthGroup(
                length=length,
                modules=idx,
                steps=first[idx][:, None] + np.arange(length)[None, :],
            )
        )
    used_rows = np.empty(len(used), dtype=np.intp)
    for row, col in used.items():
        used_rows[col] = row
    return CompiledModules(
        modules=modules,
        n_features=len(features),
        used_rows=used_rows,
        alt_matrix=alt_matrix,
        alt_step_starts=np.asarray(alt_step_starts, dtype=np.intp),
        groups=tuple(groups),
        complex_alts=np.asarray(complex_alts, dtype=np.intp),
        complex_rows=c_rows,
        complex_weights=c_w,
    )


@dataclass(frozen=True)
class ModuleScores:
    """Coverage and abundance, modules × columns.

    ``abundance`` is NaN where a module has no observed step. ``coverage`` is
    the exact double ``P / L``.
    """

    module_ids: tuple[str, ...]
    coverage: FloatArray
    abundance: FloatArray


def _median_sorted(sorted_vals: FloatArray, count: npt.NDArray[np.int64]) -> FloatArray:
    """Median of the first ``count`` values along axis 1 of an ascending array."""
    lo = np.clip((count - 1) // 2, 0, None)[:, None, :]
    hi = np.clip(count // 2, 0, sorted_vals.shape[1] - 1)[:, None, :]
    a = np.take_along_axis(sorted_vals, lo, axis=1)[:, 0, :]
    b = np.take_along_axis(sorted_vals, hi, axis=1)[:, 0, :]
    odd = (count % 2) == 1
    with np.errstate(invalid="ignore"):  # inf - inf where count <= 1; masked below
        out = np.where(odd, a, a + 0.5 * (b - a))
    return np.where(count > 0, out, np.nan)


def _complex_values(c: CompiledModules, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Smallest and last positive subunit value of every complex alternative."""
    rows = np.where(c.complex_rows >= 0, c.complex_rows, 0)
    vals = x[rows] * c.complex_weights[:, :, None]  # (n_complex, width, cols)
    vals = np.where((c.complex_rows >= 0)[:, :, None], vals, 0.0)
    positive = vals > 0
    minpos = np.where(positive, vals, np.inf).min(axis=1)
    minpos = np.where(np.isinf(minpos), 0.0, minpos)
    width = vals.shape[1]
    last_idx = width - 1 - np.argmax(positive[:, ::-1, :], axis=1)
    lastpos = np.take_along_axis(vals, last_idx[:, None, :], axis=1)[:, 0, :]
    lastpos = np.where(positive.any(axis=1), lastpos, 0.0)
    return minpos, lastpos


def _score_block(c: CompiledModules, x: FloatArray, opts: ScoringOptions) -> ModuleScores:
    """Score one block ``x`` of shape (len(used_rows), n_columns)."""
    n_cols = x.shape[1]
    alt = np.asarray(c.alt_matrix @ x)
    if alt.shape[0] == 0:
        alt = np.zeros((0, n_cols))
    step = np.maximum.reduceat(alt, c.alt_step_starts, axis=0) if alt.size else alt
    if opts.estimator == "min":
        alt_min = alt.copy()
        alt_last = alt.copy()
        if c.complex_alts.size:
            alt_min[c.complex_alts], alt_last[c.complex_alts] = _complex_values(c, x)
        step_min = np.maximum.reduceat(alt_min, c.alt_step_starts, axis=0)
        step_last = np.maximum.reduceat(alt_last, c.alt_step_starts, axis=0)
    n_mod = len(c.modules)
    coverage = np.zeros((n_mod, n_cols))
    abundance = np.full((n_mod, n_cols), np.nan)
    for g in c.groups:
        vals = step[g.steps]  # (n_modules, L, cols)
        observed = vals > 0
        count = observed.sum(axis=1)
        coverage[g.modules] = count / g.length
        est = opts.estimator
        if est == "median":
            if opts.normalize_by_length:
                med = _median_sorted(np.sort(vals, axis=1), np.full_like(count, g.length))
                smallest = np.where(observed, vals, np.inf).min(axis=1)
                med = np.where((med == 0) & (count > 0), smallest, med)
            else:
                ranked = np.sort(np.where(observed, vals, np.inf), axis=1)
                med = _median_sorted(ranked, count)
            result = med
        elif est in ("average", "sum"):
            total = vals.sum(axis=1)
            if opts.normalize_by_length:
                result = total / g.length
            elif est == "average":
                with np.errstate(invalid="ignore", divide="ignore"):
                    result = total / count
            else:
                result = total
        else:
            smin = step_min[g.steps]
            slast = step_last[g.steps]
            first = np.argmax(observed, axis=1)  # first observed step
            head = np.take_along_axis(slast, first[:, None, :], axis=1)[:, 0, :]
            after = np.arange(g.length)[None, :, None] > first[:, None, :]
            rest = np.where(observed & after, smin, np.inf).min(axis=1)
            result = np.minimum(head, rest)
        abundance[g.modules] = np.where(count > 0, result, np.nan)
    return ModuleScores(tuple(m.id for m in c.modules), coverage, abundance)


def score_modules(
    compiled: CompiledModules,
    values: FloatArray,
    options: ScoringOptions | None = None,
    *,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> ModuleScores:
    """Coverage and abundance of every compiled module in every column of ``values``.

    Parameters
    ----------
    compiled:
        From :func:`compile_modules` with the same feature order as ``values``.
    values:
        Non-negative abundances, features × columns (columns are samples, or
        taxon × sample pairs in per-taxon mode). Not modified.
    options:
        Estimator and Omixer-RPM options.
    chunk:
        Columns scored at once (memory bound).
    progress:
        Called with the number of columns finished after each chunk.

    Returns
    -------
    ModuleScores
        Modules (in compiled order) × columns.

    Examples
    --------
    The worked example of MODULE_ALGORITHM §2.7 (KA=4, KB=10, KC=6, KD=0, KE=2):

    >>> from gutbrain.knowledge.module_format import parse_modules
    >>> mods = parse_modules("MX01\\ttoy\\nKA\\tKB\\nKC,KD\\tKE\\nKF\\n///\\n")
    >>> c = compile_modules(mods, ["KA", "KB", "KC", "KD", "KE"])
    >>> x = np.array([[4.0], [10.0], [6.0], [0.0], [2.0]])
    >>> s = score_modules(c, x)
    >>> float(s.coverage[0, 0]), float(s.abundance[0, 0])
    (0.6666666666666666, 6.5)
    >>> opts = ScoringOptions("median", normalize_by_length=True)
    >>> float(score_modules(c, x, opts).abundance[0, 0])
    3.0
    """
    opts = options or ScoringOptions()
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] != compiled.n_features:
        raise OptionError(
            "value matrix does not match the compiled feature list",
            found=f"shape {values.shape}",
            expected=f"({compiled.n_features}, n_columns)",
            fix="compile the modules against this table's features",
        )
    n_cols = values.shape[1]
    n_mod = len(compiled.modules)
    coverage = np.zeros((n_mod, n_cols))
    abundance = np.full((n_mod, n_cols), np.nan)
    step = max(int(chunk), 1)
    for start in range(0, n_cols, step):
        stop = min(start + step, n_cols)
        block = values[compiled.used_rows, start:stop]
        part = _score_block(compiled, block, opts)
        coverage[:, start:stop] = part.coverage
        abundance[:, start:stop] = part.abundance
        if progress is not None:
            progress(stop - start)
    return ModuleScores(tuple(m.id for m in compiled.modules), coverage, abundance)
