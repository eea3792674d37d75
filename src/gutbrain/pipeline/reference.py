"""Reference populations: per-component distributions of a healthy cohort, as JSON.

A :class:`ReferencePopulation` is built from a :class:`~gutbrain.pipeline.features.ComponentTable`
of reference samples with :func:`build_reference` and stored as deterministic JSON
(:meth:`ReferencePopulation.to_json`, sorted keys, no whitespace, one trailing newline).

Storage of each distribution
    Values are rounded to 12 significant digits **when the reference is built**, so the
    object in memory is exactly what the file holds and ``to_json(from_json(text)) ==
    text``. References with more than :data:`MAX_STORED_VALUES` finite values of a
    component keep :data:`N_QUANTILES` evenly spaced quantiles (0 %, 0.5 %, …, 100 %,
    linear interpolation) instead of every value; percentiles are then computed
    against those quantiles (an approximation within 0.5 percentile points between
    quantiles) while ``n`` keeps the true number of values.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

import numpy as np
import numpy.typing as npt

from gutbrain import __version__
from gutbrain.core.percentile import CoverageSummary, ReferenceDistribution, percentile
from gutbrain.errors import InputFormatError
from gutbrain.io.reference_file import read_reference
from gutbrain.knowledge.modules import load_databases
from gutbrain.knowledge.references_data import load_packaged_reference
from gutbrain.knowledge.taxa import load_traits
from gutbrain.pipeline.features import ComponentTable, ProfileKind, ProfileResolution

__all__ = [
    "FORMAT",
    "MAX_STORED_VALUES",
    "N_QUANTILES",
    "ReferencePopulation",
    "build_reference",
    "knowledge_version",
    "load_reference",
    "packaged_reference",
]

#: Format tag written into every file.
FORMAT = "gutbrain-reference/1"
#: Above this many finite values a distribution is stored as quantiles.
MAX_STORED_VALUES = 2000
#: Number of stored quantiles (every 0.5 %).
N_QUANTILES = 201
_DIGITS = 12
FloatArray = npt.NDArray[np.float64]


def _round(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Round to 12 significant digits (idempotent; NaN stays NaN)."""
    arr = np.asarray(values, dtype=np.float64).ravel()
    # profiles repeat values (zeros above all): format each distinct value once
    distinct, inverse = np.unique(arr, return_inverse=True)
    rounded = np.array([float(f"{x:.{_DIGITS}g}") for x in distinct.tolist()], dtype=np.float64)
    return rounded[inverse.ravel()]


def _round_near(values: npt.NDArray[np.float64], stored: npt.NDArray[np.float64]) -> FloatArray:
    """:func:`_round`, but only where it can matter: values next to a stored one.

    Rounding to 12 significant digits moves a value by at most 5e-12 of itself,
    so it can only change a comparison with a stored value within that distance;
    every other value keeps its exact bits (its percentile is the same either way).
    """
    out = np.array(values, dtype=np.float64, copy=True)
    if stored.size == 0:
        return out
    idx = np.searchsorted(stored, out)
    lo = stored[np.clip(idx - 1, 0, stored.size - 1)]
    hi = stored[np.clip(idx, 0, stored.size - 1)]
    gap = np.minimum(np.abs(out - lo), np.abs(out - hi))
    near = np.flatnonzero(gap <= 1e-11 * np.abs(out))
    if near.size:
        out[near] = _round(out[near])
    return out


def _round1(x: float) -> float:
    return float(f"{x:.{_DIGITS}g}")


def knowledge_version() -> str:
    """Versions of the knowledge a component depends on (module databases, trait table).

    >>> knowledge_version().startswith("gmm 1.07; gbm")
    True
    """
    dbs = "; ".join(f"{db.key} {db.version}" for db in load_databases("all"))
    traits = load_traits()
    digest = hashlib.sha256()
    digest.update("\t".join(traits.traits).encode())
    digest.update(repr(sorted(traits.index.items())).encode())
    digest.update(np.ascontiguousarray(traits.values).tobytes())
    digest.update(np.ascontiguousarray(traits.tiers).tobytes())
    return f"{dbs}; traits sha256:{digest.hexdigest()[:16]}"


@dataclass(frozen=True)
class ReferencePopulation:
    """A named reference population: how it was made and one distribution per component.

    Attributes
    ----------
    name, description:
        Short id (file stem) and one-paragraph description.
    kind, resolution, units:
        As in the :class:`ComponentTable` it was built from; a sample is only
        comparable when all three match.
    selection:
        The rule that chose the reference samples.
    provenance:
        Source data and build command.
    citations:
        Citation keys (``knowledge/data/references.json`` style).
    n_samples:
        Number of reference samples.
    distributions:
        Component id → :class:`ReferenceDistribution`.
    notes:
        Processing notes (e.g. copy-number correction).
    gutbrain_version, knowledge_version:
        Versions used to build it.
    """

    name: str
    description: str
    kind: ProfileKind
    resolution: ProfileResolution
    units: str
    selection: str
    provenance: str
    citations: tuple[str, ...]
    n_samples: int
    distributions: Mapping[str, ReferenceDistribution]
    notes: tuple[str, ...] = ()
    gutbrain_version: str = __version__
    knowledge_version: str = field(default_factory=knowledge_version)

    def percentiles(self, table: ComponentTable) -> npt.NDArray[np.float64]:
        """Percentiles of every component of ``table`` (NaN where the reference lacks it).

        Values are rounded to the stored precision (12 significant digits) first, so
        a reference sample scored against its own reference lands on its mid-rank.
        The caller checks comparability (kind, resolution, units) first.
        """
        out = np.full(table.values.shape, np.nan)
        for i, comp in enumerate(table.components):
            dist = self.distributions.get(comp)
            if dist is not None:
                out[i] = percentile(_round_near(table.values[i], dist.values), dist)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (floats as stored)."""
        comps: dict[str, Any] = {}
        for comp, d in self.distributions.items():
            cov = d.coverage
            comps[comp] = {
                "n": d.n,
                "values": d.values.tolist(),
                "coverage": None
                if cov is None
                else {"n": cov.n, "min": cov.minimum, "median": cov.median, "mean": cov.mean},
            }
        return {
            "format": FORMAT,
            "name": self.name,
            "description": self.description,
            "kind": self.kind,
            "resolution": self.resolution,
            "units": self.units,
            "selection": self.selection,
            "provenance": self.provenance,
            "citations": list(self.citations),
            "notes": list(self.notes),
            "n_samples": self.n_samples,
            "gutbrain_version": self.gutbrain_version,
            "knowledge_version": self.knowledge_version,
            "components": comps,
        }

    def to_json(self) -> str:
        """Deterministic JSON: sorted keys, compact separators, trailing newline."""
        text = json.dumps(
            self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
            allow_nan=False,
        )  # fmt: skip
        return text + "\n"

    @classmethod
    def from_json(cls, text: str, *, where: str = "reference") -> ReferencePopulation:
        """Parse :meth:`to_json` output.

        Raises
        ------
        InputFormatError
            Not JSON, another format tag, or a missing / malformed field.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputFormatError(
                "reference population is not valid JSON",
                where=where,
                found=str(exc),
                expected=f"a {FORMAT} JSON document",
                fix="rebuild the reference with tools/build_references.py",
            ) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise InputFormatError(
                "not a gutbrain reference population",
                where=where,
                found=f"format {found!r}",
                expected=repr(FORMAT),
                fix="give a file written by gutbrain's build_reference",
            )
        try:
            kind, resolution = data["kind"], data["resolution"]
            if kind not in get_args(ProfileKind) or resolution not in get_args(ProfileResolution):
                raise ValueError(f"kind {kind!r} / resolution {resolution!r}")
            dists = {
                comp: ReferenceDistribution(
                    np.asarray(d["values"], dtype=np.float64),
                    int(d["n"]),
                    None
                    if d["coverage"] is None
                    else CoverageSummary(
                        int(d["coverage"]["n"]),
                        float(d["coverage"]["min"]),
                        float(d["coverage"]["median"]),
                        float(d["coverage"]["mean"]),
                    ),
                )
                for comp, d in data["components"].items()
            }
            return cls(
                name=str(data["name"]),
                description=str(data["description"]),
                kind=kind,
                resolution=resolution,
                units=str(data["units"]),
                selection=str(data["selection"]),
                provenance=str(data["provenance"]),
                citations=tuple(str(c) for c in data["citations"]),
                n_samples=int(data["n_samples"]),
                distributions=dists,
                notes=tuple(str(n) for n in data["notes"]),
                gutbrain_version=str(data["gutbrain_version"]),
                knowledge_version=str(data["knowledge_version"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputFormatError(
                "malformed reference population",
                where=where,
                found=f"{type(exc).__name__}: {exc}",
                expected=f"every field of {FORMAT}",
                fix="rebuild the reference with tools/build_references.py",
            ) from None


def build_reference(
    table: ComponentTable,
    name: str,
    description: str,
    selection: str,
    citations: Sequence[str],
    *,
    provenance: str = "",
    notes: Sequence[str] = (),
) -> ReferencePopulation:
    """Reference population from a component table of reference samples.

    Each component keeps its finite values, rounded to 12 significant digits and
    sorted (or :data:`N_QUANTILES` quantiles when there are more than
    :data:`MAX_STORED_VALUES`), and a summary of its finite coverage. A component
    without any finite value is kept with an empty distribution (its percentiles are
    NaN), so "not estimable in the reference" stays visible.

    Examples
    --------
    >>> t = ComponentTable("taxonomic", "genus", "relative abundance", ("a", "b"),
    ...     ("diversity:shannon",), np.array([[1.5, 0.5]]), np.ones((1, 2)))
    >>> ref = build_reference(t, "toy", "toy", "all", ["X2020"])
    >>> ref.distributions["diversity:shannon"].values.tolist()
    [0.5, 1.5]
    """
    dists: dict[str, ReferenceDistribution] = {}
    for i, comp in enumerate(table.components):
        d = ReferenceDistribution.from_sample(
            _round(table.values[i]),
            table.coverage[i],
            max_values=MAX_STORED_VALUES,
            n_quantiles=N_QUANTILES,
        )
        cov = d.coverage
        if cov is not None:
            cov = CoverageSummary(
                cov.n, _round1(cov.minimum), _round1(cov.median), _round1(cov.mean)
            )
        dists[comp] = ReferenceDistribution(_round(d.values), d.n, cov)
    return ReferencePopulation(
        name=name,
        description=description,
        kind=table.kind,
        resolution=table.resolution,
        units=table.units,
        selection=selection,
        provenance=provenance,
        citations=tuple(citations),
        n_samples=len(table.samples),
        distributions=dists,
        notes=tuple(notes),
    )


def load_reference(path: str | os.PathLike[str]) -> ReferencePopulation:
    """Read a reference population file (``.json.gz`` or ``.json``)."""
    return ReferencePopulation.from_json(read_reference(path), where=os.fspath(path))


def packaged_reference(name: str) -> ReferencePopulation:
    """A reference population shipped with gutbrain, by name.

    >>> packaged_reference("hmp2_nonibd_metaphlan4").resolution
    'species'
    """
    return ReferencePopulation.from_json(
        load_packaged_reference(name), where=f"gutbrain:references/{name}"
    )
