"""Numbered citations: keys of ``references.json`` (CSL-JSON), numbered in order of first use.

A :class:`CitationIndex` is made for each rendering. The template calls
:meth:`CitationIndex.cite` wherever it cites; the first call with a key gives it the next
number, so the numbers follow the order in which a reader meets them. The reference list at
the end (:meth:`CitationIndex.entries`) shows authors, year, title, journal and DOI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from gutbrain.knowledge.citations import (
    citation_details,
    citation_year,
    format_authors,
    load_citations,
)

__all__ = ["CitationIndex", "Reference", "doi_link"]


@dataclass(frozen=True)
class Reference:
    """One entry of the numbered reference list (``found`` is false for an unknown key)."""

    number: int
    key: str
    authors: str
    year: str
    title: str
    container: str
    details: str
    doi: str | None
    url: str | None
    found: bool


class CitationIndex:
    """Numbers citation keys in order of first use and formats the reference list.

    Examples
    --------
    >>> index = CitationIndex()
    >>> str(index.cite(["Kroenke2001", "VallesColomer2019"]))
    '<sup class="cite"><a href="#ref-1">[1, 2]</a></sup>'
    >>> index.numbers(["VallesColomer2019"])
    [2]
    >>> [e.key for e in index.entries()]
    ['Kroenke2001', 'VallesColomer2019']
    """

    def __init__(self, library: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._library = load_citations() if library is None else library
        self._numbers: dict[str, int] = {}

    def numbers(self, keys: Iterable[str]) -> list[int]:
        """The numbers of ``keys`` (new keys get the next numbers), sorted, without repeats."""
        out = set()
        for key in keys:
            if key not in self._numbers:
                self._numbers[key] = len(self._numbers) + 1
            out.add(self._numbers[key])
        return sorted(out)

    def cite(self, keys: Iterable[str]) -> Markup:
        """A superscript ``[1, 3]`` linking to the first of them in the reference list (one
        link, not one per number: every inline box costs layout time in the PDF)."""
        numbers = self.numbers(keys)
        if not numbers:
            return Markup("")
        label = ", ".join(str(n) for n in numbers)
        return Markup(f'<sup class="cite"><a href="#ref-{numbers[0]}">[{label}]</a></sup>')

    def entries(self) -> list[Reference]:
        """The reference list in number order."""
        out = []
        for key, number in sorted(self._numbers.items(), key=lambda kv: kv[1]):
            entry = self._library.get(key)
            if entry is None:
                out.append(Reference(number, key, "", "", key, "", "", None, None, False))
                continue
            doi = entry.get("DOI")
            url = entry.get("URL")
            out.append(
                Reference(
                    number=number,
                    key=key,
                    authors=format_authors(entry.get("author") or []),
                    year=citation_year(entry),
                    title=str(entry.get("title", "")).rstrip("."),
                    container=str(entry.get("container-title") or entry.get("publisher") or ""),
                    details=citation_details(entry),
                    doi=str(doi) if doi else None,
                    url=str(url) if url and not doi else None,
                    found=True,
                )
            )
        return out

    def __len__(self) -> int:
        return len(self._numbers)


def doi_link(doi: str) -> Markup:
    """A plain link to a DOI (followed only when the reader clicks it).

    >>> str(doi_link("10.1/x<y"))
    '<a href="https://doi.org/10.1/x%3Cy">doi:10.1/x&lt;y</a>'
    """
    href = "https://doi.org/" + quote(doi, safe="/:;()._-")
    return Markup('<a href="{}">doi:{}</a>').format(href, escape(doi))
