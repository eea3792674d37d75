"""The packaged bibliography (``knowledge/data/references.json``, CSL-JSON) as text.

Every citation key used anywhere in the knowledge base resolves here;
:func:`format_citation` renders one entry as a short reference line
("Authors (year). Title. Journal volume:pages. doi:…").
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from gutbrain.errors import KnowledgeBaseError

__all__ = ["format_citation", "load_citations"]


@cache
def load_citations() -> dict[str, dict[str, Any]]:
    """Citation key → CSL-JSON entry.

    >>> load_citations()["Wastyk2021"]["container-title"]
    'Cell'
    """
    node = resources.files("gutbrain.knowledge") / "data" / "references.json"
    return {str(e["id"]): e for e in json.loads(node.read_text(encoding="utf-8"))}


def _authors(entry: dict[str, Any]) -> str:
    people = entry.get("author") or []
    names = [p.get("family") or p.get("literal") or "" for p in people]
    names = [n for n in names if n]
    if not names:
        return str(entry.get("publisher") or "Anonymous")
    if len(names) >= 3:  # entries often list only the first authors
        return f"{names[0]} et al."
    return " & ".join(names)


def format_citation(key: str) -> str:
    """One reference line for ``key``.

    >>> format_citation("Wastyk2021")  # doctest: +ELLIPSIS
    'Wastyk et al. (2021). Gut-microbiota-targeted diets modulate human immune status. Cell ...'
    """
    entry = load_citations().get(key)
    if entry is None:
        raise KnowledgeBaseError(
            "unknown citation key", found=repr(key), expected="a key of references.json"
        )
    year = ""
    issued = entry.get("issued", {}).get("date-parts")
    if issued and issued[0]:
        year = str(issued[0][0])
    parts = [f"{_authors(entry)} ({year or 'n.d.'})."]
    if entry.get("title"):
        parts.append(str(entry["title"]).rstrip(".") + ".")
    venue = str(entry.get("container-title") or entry.get("publisher") or "")
    if entry.get("volume"):
        venue += f" {entry['volume']}"
    if entry.get("page"):
        venue += f":{entry['page']}"
    if venue.strip():
        parts.append(venue.strip() + ".")
    if entry.get("DOI"):
        parts.append(f"doi:{entry['DOI']}")
    elif entry.get("URL"):
        parts.append(str(entry["URL"]))
    return " ".join(parts)
