"""BIOM tables (format ``biom``): BIOM 1.0 JSON (optionally gzipped) and BIOM 2.1 HDF5.

The table is read with ``biom-format`` and kept sparse. Taxa come from, in
order of preference: a QIIME 2 taxonomy TSV given as ``taxonomy=``
(``Feature ID<TAB>Taxon[<TAB>Confidence]``, joined by feature id); the
observation metadata ``taxonomy`` (a list of rank names, prefixed or by
position, or one lineage string); the feature ids themselves when they parse
as lineages. Anything else gets an unresolvable lineage, or an error when
``require_taxonomy=True``. Values are counts (``FeatureTable[Frequency]``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from gutbrain.core.lineage import Lineage, lineage_from_ranks, parse_lineage
from gutbrain.errors import GutBrainError, InputFormatError
from gutbrain.io.ko_table import check_unique_samples
from gutbrain.io.taxon_profile import Sequencing, TaxonFormat, TaxonKind, TaxonProfile
from gutbrain.io.textfile import decode_text, display_name, location, read_bytes

__all__ = [
    "HDF5_MAGIC",
    "parse_taxonomy_tsv",
    "profile_from_biom",
    "read",
    "read_taxonomy",
    "sniff",
    "sniff_bytes",
]

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_BIOM_EXPECTED = "a BIOM 1.0 JSON table (optionally gzipped) or a BIOM 2.1 HDF5 table"
_HEADER_IDS = frozenset({"feature id", "featureid", "#otuid", "otu id", "#otu id", "id", "otu_id"})


def sniff(head: str) -> bool:
    """Whether a text head is BIOM 1.0 JSON.

    >>> sniff('{"id": null, "format": "Biological Observation Matrix 1.0.0"}')
    True
    """
    text = head.lstrip()
    return text.startswith("{") and "Biological Observation Matrix" in text[:4096]


def sniff_bytes(start: bytes) -> bool:
    """Whether the first bytes (un-gzipped) are BIOM HDF5 or BIOM JSON."""
    if start.startswith(HDF5_MAGIC):
        return True
    return sniff(start[:4096].decode("utf-8", "replace"))


def _not_biom(name: str, found: str) -> InputFormatError:
    return InputFormatError(
        "not a readable BIOM table",
        where=name,
        found=found,
        expected=_BIOM_EXPECTED,
        fix="export the table again with 'biom convert' or QIIME 2",
    )


def _load(path: str | os.PathLike[str], name: str) -> Any:
    import biom

    with open(path, "rb") as raw:
        start = raw.read(8)
    if start.startswith(HDF5_MAGIC):
        import h5py

        try:
            with h5py.File(path, "r") as handle:
                return biom.Table.from_hdf5(handle)
        except Exception as exc:
            raise _not_biom(name, f"an HDF5 file biom-format cannot read ({exc})") from None
    text = decode_text(read_bytes(path), name)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFormatError(
            "malformed BIOM JSON",
            where=location(name, exc.lineno, exc.colno),
            found=InputFormatError.quote(exc.msg),
            expected=_BIOM_EXPECTED,
            fix="the file is damaged or truncated; export it again",
        ) from None
    if not isinstance(obj, dict) or "Biological Observation Matrix" not in str(obj.get("format")):
        raise _not_biom(name, 'JSON without \'"format": "Biological Observation Matrix ..."\'')
    columns = obj.get("columns")
    if isinstance(columns, list):
        ids = tuple(str(c.get("id")) if isinstance(c, dict) else "" for c in columns)
        check_unique_samples(name, ids, offset=1, unit="samples")
    try:
        return biom.Table.from_json(obj)
    except Exception as exc:
        raise _not_biom(name, f"a BIOM JSON table biom-format cannot read ({exc})") from None


def parse_taxonomy_tsv(text: str, name: str) -> dict[str, Lineage]:
    """Feature id → lineage from QIIME 2 ``taxonomy.tsv`` text.

    >>> text = "Feature ID\\tTaxon\\tConfidence\\nabc\\tg__Blautia; s__obeum\\t0.9\\n"
    >>> t = parse_taxonomy_tsv(text, "t")
    >>> t["abc"].species
    'Blautia obeum'
    """
    out: dict[str, Lineage] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip() or line.startswith("#q2:") or (number == 1 and line.startswith("#")):
            continue
        cells = line.split("\t")
        if number == 1 and cells[0].strip().lower() in _HEADER_IDS:
            continue
        if len(cells) < 2:
            raise InputFormatError(
                "taxonomy line without a taxon",
                where=location(name, number),
                found=InputFormatError.quote(line),
                expected="'Feature ID<TAB>Taxon[<TAB>Confidence]'",
                fix="give a QIIME 2 taxonomy table (tab-separated)",
            )
        feature = cells[0].strip()
        if feature in out:
            raise InputFormatError(
                "duplicate feature id in the taxonomy",
                where=location(name, number, 1),
                found=InputFormatError.quote(feature),
                expected="each feature id once",
                fix="remove the repeated line",
            )
        try:
            out[feature] = parse_lineage(cells[1])
        except InputFormatError as exc:
            raise InputFormatError(
                exc.problem,
                where=location(name, number, 2, "Taxon"),
                found=exc.found,
                expected=exc.expected,
                fix=exc.fix,
            ) from None
    if not out:
        raise InputFormatError(
            "empty taxonomy",
            where=name,
            found="no taxonomy lines",
            expected="'Feature ID<TAB>Taxon' lines",
            fix="check the taxonomy file",
        )
    return out


def read_taxonomy(path: str | os.PathLike[str]) -> dict[str, Lineage]:
    """Read a QIIME 2 taxonomy TSV (or a taxonomy ``.qza``)."""
    name = display_name(path)
    data = read_bytes(path)
    if data.startswith(b"PK\x03\x04"):
        from gutbrain.io.qza import read_taxonomy_qza

        return read_taxonomy_qza(path)
    return parse_taxonomy_tsv(decode_text(data, name), name)


def _metadata_lineage(meta: Mapping[str, Any] | None) -> Lineage | None:
    if not meta:
        return None
    value = next((meta[k] for k in meta if str(k).lower() == "taxonomy"), None)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return parse_lineage(value)
        except GutBrainError:
            return lineage_from_ranks(value.split(";"), label=value)
    return lineage_from_ranks([None if v is None else str(v) for v in value])


def _join(
    ids: tuple[str, ...], taxonomy: Mapping[str, Lineage], name: str, source: str
) -> tuple[Lineage, ...]:
    missing = [i for i in ids if i not in taxonomy]
    if missing:
        shown = ", ".join(InputFormatError.quote(m) for m in missing[:5])
        raise InputFormatError(
            "feature ids missing from the taxonomy",
            where=source,
            found=f"{len(missing)} of {len(ids)} feature ids of {name} without a taxon, "
            f"e.g. {shown}",
            expected="a taxonomy line for every feature of the table",
            fix="give the taxonomy made for this table (same feature ids)",
        )
    return tuple(taxonomy[i] for i in ids)


def profile_from_biom(
    table: Any,
    name: str,
    *,
    fmt: TaxonFormat = "biom",
    kind: TaxonKind = "counts",
    taxonomy: Mapping[str, Lineage] | None = None,
    taxonomy_source: str = "taxonomy",
    require_taxonomy: bool = False,
    sequencing: Sequencing = "unknown",
    notes: tuple[str, ...] = (),
) -> TaxonProfile:
    """Turn a loaded ``biom.Table`` into a :class:`TaxonProfile`."""
    features = tuple(str(i) for i in table.ids(axis="observation"))
    samples = tuple(str(i) for i in table.ids(axis="sample"))
    check_unique_samples(name, samples, offset=1, unit="samples")
    matrix = sp.csc_array(table.matrix_data, dtype=np.float64)
    data = matrix.data
    bad = np.flatnonzero(~np.isfinite(data) | (data < 0))
    if bad.size:
        coo = sp.coo_array(matrix)
        k = int(np.flatnonzero(~np.isfinite(coo.data) | (coo.data < 0))[0])
        value = float(coo.data[k])
        row, col = int(coo.row[k]), int(coo.col[k])
        raise InputFormatError(
            "negative value" if value < 0 else "missing or infinite value",
            where=f"{name}, observation {InputFormatError.quote(features[row])}, "
            f"sample {InputFormatError.quote(samples[col])}",
            found=f"{value:g}",
            expected="finite counts >= 0",
            fix="give counts or relative abundances, not log-ratios or missing values",
        )
    meta = table.metadata(axis="observation")
    note_list = list(notes)
    if taxonomy is not None:
        lineages = _join(features, taxonomy, name, taxonomy_source)
        note_list.append(f"taxonomy joined from {taxonomy_source}")
    elif meta is not None and any(_metadata_lineage(m) is not None for m in meta[:50]):
        cache: dict[str, Lineage | None] = {}
        found = []
        for m in meta:
            key = repr(m.get("taxonomy", m.get("Taxonomy"))) if m else ""
            if key not in cache:
                cache[key] = _metadata_lineage(m)
            found.append(cache[key])
        lineages = tuple(
            lin if lin is not None else Lineage.unresolvable(f)
            for lin, f in zip(found, features, strict=True)
        )
        note_list.append("taxonomy from observation metadata")
    else:
        parsed: list[Lineage] = []
        failed = 0
        for feature in features:
            try:
                parsed.append(parse_lineage(feature))
            except GutBrainError:
                parsed.append(Lineage.unresolvable(feature))
                failed += 1
        if failed and require_taxonomy:
            example = next(f for f, lin in zip(features, parsed, strict=True) if not lin.resolvable)
            raise InputFormatError(
                "BIOM table without taxonomy",
                where=name,
                found=f"no 'taxonomy' observation metadata and {failed} of {len(features)} "
                f"feature ids that are not taxon names (e.g. {InputFormatError.quote(example)})",
                expected="observation metadata 'taxonomy', or taxon names as feature ids",
                fix="pass the matching taxonomy (QIIME 2 taxonomy.tsv or .qza) as taxonomy=",
            )
        lineages = tuple(parsed)
        note_list.append(
            "taxonomy from feature ids" + (f" ({failed} ids unresolvable)" if failed else "")
        )
    return TaxonProfile(
        format=fmt,
        source=name,
        features=features,
        lineages=lineages,
        samples=samples,
        values=matrix,
        kind=kind,
        sequencing=sequencing,
        notes=tuple(note_list),
    )


def read(
    path: str | os.PathLike[str],
    *,
    taxonomy: str | os.PathLike[str] | None = None,
    require_taxonomy: bool = False,
    sequencing: Sequencing = "unknown",
) -> TaxonProfile:
    """Read a BIOM table (JSON, gzipped JSON or HDF5).

    Raises
    ------
    InputFormatError
        Not BIOM, malformed JSON, truncated gzip, negative or missing values,
        duplicate sample ids, feature ids missing from ``taxonomy``, or no
        taxonomy at all when ``require_taxonomy`` is set.
    """
    name = display_name(path)
    table = _load(path, name)
    joined = None if taxonomy is None else read_taxonomy(taxonomy)
    return profile_from_biom(
        table,
        name,
        taxonomy=joined,
        taxonomy_source=display_name(taxonomy) if taxonomy is not None else "taxonomy",
        require_taxonomy=require_taxonomy,
        sequencing=sequencing,
    )
