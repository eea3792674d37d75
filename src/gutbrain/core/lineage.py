"""Taxonomic lineages: one small immutable value for every lineage syntax gutbrain reads.

A :class:`Lineage` holds one name per rank, from domain (or kingdom) down to
strain, normalised so that the same taxon compares equal whatever tool named
it: ``Genus_species``, ``s__Genus_species`` and ``Genus species`` all give the
species ``"Genus species"``. GTDB genus suffixes (``Bacteroides_A``) are kept
in the names and in :attr:`Lineage.raw`; :attr:`Lineage.genus_base` drops them.

Uninformative labels (``uncultured bacterium``, ``metagenome``,
``Unassigned``, empty ``s__`` ...) never become names: such a rank is left
empty, and a lineage without any name is *unresolvable*.

The module is pure: no files, no globals that change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from gutbrain.errors import InputFormatError

__all__ = [
    "RANKS",
    "SUPPORTED_SYNTAXES",
    "Lineage",
    "Rank",
    "is_uninformative",
    "lineage_from_ranks",
    "parse_lineage",
]

Rank = Literal["domain", "phylum", "class", "order", "family", "genus", "species", "strain"]

#: Ranks in order, from the top. Kingdom (``k__``) is stored as the domain.
RANKS: tuple[Rank, ...] = (
    "domain",
    "phylum",
    "class",
    "order",
    "family",
    "genus",
    "species",
    "strain",
)

#: Lineage syntaxes :func:`parse_lineage` accepts, for messages.
SUPPORTED_SYNTAXES = (
    "MetaPhlAn 'k__Bacteria|p__Firmicutes|...|s__Genus_species', "
    "Greengenes 'k__Bacteria; p__Firmicutes; ...; g__; s__', "
    "SILVA 'D_0__Bacteria;D_1__...' or 'd__Bacteria; p__...', "
    "GTDB 'd__Bacteria;p__Bacillota;...;s__Genus species', "
    "'g__Genus;s__Genus species', a binomial 'Genus species' or 'Genus_species', "
    "or a genus name"
)

_PREFIX_RANK: dict[str, int] = {
    "d": 0,
    "k": 0,
    "p": 1,
    "c": 2,
    "o": 3,
    "f": 4,
    "g": 5,
    "s": 6,
    "t": 7,
}

_UNINFORMATIVE = frozenset(
    {
        "",
        "uncultured",
        "uncultured bacterium",
        "uncultured organism",
        "uncultured prokaryote",
        "uncultured archaeon",
        "uncultured rumen bacterium",
        "metagenome",
        "gut metagenome",
        "human gut metagenome",
        "mouse gut metagenome",
        "unidentified",
        "unassigned",
        "unknown",
        "unclassified",
        "ambiguous_taxa",
        "ambiguous taxa",
        "na",
        "none",
        "other",
        "root",
        "cellular organisms",
    }
)

#: ``p__``, ``D_3__`` or ``d__`` style prefixes.
_PREFIXED = re.compile(r"\s*([a-zA-Z])__(.*)", re.DOTALL)
_SILVA = re.compile(r"\s*D_(\d+)__(.*)", re.DOTALL)
#: A bare genus name: capitalised word, optionally in brackets, optional GTDB suffix.
_GENUS = r"(?:Candidatus[ _])?\[?[A-Z][a-z0-9]*[a-z][a-z0-9]*\]?(?:_[A-Z]{1,3})?"
_BARE_GENUS = re.compile(_GENUS)
_BARE_SPECIES = re.compile(
    _GENUS + r"[ _](?:[a-z][\w.\-]*|sp\.?|(?:SGB|GGB|CAG)[\w\-]*)(?:[ _][\w.\-]+)*"
)
#: MetaPhlAn 4 genome bins without a name: ``GGB3746_SGB5089``.
_BARE_BIN = re.compile(r"(?:GGB|SGB)\d+(?:[ _](?:GGB|SGB)\d+)*")
_GENUS_UNCLASSIFIED = re.compile(_GENUS + r"(?:[ _]noname)?[ _]unclassified")
_GTDB_SUFFIX = re.compile(r"_[A-Z]{1,3}$")


def is_uninformative(name: str) -> bool:
    """Whether a taxon label says nothing about the taxon.

    >>> [is_uninformative(x) for x in ("uncultured bacterium", "Unassigned", "s__", "Blautia")]
    [True, True, True, False]
    >>> is_uninformative("t__Bacteroides_stercoris_unclassified")
    True
    """
    text = name.strip()
    match = _PREFIXED.fullmatch(text) or _SILVA.fullmatch(text)
    if match:
        text = match.group(2).strip()
    low = text.lower().replace("_", " ").strip()
    return (
        low.replace(" ", "_") in _UNINFORMATIVE
        or low in _UNINFORMATIVE
        or low.endswith(" unclassified")
        or low.startswith(("uncultured ", "unidentified ", "unknown "))
        or low.endswith(" metagenome")
    )


def _species_name(name: str, genus: str | None) -> str:
    """``Genus_species`` → ``Genus species``; a Greengenes epithet gets its genus."""
    if " " not in name:
        name = name.replace("_", " ")
    if " " not in name and genus is not None and name[:1].islower():
        name = f"{genus} {name}"
    return " ".join(name.split())


@dataclass(frozen=True)
class Lineage:
    """A taxon with its names per rank.

    Parameters
    ----------
    names:
        Eight normalised names, one per rank of :data:`RANKS`; ``None`` where
        the rank is not given or uninformative.
    raw:
        The same ranks as written in the source (prefix removed), ``None``
        where absent.
    taxid:
        NCBI taxonomy id when the source gives one.
    label:
        The text the lineage was parsed from.

    Examples
    --------
    >>> lin = parse_lineage("d__Bacteria;p__Bacteroidota;g__Bacteroides_A;"
    ...                     "s__Bacteroides_A plebeius")
    >>> lin.genus, lin.genus_base, lin.species, lin.deepest_rank
    ('Bacteroides_A', 'Bacteroides', 'Bacteroides_A plebeius', 'species')
    """

    names: tuple[str | None, ...]
    raw: tuple[str | None, ...]
    taxid: int | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if len(self.names) != len(RANKS) or len(self.raw) != len(RANKS):
            raise ValueError(f"a Lineage needs {len(RANKS)} names and raw names")

    @classmethod
    def unresolvable(cls, label: str = "", taxid: int | None = None) -> Lineage:
        """A lineage without any name (e.g. ``Unassigned``).

        >>> Lineage.unresolvable("Unassigned").resolvable
        False
        """
        empty: tuple[str | None, ...] = (None,) * len(RANKS)
        return cls(empty, empty, taxid, label)

    def rank(self, rank: Rank) -> str | None:
        """The normalised name at ``rank``."""
        return self.names[RANKS.index(rank)]

    @property
    def domain(self) -> str | None:
        """Domain (or kingdom)."""
        return self.names[0]

    @property
    def phylum(self) -> str | None:
        """Phylum."""
        return self.names[1]

    @property
    def class_(self) -> str | None:
        """Class (``class`` is a Python keyword)."""
        return self.names[2]

    @property
    def order(self) -> str | None:
        """Order."""
        return self.names[3]

    @property
    def family(self) -> str | None:
        """Family."""
        return self.names[4]

    @property
    def genus(self) -> str | None:
        """Genus as written (GTDB suffix kept), or taken from the species binomial."""
        return self.names[5]

    @property
    def genus_base(self) -> str | None:
        """Genus without a GTDB suffix or brackets: ``Bacteroides_A`` → ``Bacteroides``."""
        genus = self.genus
        if genus is None:
            return None
        return _GTDB_SUFFIX.sub("", genus).strip("[]")

    @property
    def species(self) -> str | None:
        """Species as ``"Genus species"``."""
        return self.names[6]

    @property
    def strain(self) -> str | None:
        """Strain or MetaPhlAn SGB (``t__``)."""
        return self.names[7]

    @property
    def deepest_rank(self) -> Rank | None:
        """The lowest rank with a name, ``None`` for an unresolvable lineage."""
        for rank, name in zip(reversed(RANKS), reversed(self.names), strict=True):
            if name is not None:
                return rank
        return None

    @property
    def resolvable(self) -> bool:
        """Whether any rank has a name."""
        return self.deepest_rank is not None

    @property
    def name(self) -> str | None:
        """The name at the deepest rank."""
        rank = self.deepest_rank
        return None if rank is None else self.rank(rank)

    def with_taxid(self, taxid: int | None) -> Lineage:
        """A copy with ``taxid`` set."""
        return replace(self, taxid=taxid)


def lineage_from_ranks(
    ranks: Sequence[str | None],
    *,
    label: str | None = None,
    taxid: int | None = None,
) -> Lineage:
    """A lineage from rank names, prefixed (``p__X``, ``D_1__X``) or by position.

    Unprefixed names are taken in :data:`RANKS` order from the domain, as in
    BIOM ``taxonomy`` metadata without prefixes.

    >>> lineage_from_ranks(["Bacteria", "Firmicutes", "Clostridia", None]).deepest_rank
    'class'
    >>> lineage_from_ranks(["k__Bacteria", "g__Blautia", "s__"]).genus
    'Blautia'
    """
    raw: list[str | None] = [None] * len(RANKS)
    for position, cell in enumerate(ranks):
        if cell is None:
            continue
        text = str(cell).strip()
        silva = _SILVA.fullmatch(text)
        prefixed = _PREFIXED.fullmatch(text)
        if silva:
            index = int(silva.group(1))
            text = silva.group(2).strip()
        elif prefixed and prefixed.group(1).lower() in _PREFIX_RANK:
            index = _PREFIX_RANK[prefixed.group(1).lower()]
            text = prefixed.group(2).strip()
        else:
            index = position
        if index >= len(RANKS) or not text:
            continue
        raw[index] = text
    return _build(
        tuple(raw), label if label is not None else ";".join(str(c or "") for c in ranks), taxid
    )


def _build(raw: tuple[str | None, ...], label: str, taxid: int | None) -> Lineage:
    names: list[str | None] = [
        None if r is None or is_uninformative(r) else " ".join(r.split()) for r in raw
    ]
    genus_index, species_index = 5, 6
    genus = names[genus_index]
    if genus is not None and " " in genus:
        genus = names[genus_index] = genus.replace(" ", "_")
    species = names[species_index]
    if species is not None:
        species = names[species_index] = _species_name(species, genus)
        if genus is None and " " in species:
            words = species.split(" ")
            head = " ".join(words[:2]) if words[0] == "Candidatus" else words[0]
            if _BARE_GENUS.fullmatch(head):
                names[genus_index] = head
    elif raw[species_index] is not None and genus is None:
        # MetaPhlAn 2 'Genus_unclassified' / 'Family_noname_unclassified': the taxon above
        head = re.split(r"[ _]", str(raw[species_index]).strip(), maxsplit=1)[0]
        if _BARE_GENUS.fullmatch(head) and not is_uninformative(head):
            names[4 if head.endswith("aceae") else genus_index] = head
    strain = names[7]
    if strain is not None:
        names[7] = strain.replace("_", " ") if " " not in strain else strain
    return Lineage(tuple(names), raw, taxid, label)


def _error(text: str) -> InputFormatError:
    return InputFormatError(
        "unknown lineage syntax",
        found=InputFormatError.quote(text),
        expected=SUPPORTED_SYNTAXES,
        fix="give taxon names in one of these syntaxes, or pass a taxonomy table",
    )


def parse_lineage(text: str, taxid: int | None = None) -> Lineage:
    """Parse a taxon label in any supported syntax.

    Raises
    ------
    InputFormatError
        ``"unknown lineage syntax"`` when ``text`` is none of
        :data:`SUPPORTED_SYNTAXES` (e.g. ``"K00001"`` or ``"12"``).

    Examples
    --------
    MetaPhlAn 3/4 (``t__`` strain or SGB):

    >>> lin = parse_lineage("k__Bacteria|p__Bacteroidetes|g__Bacteroides|"
    ...                     "s__Bacteroides_dorei|t__SGB1814")
    >>> lin.species, lin.strain, lin.deepest_rank
    ('Bacteroides dorei', 'SGB1814', 'strain')

    Greengenes, with empty ranks and an epithet-only species:

    >>> parse_lineage("k__Bacteria; p__Firmicutes; c__Clostridia; o__Clostridiales; "
    ...               "f__Lachnospiraceae; g__; s__").deepest_rank
    'family'
    >>> parse_lineage("k__Bacteria; p__Bacteroidetes; g__Bacteroides; s__ovatus").species
    'Bacteroides ovatus'

    SILVA (old ``D_n__`` and new ``d__`` prefixes):

    >>> parse_lineage("D_0__Bacteria;D_1__Firmicutes;D_5__Blautia;D_6__uncultured bacterium").genus
    'Blautia'
    >>> parse_lineage("d__Bacteria; p__Firmicutes; c__Clostridia").class_
    'Clostridia'

    GTDB:

    >>> parse_lineage("d__Bacteria;p__Bacillota;g__Faecalibacterium;"
    ...               "s__Faecalibacterium prausnitzii").species
    'Faecalibacterium prausnitzii'

    Two ranks, a binomial, a genus:

    >>> parse_lineage("g__Blautia;s__Blautia obeum").species
    'Blautia obeum'
    >>> parse_lineage("Faecalibacterium_prausnitzii").genus
    'Faecalibacterium'
    >>> parse_lineage("Faecalibacterium prausnitzii").species
    'Faecalibacterium prausnitzii'
    >>> parse_lineage("Akkermansia").deepest_rank
    'genus'

    Uninformative labels are unresolvable, unknown syntax is an error:

    >>> parse_lineage("uncultured bacterium").resolvable
    False
    >>> parse_lineage("K00001")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gutbrain.errors.InputFormatError: unknown lineage syntax; found 'K00001'; ...
    """
    if not isinstance(text, str):
        raise _error(repr(text))
    label = text
    stripped = text.strip()
    if (
        not any(sep in stripped for sep in "|;")
        and is_uninformative(stripped)
        and not _GENUS_UNCLASSIFIED.fullmatch(re.sub(r"^[a-zA-Z]__", "", stripped))
    ):
        return Lineage.unresolvable(label, taxid)
    if "|" in stripped:
        parts = stripped.split("|")
        if all(_PREFIXED.fullmatch(p) and p.strip()[0].lower() in _PREFIX_RANK for p in parts):
            return lineage_from_ranks(parts, label=label, taxid=taxid)
        raise _error(text)
    if ";" in stripped:
        parts = stripped.split(";")
        while parts and not parts[-1].strip():
            parts.pop()
        prefixed = [
            bool(_SILVA.fullmatch(p))
            or bool(_PREFIXED.fullmatch(p) and p.strip()[0].lower() in _PREFIX_RANK)
            for p in parts
        ]
        if parts and all(prefixed):
            return lineage_from_ranks(parts, label=label, taxid=taxid)
        if (
            2 <= len(parts) <= len(RANKS) - 1
            and not any(prefixed)
            and _BARE_GENUS.match(parts[0].strip())
        ):
            # unprefixed ranks by position, as in some QIIME / phyloseq exports
            return lineage_from_ranks(parts, label=label, taxid=taxid)
        raise _error(text)
    match = _PREFIXED.fullmatch(stripped) or _SILVA.fullmatch(stripped)
    if match:
        return lineage_from_ranks([stripped], label=label, taxid=taxid)
    if _BARE_SPECIES.fullmatch(stripped) or _BARE_BIN.fullmatch(stripped):
        return lineage_from_ranks([None] * 6 + [stripped], label=label, taxid=taxid)
    if _BARE_GENUS.fullmatch(stripped):
        return lineage_from_ranks([None] * 5 + [stripped], label=label, taxid=taxid)
    raise _error(text)
