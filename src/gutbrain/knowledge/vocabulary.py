"""The controlled vocabulary of preferences, conditions and medications.

``data/vocabulary/constraints.json`` lists every term an answers file may give under
``preferences:``, ``conditions:`` or ``medications:``: a canonical id, a label, accepted
aliases (``celiac`` for ``coeliac``, ``phenelzine`` for ``maoi``) and the terms it implies
(``coeliac`` implies ``gluten_free``; ``maoi`` implies ``antidepressant`` and
``psychotropic``). The plan engine works with the closure of these implications.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, get_args

from gutbrain.errors import KnowledgeBaseError

__all__ = [
    "SECTIONS",
    "Section",
    "Term",
    "Vocabulary",
    "load_vocabulary",
    "normalise_term",
]

Section = Literal["preferences", "conditions", "medications"]
SECTIONS: tuple[Section, ...] = get_args(Section)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def normalise_term(text: str) -> str:
    """Lower-case ``text``, drop apostrophes and turn runs of spaces and hyphens into ``_``.

    >>> normalise_term("  Gluten-Free ")
    'gluten_free'
    >>> normalise_term("St John's wort")
    'st_johns_wort'
    """
    text = re.sub(r"['’]", "", text.strip().lower())
    return re.sub(r"[\s\-]+", "_", text).strip("_")


@dataclass(frozen=True)
class Term:
    """One vocabulary term."""

    id: str
    section: Section
    label: str
    aliases: tuple[str, ...]
    implies: tuple[str, ...]
    note: str | None


@dataclass(frozen=True)
class Vocabulary:
    """All terms, with look-up by id or alias and the closure of implications."""

    version: str
    terms: tuple[Term, ...]

    def ids(self, section: Section) -> tuple[str, ...]:
        """Canonical ids of one section, in file order.

        >>> load_vocabulary().ids("medications")[:3]
        ('psychotropic', 'antidepressant', 'maoi')
        """
        return tuple(t.id for t in self.terms if t.section == section)

    def term(self, term_id: str) -> Term:
        """The term with this canonical id (``KeyError`` if there is none)."""
        for term in self.terms:
            if term.id == term_id:
                return term
        raise KeyError(term_id)

    def lookup(self, text: str) -> Term | None:
        """The term ``text`` names (id or alias, case and separators ignored), or ``None``.

        >>> load_vocabulary().lookup("Celiac").id
        'coeliac'
        """
        key = normalise_term(text)
        for term in self.terms:
            if key == term.id or key in term.aliases:
                return term
        return None

    def closure(self, ids: Iterable[str]) -> frozenset[str]:
        """The ids together with every term they imply, transitively.

        >>> sorted(load_vocabulary().closure(["maoi"]))
        ['antidepressant', 'maoi', 'psychotropic']
        """
        out: set[str] = set()
        todo = list(ids)
        while todo:
            term_id = todo.pop()
            if term_id not in out:
                out.add(term_id)
                todo.extend(self.term(term_id).implies)
        return frozenset(out)


def _bad(problem: str, found: str) -> KnowledgeBaseError:
    return KnowledgeBaseError(
        problem,
        where="gutbrain:vocabulary/constraints.json",
        found=found,
        fix="correct the vocabulary file",
    )


@cache
def load_vocabulary() -> Vocabulary:
    """The packaged vocabulary, checked: ids and aliases unique across sections and
    well-formed, every implied term known.

    >>> load_vocabulary().term("vegan").implies
    ('vegetarian', 'dairy_free')
    """
    node = resources.files("gutbrain.knowledge") / "data" / "vocabulary" / "constraints.json"
    data = json.loads(node.read_text(encoding="utf-8"))
    if sorted(data["sections"]) != sorted(SECTIONS):
        raise _bad("sections must be " + ", ".join(SECTIONS), ", ".join(data["sections"]))
    terms = []
    for section in SECTIONS:
        for raw in data["sections"][section]:
            terms.append(
                Term(
                    raw["id"],
                    section,
                    raw["label"],
                    tuple(raw["aliases"]),
                    tuple(raw["implies"]),
                    raw.get("note"),
                )
            )
    names = [t.id for t in terms] + [a for t in terms for a in t.aliases]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise _bad("duplicate id or alias", ", ".join(duplicates))
    malformed = [n for n in names if not _ID.match(n) or normalise_term(n) != n]
    if malformed:
        raise _bad("malformed id or alias", ", ".join(malformed))
    ids = {t.id for t in terms}
    unknown = sorted({i for t in terms for i in t.implies} - ids)
    if unknown:
        raise _bad("implies an unknown term", ", ".join(unknown))
    return Vocabulary(str(data["version"]), tuple(terms))
