"""The component table every profile becomes, and the plan of its table-wide decisions.

See :mod:`gutbrain.pipeline.features` for the component ids (a contract shared with the
reference populations) and the steps that fill these tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from gutbrain.errors import InputError
from gutbrain.io.profile import FunctionalProfile
from gutbrain.io.taxon_profile import TaxonProfile
from gutbrain.knowledge.taxa import Resolution

__all__ = [
    "RELATIVE_UNITS",
    "ComponentPlan",
    "ComponentTable",
    "Profile",
    "ProfileKind",
    "ProfileResolution",
]

FloatArray = npt.NDArray[np.float64]
ProfileKind = Literal["taxonomic", "functional"]
ProfileResolution = Literal["species", "genus", "ko"]
#: What the readers return: a taxonomic or a functional profile.
Profile = TaxonProfile | FunctionalProfile

RELATIVE_UNITS = "relative abundance"


@dataclass(frozen=True)
class ComponentTable:
    """Components × samples values and coverage of one profile.

    Attributes
    ----------
    kind:
        ``"taxonomic"`` or ``"functional"``.
    resolution:
        ``"species"`` or ``"genus"`` (taxonomic), ``"ko"`` (functional).
    units:
        Units of abundance-like values, e.g. ``"relative abundance"`` or the
        functional input's units (``"CPM"``, ``"RPK"``, ``"unknown"``).
    samples:
        Sample ids (columns).
    components:
        Component ids (rows), unique.
    values:
        Float array (components × samples), read-only; NaN = not estimable.
    coverage:
        Same shape; NaN where coverage does not apply or is unknown.
    notes:
        What was done to get here (reader notes, choices).
    """

    kind: ProfileKind
    resolution: ProfileResolution
    units: str
    samples: tuple[str, ...]
    components: tuple[str, ...]
    values: FloatArray
    coverage: FloatArray
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        shape = (len(self.components), len(self.samples))
        for name in ("values", "coverage"):
            arr = np.array(getattr(self, name), dtype=np.float64, copy=True)
            if arr.shape != shape:
                raise InputError(
                    f"component {name} do not match the ids",
                    where="ComponentTable",
                    found=f"shape {arr.shape}",
                    expected=f"{shape} (components × samples)",
                    fix="report this as a gutbrain bug",
                )
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        if len(set(self.components)) != len(self.components):
            raise InputError(
                "duplicate component id",
                where="ComponentTable",
                found=f"{len(self.components) - len(set(self.components))} repeated ids",
                expected="unique component ids",
                fix="report this as a gutbrain bug",
            )

    def row(self, component: str) -> FloatArray:
        """Values of one component across samples."""
        row: FloatArray = self.values[self.components.index(component)]
        return row


@dataclass(frozen=True)
class ComponentPlan:
    """The table-wide decisions of the component step, made once on a whole profile.

    Every other step of :func:`~gutbrain.pipeline.features.components` works sample by
    sample, so the components of a subset of the samples, made with the plan of the whole
    profile, equal the whole profile's components of those samples, bit for bit (see
    :func:`~gutbrain.pipeline.features.select_samples`). That is what lets
    ``gutbrain analyze`` profile its samples in chunks.

    Attributes
    ----------
    kind, resolution, units:
        As in :class:`ComponentTable`. A taxonomic profile's resolution is decided on
        all its samples (where most relative abundance sits).
    chao1:
        Taxonomic: ``diversity:chao1`` is computed (integer counts, collapsed to the
        resolution, over all samples).
    taxa:
        Taxonomic: each feature's NCBI species and genus taxids.
    """

    kind: ProfileKind
    resolution: ProfileResolution
    units: str
    chao1: bool = False
    taxa: tuple[Resolution, ...] = ()
