"""Data types for metabolic module definitions (GMM / GBM / curated).

A module is an ordered list of **steps** (reactions). A step is covered by any
one of its **alternatives** (OR); an alternative is a **complex** whose
subunits (AND) are function identifiers such as KEGG orthologs (``K00001``),
eggNOG/COG ids or TIGRFAM ids. This mirrors the Omixer-RPM module file format
(see :mod:`gutbrain.knowledge.module_format`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "IdNamespace",
    "Module",
    "ModuleDatabase",
    "id_namespace",
]

#: Identifier families a module may use, and that an input table may carry.
IdNamespace = Literal["KO", "COG", "eggNOG", "TIGRFAM", "other"]

_NAMESPACE_PATTERNS: tuple[tuple[IdNamespace, re.Pattern[str]], ...] = (
    ("KO", re.compile(r"K\d{5}")),
    ("COG", re.compile(r"COG\d{4}")),
    ("eggNOG", re.compile(r"(?:ENOG\w+|[A-Za-z]*NOG\d+)")),
    ("TIGRFAM", re.compile(r"TIGR\d{5}")),
)


def id_namespace(identifier: str) -> IdNamespace:
    """Classify a function identifier.

    Examples
    --------
    >>> [id_namespace(x) for x in ("K00001", "COG0076", "bactNOG26316", "NOG12345",
    ...                            "ENOG4105C2V", "TIGR01234", "UniRef90_A0A")]
    ['KO', 'COG', 'eggNOG', 'eggNOG', 'eggNOG', 'TIGRFAM', 'other']
    """
    for name, pattern in _NAMESPACE_PATTERNS:
        if pattern.fullmatch(identifier):
            return name
    return "other"


Step = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Module:
    """One module: ``steps[i][j]`` is the tuple of subunit ids of alternative *j* of step *i*.

    Examples
    --------
    >>> m = Module("MX01", "toy", ((("KA",), ("KB",)), (("KC", "KD"), ("KE",)), (("KF",),)))
    >>> m.n_steps, sorted(m.identifiers())
    (3, ['KA', 'KB', 'KC', 'KD', 'KE', 'KF'])
    """

    id: str
    name: str
    steps: tuple[Step, ...]

    @property
    def n_steps(self) -> int:
        """Number of steps (the denominator of coverage)."""
        return len(self.steps)

    def identifiers(self) -> frozenset[str]:
        """Every identifier used anywhere in the module."""
        return frozenset(k for step in self.steps for alt in step for k in alt)

    def max_coverage(self, namespaces: frozenset[str]) -> float:
        """Highest coverage reachable from an input that only has ``namespaces`` ids.

        A step can be covered only if one of its alternatives uses identifiers
        of those namespaces alone.

        >>> m = Module("M", "x", ((("COG0001",),), (("K00001",), ("COG0002",))))
        >>> m.max_coverage(frozenset({"KO"}))
        0.5
        """
        coverable = sum(
            1
            for step in self.steps
            if any(all(id_namespace(k) in namespaces for k in alt) for alt in step)
        )
        return coverable / self.n_steps


@dataclass(frozen=True)
class ModuleDatabase:
    """A named, versioned set of modules with provenance.

    ``key`` is the short name used on the command line (``gmm``, ``gbm``,
    ``curated`` or ``file:<name>``); ``citation_keys`` resolve in the
    knowledge base's references.
    """

    key: str
    title: str
    version: str
    modules: tuple[Module, ...]
    citation_keys: tuple[str, ...] = ()
    licence: str = "unknown"
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "modules", tuple(self.modules))
        object.__setattr__(self, "citation_keys", tuple(self.citation_keys))

    def module_ids(self) -> tuple[str, ...]:
        """Module ids in file order."""
        return tuple(m.id for m in self.modules)
