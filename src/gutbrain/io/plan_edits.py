"""Reading a practitioner's plan edits from YAML.

::

    edits:
      - op: move                # add | remove | move | update
        item: stress-practice   # the item id (not for add)
        position: 1             # 1-based (move; optional for add)
        author: Dr Sam Lee
        time: 2026-11-21T09:30  # ISO 8601 date or date and time
        reason: Stress is what the client wants to work on first
      - op: add
        author: Dr Sam Lee
        time: 2026-11-21T09:35
        reason: Client enjoys cooking
        fields: {title: Cook at home twice a week, what: Try one new bean recipe a week.}

Only the file's structure is checked here (each edit a mapping with the known
keys and types, with its line number); what an edit may do is checked by
:func:`gutbrain.plan.apply_edits`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from gutbrain.errors import InputError, InputFormatError
from gutbrain.io.textfile import decode_text, display_name, read_bytes

__all__ = ["EDIT_KEYS", "RawEdit", "read_edits"]

EDIT_KEYS = ("op", "item", "position", "author", "time", "reason", "fields")
_REQUIRED = ("op", "author", "time", "reason")


@dataclass(frozen=True)
class RawEdit:
    """One edit as written, with the line it starts on."""

    line: int
    op: str
    author: str
    time: str
    reason: str
    item: str | None
    position: int | None
    fields: Mapping[str, Any]


def _text(value: Any) -> Any:
    """YAML reads ``2026-11-21`` as a date: keep it as the ISO text it was."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _fail(name: str, line: int, problem: str, found: str, expected: str, fix: str) -> Exception:
    return InputFormatError(
        problem, where=f"{name}, line {line}", found=found, expected=expected, fix=fix
    )


def read_edits(path: str | os.PathLike[str]) -> tuple[RawEdit, ...]:
    """Read and structurally check an edits file.

    Raises
    ------
    InputFormatError
        Naming the file and line: not YAML, no ``edits`` list, an edit that is
        not a mapping, an unknown key, a missing key or a value of the wrong type.
    """
    name = display_name(path)
    text = decode_text(read_bytes(path), name)
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise _fail(
            name,
            line,
            "not valid YAML",
            str(getattr(exc, "problem", exc))[:60],
            "a YAML document with an 'edits' list",
            "check indentation and quoting",
        ) from None
    if root is None or not isinstance(data, dict) or not isinstance(data.get("edits"), list):
        raise _fail(
            name,
            1,
            "no list of edits",
            type(data).__name__,
            "a mapping with a key 'edits' holding a list",
            "start the file with 'edits:'",
        )
    nodes = next(v for k, v in root.value if k.value == "edits").value
    out = []
    for node, raw in zip(nodes, data["edits"], strict=True):
        line = node.start_mark.line + 1
        if not isinstance(raw, dict):
            raise _fail(
                name, line, "an edit must be a mapping", repr(raw)[:60], "op, author, …", "fix it"
            )
        unknown = sorted(str(k) for k in raw if k not in EDIT_KEYS)
        if unknown:
            raise _fail(
                name,
                line,
                "unknown key in edit",
                ", ".join(unknown),
                "one of " + ", ".join(EDIT_KEYS),
                "remove or rename the key",
            )
        missing = [k for k in _REQUIRED if k not in raw]
        if missing:
            raise _fail(
                name,
                line,
                "edit lacks " + ", ".join(missing),
                ", ".join(sorted(map(str, raw))),
                ", ".join(_REQUIRED) + " in every edit",
                "add the missing keys",
            )
        values = {k: _text(v) for k, v in raw.items()}
        for key in ("op", "author", "time", "reason", "item"):
            if key in values and not isinstance(values[key], str):
                raise _fail(
                    name, line, f"{key} must be text", repr(values[key])[:60], "text", f"fix {key}"
                )
        position = values.get("position")
        if position is not None and (not isinstance(position, int) or isinstance(position, bool)):
            raise _fail(
                name, line, "position must be a whole number", repr(position), "1, 2, …", "fix it"
            )
        fields = values.get("fields", {})
        if not isinstance(fields, dict):
            raise _fail(
                name, line, "fields must be a mapping", repr(fields)[:60], "key: value", "fix it"
            )
        out.append(
            RawEdit(
                line=line,
                op=values["op"],
                author=values["author"],
                time=values["time"],
                reason=values["reason"],
                item=values.get("item"),
                position=position,
                fields={str(k): _text(v) for k, v in fields.items()},
            )
        )
    if not out:
        raise InputError(
            "the edits list is empty",
            where=name,
            found="edits: []",
            expected="at least one edit",
            fix="add an edit or leave out --edits",
        )
    return tuple(out)
