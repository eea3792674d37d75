"""Packaged reference populations (``data/references/*.json.gz``), read as text.

Parsing into :class:`~gutbrain.pipeline.reference.ReferencePopulation` happens in
the pipeline layer; provenance of every file is in ``data/references/PROVENANCE.md``.
"""

from __future__ import annotations

import gzip
from importlib import resources
from importlib.resources.abc import Traversable

from gutbrain.errors import OptionError

__all__ = ["load_packaged_reference", "packaged_references"]

_SUFFIX = ".json.gz"


def _folder() -> Traversable:
    return resources.files("gutbrain.knowledge") / "data" / "references"


def packaged_references() -> tuple[str, ...]:
    """Names of the packaged references, sorted.

    >>> "hmp2_nonibd_metaphlan4" in packaged_references()
    True
    """
    folder = _folder()
    if not folder.is_dir():
        return ()
    return tuple(
        sorted(p.name[: -len(_SUFFIX)] for p in folder.iterdir() if p.name.endswith(_SUFFIX))
    )


def load_packaged_reference(name: str) -> str:
    """The JSON text of a packaged reference.

    Raises
    ------
    OptionError
        For an unknown name (the message lists the packaged ones).

    >>> load_packaged_reference("zhu2020_controls_modules").startswith("{")
    True
    """
    names = packaged_references()
    if name not in names:
        raise OptionError(
            f"unknown reference population {name!r}",
            found=repr(name),
            expected="one of " + (", ".join(names) or "(none packaged)"),
            fix="choose a packaged reference or give a reference file",
        )
    return gzip.decompress((_folder() / f"{name}{_SUFFIX}").read_bytes()).decode("utf-8")
