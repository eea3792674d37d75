"""Coverage cut-off and computability of modules (Omixer-RPM ``-c``).

A module is *reported* in a sample when its coverage is at least the cut-off
(an inclusive comparison of the exact double ``P / L``: 2/3 passes 0.66).

A module is *not computable* from an input when its identifiers cannot occur
in it -- e.g. a gut-brain module defined only by eggNOG ids scored on a table
of KEGG orthologs. Its coverage would read 0, which would wrongly say the
function is absent; instead it is listed apart, with the highest coverage the
input could ever give it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gutbrain.core.module_types import Module, id_namespace
from gutbrain.errors import InputError, OptionError

__all__ = ["Computability", "auto_cutoff", "computability", "validate_cutoff"]


def validate_cutoff(cutoff: float) -> float:
    """Check an explicit coverage cut-off (0 ≤ c ≤ 1).

    >>> validate_cutoff(0.66)
    0.66
    """
    if not (0.0 <= cutoff <= 1.0) or np.isnan(cutoff):
        raise OptionError(
            "coverage cut-off out of range",
            found=repr(cutoff),
            expected="a number from 0 to 1, or 'auto'",
            fix="e.g. --min-coverage 0.66 (the default)",
        )
    return float(cutoff)


def auto_cutoff(coverages: Iterable[npt.NDArray[np.float64]]) -> float:
    """Omixer-RPM's batch-dependent automatic cut-off (``-c -1``).

    Pool every coverage value above 0, count each distinct value and sort the
    distinct values in decreasing order :math:`v_0 > v_1 > \\dots` with counts
    :math:`n_i`. Start with cut-off :math:`v_0` and best :math:`n_1`; for
    :math:`i = 1 \\dots k-2`, if :math:`n_{i+1} \\ge` best, set best to
    :math:`n_{i+1}` and the cut-off to :math:`v_i`. In words: the cut-off is the
    value just above the most frequent coverage level other than the top one.

    The result depends on every sample in the batch: it is offered only for
    compatibility with published Omixer-RPM runs.

    Examples
    --------
    The worked example of MODULE_ALGORITHM §2.7: 1.0×5, 0.75×2, 0.5×9, 0.25×4.

    >>> pooled = np.array([1.0] * 5 + [0.75] * 2 + [0.5] * 9 + [0.25] * 4 + [0.0] * 3)
    >>> auto_cutoff([pooled])
    0.75
    """
    parts = [np.asarray(c, dtype=np.float64).ravel() for c in coverages]
    pooled = np.concatenate(parts) if parts else np.zeros(0)
    pooled = pooled[pooled > 0]
    if pooled.size == 0:
        raise InputError(
            "automatic coverage cut-off is undefined",
            found="no module with coverage above 0 in any sample",
            expected="at least one module step observed",
            fix="use an explicit --min-coverage, and check that the input holds "
            "identifiers the modules use (e.g. KEGG orthologs)",
        )
    values, counts = np.unique(pooled, return_counts=True)
    values, counts = values[::-1], counts[::-1]
    cutoff = float(values[0])
    if values.size < 2:
        return cutoff
    best = int(counts[1])
    for i in range(1, values.size - 1):
        if counts[i + 1] >= best:
            best = int(counts[i + 1])
            cutoff = float(values[i])
    return cutoff


@dataclass(frozen=True)
class Computability:
    """Whether a module can be assessed from an input's identifier kinds."""

    module_id: str
    max_coverage: float
    computable: bool
    reason: str


def computability(
    modules: Iterable[Module], namespaces: frozenset[str], cutoff: float
) -> tuple[Computability, ...]:
    """Classify each module as computable or not from inputs with ``namespaces`` ids.

    A module is not computable when no step can be covered (maximum coverage
    0), or when its maximum coverage is below the cut-off, so it could never
    be reported however abundant its functions.

    >>> m = Module("MGB011", "x", ((("COG0001",),),))
    >>> computability([m], frozenset({"KO"}), 0.66)[0].reason
    'identifiers of this module (COG) are absent from the input kinds (KO)'
    """
    out = []
    have = ", ".join(sorted(namespaces - {"other"})) or "none recognised"
    for m in modules:
        best = m.max_coverage(namespaces)
        kinds = ", ".join(sorted({id_namespace(k) for k in m.identifiers()} - namespaces))
        if best == 0.0:
            out.append(
                Computability(
                    m.id,
                    best,
                    False,
                    f"identifiers of this module ({kinds}) are absent from the input "
                    f"kinds ({have})",
                )
            )
        elif best < cutoff:
            out.append(
                Computability(
                    m.id,
                    best,
                    False,
                    f"at most {best:.3g} of its steps can be covered by {have} identifiers; "
                    f"{kinds} identifiers are needed to reach the cut-off {cutoff:g}",
                )
            )
        else:
            out.append(Computability(m.id, best, True, ""))
    return tuple(out)
