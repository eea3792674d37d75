"""HUMAnN gene-family, KO and pathway tables (format ``humann``).

HUMAnN writes one tab-separated table per profile (Beghini et al. 2021, eLife
10:e65088)::

    # Gene Family<TAB>demo_Abundance-RPKs
    UNMAPPED<TAB>100.0
    K01838: beta-phosphoglucomutase [EC:5.4.2.6]<TAB>30.0
    K01838: beta-phosphoglucomutase [EC:5.4.2.6]|g__Bacteroides.s__Bacteroides_dorei<TAB>15.0

* ``UNMAPPED``, ``UNGROUPED`` and ``UNINTEGRATED`` rows (and their stratified
  rows) are dropped, with a note;
* ``: name`` labels of renamed tables are stripped (``K01838: …`` → ``K01838``);
* ``id|taxon`` rows go to a per-taxon table (taxon kept as written), the other
  rows form the community table; duplicate ids are summed, with a note;
* the unit comes from the sample headers (``…-RPKs`` → RPK, ``-CPM``/``_cpm``
  → CPM, ``relab`` → relative abundance), else ``"unknown"``.
"""

from __future__ import annotations

import os
import re
from collections import Counter

from gutbrain.core.table import FeatureTable, ValueKind
from gutbrain.errors import InputFormatError
from gutbrain.io.ko_table import check_unique_samples, read_grid
from gutbrain.io.profile import FunctionalProfile, group_rows, stratified_table, sum_rows
from gutbrain.io.textfile import display_name, read_head

__all__ = ["SPECIAL_ROWS", "feature_and_taxon", "read", "sniff", "units_of"]

#: Rows HUMAnN adds for reads or abundance it could not assign; never functions.
SPECIAL_ROWS = ("UNMAPPED", "UNGROUPED", "UNINTEGRATED")
_HEADERS = ("# Gene Family", "#HEADERS")
_UNITS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:^|[-_. ])rpks?$", re.IGNORECASE), "RPK"),
    (re.compile(r"(?:^|[-_. ])cpm$", re.IGNORECASE), "CPM"),
    (re.compile(r"relab", re.IGNORECASE), "relative abundance"),
)


def feature_and_taxon(row_id: str) -> tuple[str, str | None]:
    """Split a HUMAnN row id into function id (name label stripped) and taxon.

    >>> feature_and_taxon("K01838: beta-phosphoglucomutase [EC:5.4.2.6]|g__X.s__Y")
    ('K01838', 'g__X.s__Y')
    >>> feature_and_taxon("UniRef50_R5IH84")
    ('UniRef50_R5IH84', None)
    """
    base, bar, taxon = row_id.rpartition("|")
    if not bar:
        return row_id.partition(": ")[0], None
    return base.partition(": ")[0], taxon


def units_of(samples: tuple[str, ...]) -> str:
    """The unit HUMAnN wrote into the sample headers, or ``"unknown"``.

    >>> units_of(("demo_Abundance-RPKs",)), units_of(("a_cpm", "b-CPM")), units_of(("S1",))
    ('RPK', 'CPM', 'unknown')
    """
    found = set()
    for sample in samples:
        unit = next((u for pattern, u in _UNITS if pattern.search(sample)), "unknown")
        found.add(unit)
    return found.pop() if len(found) == 1 else "unknown"


def sniff(head: str) -> bool:
    """Whether ``head`` is a HUMAnN table.

    True for a ``# Gene Family`` or ``#HEADERS`` header; for any other header
    whose first cell starts with ``#`` (e.g. ``# Pathway``), when the rows look
    like HUMAnN's (special rows, ``|`` stratification, ``: name`` labels) or the
    sample headers carry a HUMAnN unit.

    >>> sniff("# Gene Family\\tS1\\nK00001\\t1\\n"), sniff("#\\tS1\\nA|bug\\t1\\n")
    (True, True)
    >>> sniff("#KO\\tS1\\nK00001\\t1\\n"), sniff("KO\\tS1\\nK00001|bug\\t1\\n")
    (False, False)
    """
    lines = head.split("\n", 200)
    header = lines[0].removesuffix("\r").split("\t")
    if len(header) < 2 or not header[0].startswith("#"):
        return False
    if header[0].startswith(_HEADERS) or units_of(tuple(header[1:])) != "unknown":
        return True
    ids = [line.split("\t", 1)[0] for line in lines[1:200]]
    return any(i in SPECIAL_ROWS or "|" in i or ": " in i for i in ids)


def _kind(units: str) -> ValueKind:
    return "relative" if units == "relative abundance" else "abundance"


def read(path: str | os.PathLike[str]) -> FunctionalProfile:
    """Read a HUMAnN table; see the module docstring."""
    name = display_name(path)
    grid = read_grid(path, read_head(path), n_labels=1)
    samples = grid.value_names
    check_unique_samples(name, samples, offset=2)
    units = units_of(samples)
    dropped: Counter[str] = Counter()
    community_rows: list[int] = []
    community_ids: list[str] = []
    taxon_rows: list[int] = []
    pairs: list[tuple[str, str]] = []
    labelled = empty = 0
    for row, row_id in enumerate(grid.labels[0]):
        feature, taxon = feature_and_taxon(row_id)
        labelled += ": " in row_id
        if feature in SPECIAL_ROWS:
            dropped[feature] += 1
        elif not feature.strip():
            empty += 1
        elif taxon is None:
            community_rows.append(row)
            community_ids.append(feature)
        elif not taxon.strip():
            raise InputFormatError(
                "empty taxon after '|'",
                where=grid.where(row, 1),
                found=InputFormatError.quote(row_id),
                expected="'id|taxon', e.g. 'K00001|g__Bacteroides.s__Bacteroides_dorei'",
                fix="name the taxon (e.g. 'unclassified') or delete the '|'",
            )
        else:
            taxon_rows.append(row)
            pairs.append((taxon, feature))
    notes = [f"dropped {n} {special} row{'s' * (n != 1)}" for special, n in dropped.items()]
    if empty:
        notes.append(f"dropped {empty} row{'s' * (empty != 1)} with an empty feature id")
    if labelled:
        notes.append(f"stripped ': name' labels from {labelled} row ids")
    per_taxon = None
    if pairs:
        per_taxon, merged = stratified_table(
            pairs, grid.values[taxon_rows], samples, kind=_kind(units), units=units, source=name
        )
        if merged:
            notes.append(f"summed {merged} duplicate stratified rows")
    if community_rows:
        inverse, first = group_rows(community_ids)
        values = sum_rows(grid.values[community_rows], inverse, first)
        if first.shape[0] < len(community_ids):
            notes.append(f"summed {len(community_ids) - first.shape[0]} duplicate feature ids")
        features = tuple(community_ids[i] for i in first)
        community = FeatureTable(
            features, samples, values, kind=_kind(units), units=units, source=name
        )
    elif per_taxon is not None:
        notes.append("no community rows: community = sum over taxa")
        community = per_taxon.collapse()
    else:
        raise InputFormatError(
            "no function rows",
            where=name,
            found="only " + ", ".join(sorted(dropped)) + " rows" if dropped else "no rows",
            expected="rows of function ids with abundances",
            fix="check that this is the right HUMAnN output",
        )
    return FunctionalProfile(
        "humann", name, community, per_taxon, units, "features-as-rows", tuple(notes)
    )
