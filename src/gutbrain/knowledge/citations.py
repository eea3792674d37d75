"""The packaged bibliography (``knowledge/data/references.json``, CSL-JSON) as text.

Every citation key used anywhere in the knowledge base resolves here. The pieces of a
reference line (Vancouver-style authors, year, volume/issue/pages) are shared by the plan's
Markdown (:func:`format_citation`) and the report's numbered reference list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from gutbrain.errors import KnowledgeBaseError

__all__ = [
    "MAX_AUTHORS",
    "citation_details",
    "citation_year",
    "format_authors",
    "format_citation",
    "load_citations",
]

#: authors listed before "et al."
MAX_AUTHORS = 3


@cache
def load_citations() -> Mapping[str, Mapping[str, Any]]:
    """Citation key → CSL-JSON entry.

    >>> load_citations()["Wastyk2021"]["container-title"]
    'Cell'
    """
    node = resources.files("gutbrain.knowledge") / "data" / "references.json"
    entries: list[dict[str, Any]] = json.loads(node.read_text(encoding="utf-8"))
    return {str(e["id"]): e for e in entries}


def _initials(given: str) -> str:
    parts = given.replace(".", " ").replace("-", " ").split()
    return "".join(p[0] for p in parts if p)


def format_authors(authors: Iterable[Mapping[str, Any]]) -> str:
    """Vancouver-style author list: at most three, then "et al.".

    >>> format_authors([{"family": "Valles-Colomer", "given": "Mireia"},
    ...                 {"family": "Falony", "given": "Gwen"}])
    'Valles-Colomer M, Falony G'
    >>> format_authors([{"family": f"A{i}", "given": "B. C."} for i in range(5)])
    'A0 BC, A1 BC, A2 BC, et al.'
    >>> format_authors([{"literal": "NHS Digital"}])
    'NHS Digital'
    """
    names = []
    listed = list(authors)
    for author in listed[:MAX_AUTHORS]:
        if "literal" in author:
            names.append(str(author["literal"]))
        else:
            initials = _initials(str(author.get("given", "")))
            names.append(f"{author.get('family', '')} {initials}".strip())
    if len(listed) > MAX_AUTHORS:
        names.append("et al.")
    return ", ".join(names)


def citation_year(entry: Mapping[str, Any]) -> str:
    """The year of a CSL-JSON entry, or ``n.d.``."""
    issued = entry.get("issued") or {}
    parts = issued.get("date-parts") or []
    if parts and parts[0]:
        return str(parts[0][0])
    return str(issued.get("literal") or issued.get("raw") or "n.d.")


def citation_details(entry: Mapping[str, Any]) -> str:
    """``volume(issue):pages`` of a CSL-JSON entry (empty parts left out)."""
    volume = str(entry.get("volume") or "")
    issue = str(entry.get("issue") or "")
    page = str(entry.get("page") or "")
    text = volume + (f"({issue})" if issue else "")
    if page:
        text += f":{page}" if text else page
    return text


def format_citation(key: str) -> str:
    """One plain-text reference line for ``key``.

    >>> format_citation("Wastyk2021")  # doctest: +ELLIPSIS
    'Wastyk HC, Fragiadakis GK, Perelman D (2021). Gut-microbiota-targeted diets ... Cell 184:...'
    """
    entry = load_citations().get(key)
    if entry is None:
        raise KnowledgeBaseError(
            "unknown citation key", found=repr(key), expected="a key of references.json"
        )
    authors = format_authors(entry.get("author") or []) or str(entry.get("publisher") or "")
    parts = [f"{authors} ({citation_year(entry)})."]
    if entry.get("title"):
        parts.append(str(entry["title"]).rstrip(".") + ".")
    venue = " ".join(
        p for p in (str(entry.get("container-title") or ""), citation_details(entry)) if p
    )
    if venue:
        parts.append(venue + ".")
    if entry.get("DOI"):
        parts.append(f"doi:{entry['DOI']}")
    elif entry.get("URL"):
        parts.append(str(entry["URL"]))
    return " ".join(parts)
