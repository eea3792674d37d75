"""Reading a questionnaire answers file (YAML) with the position of every key and value.

Only ``yaml.safe_load`` builds Python objects (no arbitrary tags). The same text is also
composed into YAML nodes to record, for every key path (``("answers", "phq9", 3)``), the line
and column where it is written, so that :mod:`gutbrain.assess.answers` can say "answers.yaml,
line 7, column 18" when a value is wrong. Duplicate keys, which YAML loaders silently
collapse, are refused here.

Anything that is not a readable, UTF-8, single-document YAML file of at most 1 MiB raises one
:class:`~gutbrain.errors.InputError` (or :class:`~gutbrain.errors.InputFormatError`) naming
the file and, where known, the line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

from gutbrain.errors import InputError, InputFormatError
from gutbrain.io.textfile import display_name, location

__all__ = ["MAX_ANSWER_BYTES", "AnswerDocument", "parse_answer_bytes", "read_answer_document"]

#: answers files are small; anything larger is refused before parsing
MAX_ANSWER_BYTES = 1 << 20
_EXPECTED = "a UTF-8 YAML answers file (see docs/assessments.md)"
_KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class AnswerDocument:
    """A parsed answers file: the data and where each key path is written."""

    source: str
    data: object
    positions: Mapping[_KeyPath, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: _KeyPath) -> str | None:
        """``"file, line L, column C"`` of a key path, or ``None`` when unknown.

        >>> doc = parse_answer_bytes(b"date: 2026-11-20\\nanswers:\\n  phq9: [1, 2]\\n", "a.yaml")
        >>> doc.locate(("answers", "phq9", 1))
        'a.yaml, line 3, column 13'
        """
        position = self.positions.get(path)
        if position is None:
            return None
        return location(self.source, *position)


def _yaml_error(exc: yaml.YAMLError, source: str) -> InputFormatError:
    mark = getattr(exc, "problem_mark", None)
    where = location(source, mark.line + 1, mark.column + 1) if mark is not None else source
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    found = f"{context}: {problem}" if context else str(problem)
    fix = "correct the YAML at that line"
    if "\\t" in str(problem) or "tab" in str(problem):
        fix = "indent with spaces: YAML does not allow tab characters for indentation"
    return InputFormatError("not valid YAML", where=where, found=found, expected=_EXPECTED, fix=fix)


def _positions(text: str, source: str) -> dict[_KeyPath, tuple[int, int]]:
    """Line and column (1-based) of every key path; refuses duplicate keys."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    out: dict[_KeyPath, tuple[int, int]] = {}
    if root is None:
        return out
    seen: set[int] = set()
    stack: list[tuple[_KeyPath, yaml.Node]] = [((), root)]
    while stack:
        path, node = stack.pop()
        if id(node) in seen:  # an alias: already walked
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                    continue
                key = str(key_node.value)
                if key in keys:
                    mark = key_node.start_mark
                    raise InputFormatError(
                        f"duplicate key {key!r}",
                        where=location(source, mark.line + 1, mark.column + 1),
                        found=f"{key!r} a second time",
                        expected="each key once",
                        fix="remove or merge the repeated key",
                    )
                keys.add(key)
                mark = (
                    value_node if isinstance(value_node, yaml.ScalarNode) else key_node
                ).start_mark
                out[(*path, key)] = (mark.line + 1, mark.column + 1)
                stack.append(((*path, key), value_node))
        elif isinstance(node, yaml.SequenceNode):
            for index, value_node in enumerate(node.value):
                mark = value_node.start_mark
                out[(*path, index)] = (mark.line + 1, mark.column + 1)
                stack.append(((*path, index), value_node))
    return out


def parse_answer_bytes(data: bytes, source: str) -> AnswerDocument:
    """Parse the bytes of an answers file named ``source``.

    Raises
    ------
    InputFormatError
        Too large, not UTF-8, empty, not valid YAML, several documents, a value YAML cannot
        build (such as the date 2026-02-30), nesting too deep, or a duplicate key.
    """
    if len(data) > MAX_ANSWER_BYTES:
        raise InputFormatError(
            "file too large for an answers file",
            where=source,
            found=f"{len(data)} bytes",
            expected=f"at most {MAX_ANSWER_BYTES} bytes",
            fix="check that you gave the answers file",
        )
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputFormatError(
            "text is not UTF-8",
            where=location(source, line),
            found=f"byte 0x{data[exc.start]:02x} at byte offset {exc.start}",
            expected=_EXPECTED,
            fix="save the file with UTF-8 encoding",
        ) from None
    if not text.strip():
        raise InputFormatError(
            "empty answers file",
            where=source,
            found="no text",
            expected=_EXPECTED,
            fix="write the answers (see the example: gutbrain examples --path answers)",
        )
    try:
        value = yaml.safe_load(text)
        positions = _positions(text, source)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None
    except RecursionError:
        raise InputFormatError(
            "YAML nested too deeply",
            where=source,
            found="deeply nested lists or mappings",
            expected=_EXPECTED,
            fix="check the file",
        ) from None
    except (ValueError, TypeError, AttributeError, OverflowError, IndexError, KeyError) as exc:
        # values the YAML constructors cannot build, e.g. "2026-02-30" or "!!int abc"
        raise InputFormatError(
            "a value in the YAML cannot be read",
            where=source,
            found=str(exc)[:80] or repr(exc),
            expected=_EXPECTED,
            fix="quote the value, or correct it (dates as YYYY-MM-DD)",
        ) from None
    if value is None:
        raise InputFormatError(
            "empty answers file",
            where=source,
            found="only comments or an empty document",
            expected=_EXPECTED,
            fix="write the answers (see the example: gutbrain examples --path answers)",
        )
    return AnswerDocument(source, value, positions)


def read_answer_document(path: str | os.PathLike[str]) -> AnswerDocument:
    """Read and parse an answers file.

    Raises
    ------
    InputError
        The file cannot be opened or read.
    InputFormatError
        See :func:`parse_answer_bytes`.
    """
    name = display_name(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_ANSWER_BYTES + 1)
    except FileNotFoundError:
        problem, fix = "file not found", "check the path"
    except IsADirectoryError:
        problem, fix = "is a directory, not a file", "give the path of the answers file"
    except PermissionError:
        problem, fix = "permission denied", "make the file readable"
    except OSError as exc:
        problem, fix = f"cannot read the file ({exc.strerror or 'I/O error'})", "check the file"
    else:
        return parse_answer_bytes(data, name)
    raise InputError(problem, where=name, expected="a readable answers file", fix=fix)
