"""QIIME 2 archives (format ``qza``): feature tables and taxonomies.

A ``.qza`` is a zip holding ``<uuid>/metadata.yaml`` (``uuid``, ``type``,
``format``), ``<uuid>/VERSION`` and ``<uuid>/data/…``. Read here:

* ``FeatureTable[Frequency]`` (counts) and ``FeatureTable[RelativeFrequency]``
  (relative) from ``data/feature-table.biom`` (BIOM 2.1 HDF5);
* ``FeatureData[Taxonomy]`` from ``data/taxonomy.tsv``, joined to a table when
  given as ``taxonomy=``.

``metadata.yaml`` is parsed line by line (``key: value``), without PyYAML.
"""

from __future__ import annotations

import io
import os
import zipfile
from typing import Any

from gutbrain.core.lineage import Lineage
from gutbrain.errors import InputFormatError
from gutbrain.io.biom_table import parse_taxonomy_tsv, profile_from_biom, read_taxonomy
from gutbrain.io.taxon_profile import Sequencing, TaxonKind, TaxonProfile
from gutbrain.io.textfile import decode_text, display_name

__all__ = ["ZIP_MAGIC", "read", "read_taxonomy_qza", "sniff_bytes"]

ZIP_MAGIC = b"PK\x03\x04"
_TABLE_KINDS: dict[str, TaxonKind] = {
    "FeatureTable[Frequency]": "counts",
    "FeatureTable[RelativeFrequency]": "relative",
}


def sniff_bytes(start: bytes) -> bool:
    """Whether a file starts with the zip magic (a QIIME 2 archive, if anything)."""
    return start.startswith(ZIP_MAGIC)


def parse_metadata_yaml(text: str) -> dict[str, str]:
    """Top-level ``key: value`` pairs of a QIIME 2 ``metadata.yaml``.

    >>> parse_metadata_yaml("uuid: 1a\\ntype: FeatureTable[Frequency]\\nformat: BIOMV210DirFmt\\n")
    {'uuid': '1a', 'type': 'FeatureTable[Frequency]', 'format': 'BIOMV210DirFmt'}
    """
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line or line[0] in " \t#-" or ":" not in line:
            continue
        key, _, value = line.partition(":")
        out[key.strip()] = value.strip().strip("'\"")
    return out


def _archive(
    path: str | os.PathLike[str], name: str
) -> tuple[zipfile.ZipFile, str, dict[str, str]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFormatError(
            "not a readable QIIME 2 archive",
            where=name,
            found=f"a damaged zip file ({exc})",
            expected="a .qza file written by QIIME 2",
            fix="export or download the artifact again",
        ) from None
    metas = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith("/metadata.yaml")]
    if not metas:
        archive.close()
        raise InputFormatError(
            "not a QIIME 2 archive",
            where=name,
            found="a zip without '<uuid>/metadata.yaml'",
            expected="a .qza file written by QIIME 2",
            fix="give the .qza artifact itself, or the exported BIOM/TSV file",
        )
    root = metas[0].split("/", 1)[0]
    meta = parse_metadata_yaml(decode_text(archive.read(metas[0]), f"{name}:{metas[0]}"))
    return archive, root, meta


def _member(archive: zipfile.ZipFile, root: str, leaf: str, name: str, what: str) -> bytes:
    member = f"{root}/data/{leaf}"
    try:
        return archive.read(member)
    except KeyError:
        raise InputFormatError(
            f"{what} archive without its data file",
            where=name,
            found=f"no '{member}' in the archive",
            expected=f"'{root}/data/{leaf}'",
            fix="export or download the artifact again",
        ) from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputFormatError(
            "damaged QIIME 2 archive",
            where=name,
            found=f"'{member}' cannot be decompressed ({exc})",
            expected="a complete .qza file",
            fix="export or download the artifact again",
        ) from None


def read_taxonomy_qza(path: str | os.PathLike[str]) -> dict[str, Lineage]:
    """Feature id → lineage from a ``FeatureData[Taxonomy]`` archive."""
    name = display_name(path)
    archive, root, meta = _archive(path, name)
    with archive:
        kind = meta.get("type", "")
        if kind != "FeatureData[Taxonomy]":
            raise InputFormatError(
                "not a taxonomy",
                where=name,
                found=f"a QIIME 2 artifact of type {InputFormatError.quote(kind)}",
                expected="type 'FeatureData[Taxonomy]'",
                fix="give the taxonomy artifact made by 'qiime feature-classifier'",
            )
        data = _member(archive, root, "taxonomy.tsv", name, "taxonomy")
    where = f"{name}:{root}/data/taxonomy.tsv"
    return parse_taxonomy_tsv(decode_text(data, where), where)


def _load_biom(data: bytes, name: str) -> Any:
    import biom
    import h5py

    try:
        with h5py.File(io.BytesIO(data), "r") as handle:
            return biom.Table.from_hdf5(handle)
    except Exception as exc:
        raise InputFormatError(
            "unreadable feature table in the archive",
            where=name,
            found=f"data/feature-table.biom that biom-format cannot read ({exc})",
            expected="a BIOM 2.1 HDF5 table",
            fix="export or download the artifact again",
        ) from None


def read(
    path: str | os.PathLike[str],
    *,
    taxonomy: str | os.PathLike[str] | None = None,
    require_taxonomy: bool = False,
    sequencing: Sequencing = "unknown",
) -> TaxonProfile:
    """Read a ``FeatureTable[Frequency]`` or ``FeatureTable[RelativeFrequency]`` archive.

    Raises
    ------
    InputFormatError
        Damaged zip, no ``metadata.yaml``, an artifact of another type ("not a
        feature table"), an unreadable table, or the taxonomy errors of
        :func:`gutbrain.io.biom_table.profile_from_biom`.
    """
    name = display_name(path)
    archive, root, meta = _archive(path, name)
    with archive:
        artifact_type = meta.get("type", "")
        kind = _TABLE_KINDS.get(artifact_type)
        if kind is None:
            raise InputFormatError(
                "not a feature table",
                where=name,
                found=f"a QIIME 2 artifact of type {InputFormatError.quote(artifact_type)}",
                expected="type 'FeatureTable[Frequency]' or 'FeatureTable[RelativeFrequency]'",
                fix="give the feature-table artifact (e.g. table.qza); pass a taxonomy "
                "artifact as taxonomy=",
            )
        data = _member(archive, root, "feature-table.biom", name, "feature-table")
    table = _load_biom(data, name)
    joined = None if taxonomy is None else read_taxonomy(taxonomy)
    return profile_from_biom(
        table,
        name,
        fmt="qza",
        kind=kind,
        taxonomy=joined,
        taxonomy_source=display_name(taxonomy) if taxonomy is not None else "taxonomy",
        require_taxonomy=require_taxonomy,
        sequencing=sequencing,
        notes=(f"QIIME 2 artifact {meta.get('uuid', '?')} of type {artifact_type}",),
    )
