"""Packaged module databases (GMM, GBM, gutbrain-curated) and their provenance."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

from gutbrain.core.module_types import Module, ModuleDatabase
from gutbrain.errors import KnowledgeBaseError, OptionError
from gutbrain.knowledge.module_format import parse_module_names, parse_modules

__all__ = ["DatabaseKey", "database_keys", "load_database", "load_databases"]

#: Packaged databases, in the order ``--db all`` uses.
DatabaseKey = Literal["gmm", "gbm", "curated"]


def _read_text(*parts: str) -> str:
    node = resources.files("gutbrain.knowledge") / "data"
    for part in parts:
        node = node / part
    return node.read_text(encoding="utf-8")


@cache
def _manifest() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(_read_text("modules", "databases.json"))
    return data


def database_keys() -> tuple[DatabaseKey, ...]:
    """Keys of the packaged databases that are present, in ``--db all`` order.

    >>> database_keys()[:2]
    ('gmm', 'gbm')
    """
    present = _manifest()
    return tuple(k for k in get_args(DatabaseKey) if k in present)


@cache
def load_database(key: str) -> ModuleDatabase:
    """Load one packaged module database by key (``gmm``, ``gbm``, ``curated``).

    Module names come from the ``.names`` file when the database has one.

    >>> db = load_database("gmm")
    >>> db.version, len(db.modules), db.modules[9].name
    ('1.07', 103, 'sucrose degradation I')
    """
    manifest = _manifest()
    if key not in manifest:
        raise OptionError(
            f"unknown module database {key!r}",
            found=repr(key),
            expected="one of " + ", ".join(database_keys()),
            fix="choose a packaged database or give your own with --db-file",
        )
    entry = manifest[key]
    defs = entry["definitions"]
    modules = parse_modules(_read_text("modules", defs), source=f"gutbrain:{defs}")
    names_file = entry.get("names")
    if names_file:
        names = parse_module_names(_read_text("modules", names_file), source=names_file)
        missing = [m.id for m in modules if m.id not in names]
        if missing:
            raise KnowledgeBaseError(
                f"{names_file} lacks names for {len(missing)} modules",
                found=", ".join(missing[:5]),
                expected="a name for every module",
                fix="rebuild the packaged data",
            )
        modules = tuple(Module(m.id, names[m.id], m.steps) for m in modules)
    return ModuleDatabase(
        key=key,
        title=entry["title"],
        version=entry["version"],
        modules=modules,
        citation_keys=tuple(entry.get("citations", ())),
        licence=entry.get("licence", "unknown"),
        source=entry.get("source", ""),
    )


def load_databases(selection: str) -> tuple[ModuleDatabase, ...]:
    """Databases for a ``--db`` choice: one key, or ``all``.

    >>> [db.key for db in load_databases("gbm")]
    ['gbm']
    """
    if selection == "all":
        return tuple(load_database(k) for k in database_keys())
    return (load_database(selection),)
