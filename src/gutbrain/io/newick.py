"""Read a rooted tree in Newick format.

The parser is iterative (a stack of open nodes), so trees of any depth are read
without Python's recursion limit. It accepts quoted labels (``'a b'``, with ``''``
for a quote), comments in square brackets (skipped), missing branch lengths
(stored as 0.0 and recorded in :attr:`gutbrain.core.tree.Tree.has_length`) and
gzip-compressed files (recognised by their magic bytes). Unquoted labels are
kept as written: underscores are *not* turned into spaces, so that feature ids
such as ``New_OTU_1`` match the table.

Errors are :class:`~gutbrain.errors.InputFormatError` with line and column.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from gutbrain.core.tree import Tree
from gutbrain.errors import InputError, InputFormatError

__all__ = ["parse_newick", "read_newick"]

_DELIMITERS = frozenset("(),:;[]'")
_WHITESPACE = frozenset(" \t\r\n")

# Phases of the node currently being described.
_START = 0  # just created: may open '(' or take a label
_CLOSED = 1  # its ')' was read: may take a label
_LABELLED = 2  # label read: may take ':' length
_DONE = 3  # length read: only a delimiter may follow


def _where(source: str, text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"{source}, line {line}, column {col}"


def parse_newick(text: str, *, source: str = "<newick>") -> Tree:
    """Parse one Newick tree from ``text``.

    Parameters
    ----------
    text:
        The Newick string, ending with ``;``.
    source:
        Name used in error messages (usually the file name).

    Returns
    -------
    Tree
        Nodes in postorder.

    Raises
    ------
    InputFormatError
        Empty text, unbalanced parentheses, missing ``;``, a bad branch length,
        unexpected characters, text after ``;``, duplicate tip names.

    Examples
    --------
    >>> t = parse_newick("((a:1,b:2)x:0.5,'c d':3)root;")
    >>> t.names
    ('a', 'b', 'x', 'c d', 'root')
    >>> t.length.tolist()
    [1.0, 2.0, 0.5, 3.0, 0.0]
    """
    n = len(text)
    parents: list[int] = []
    names: list[str | None] = []
    lengths: list[float | None] = []
    stack: list[int] = []
    open_pos: list[int] = []

    def err(problem: str, pos: int, found: str, expected: str) -> InputFormatError:
        return InputFormatError(
            problem,
            where=_where(source, text, pos),
            found=found,
            expected=expected,
            fix="correct the Newick file (check it was not truncated)",
        )

    def new_node(parent: int) -> int:
        parents.append(parent)
        names.append(None)
        lengths.append(None)
        return len(parents) - 1

    i = 0
    # Skip leading whitespace and comments to detect an empty file.
    cur = -1
    phase = _START
    finished = False
    while i < n:
        c = text[i]
        if c in _WHITESPACE:
            i += 1
            continue
        if c == "[":
            end = text.find("]", i + 1)
            if end < 0:
                raise err("unclosed comment", i, "'[' without ']'", "a comment like [text]")
            i = end + 1
            continue
        if finished:
            raise err(
                "text after the final ';'",
                i,
                InputFormatError.quote(text[i : i + 20]),
                "one tree ending with ';'",
            )
        if cur < 0:
            cur = new_node(-1)
        if c == "(":
            if phase != _START:
                raise err("unexpected '('", i, "'('", "',' or ')' or ';' before a new subtree")
            stack.append(cur)
            open_pos.append(i)
            cur = new_node(cur)
            i += 1
        elif c == ",":
            if not stack:
                raise err("',' outside parentheses", i, "','", "';' to end the tree")
            cur = new_node(stack[-1])
            phase = _START
            i += 1
        elif c == ")":
            if not stack:
                raise err(
                    "unbalanced parentheses", i, "')' without matching '('", "as many '(' as ')'"
                )
            cur = stack.pop()
            open_pos.pop()
            phase = _CLOSED
            i += 1
        elif c == ";":
            if stack:
                raise err(
                    "unbalanced parentheses",
                    open_pos[-1],
                    f"{len(stack)} '(' not closed before ';'",
                    "as many ')' as '('",
                )
            finished = True
            i += 1
        elif c == ":":
            if phase == _DONE:
                raise err("second branch length", i, "':'", "',' or ')' or ';'")
            j = i + 1
            while j < n and text[j] not in _DELIMITERS and text[j] not in _WHITESPACE:
                j += 1
            token = text[i + 1 : j]
            try:
                lengths[cur] = float(token)
            except ValueError:
                raise err(
                    "branch length is not a number",
                    i + 1,
                    InputFormatError.quote(token),
                    "a number after ':'",
                ) from None
            phase = _DONE
            i = j
        elif c == "]":
            raise err("unexpected ']'", i, "']'", "a comment like [text]")
        else:
            if phase in (_LABELLED, _DONE):
                raise err(
                    "unexpected text",
                    i,
                    InputFormatError.quote(text[i : i + 20]),
                    "',' or ')' or ':' or ';' after a label",
                )
            if c == "'":
                parts: list[str] = []
                j = i + 1
                while True:
                    k = text.find("'", j)
                    if k < 0:
                        raise err(
                            "unclosed quoted label",
                            i,
                            '"\'" without closing quote',
                            "a label like 'name'",
                        )
                    parts.append(text[j:k])
                    if k + 1 < n and text[k + 1] == "'":
                        parts.append("'")
                        j = k + 2
                        continue
                    j = k + 1
                    break
                names[cur] = "".join(parts)
            else:
                j = i
                while j < n and text[j] not in _DELIMITERS and text[j] not in _WHITESPACE:
                    j += 1
                names[cur] = text[i:j]
            phase = _LABELLED
            i = j
    if cur < 0:
        raise InputFormatError(
            "empty Newick file",
            where=source,
            found="no tree",
            expected="a tree like ((a:1,b:2):1,c:3);",
        )
    if not finished:
        if stack:
            raise err(
                "unbalanced parentheses",
                open_pos[-1],
                f"{len(stack)} '(' not closed",
                "as many ')' as '('",
            )
        raise err("missing ';' at the end of the tree", n, "end of text", "';'")
    try:
        return Tree.from_parents(parents, names, lengths, where=source)
    except InputError as exc:
        raise InputFormatError(
            exc.problem, where=exc.where, found=exc.found, expected=exc.expected, fix=exc.fix
        ) from None


def read_newick(path: str | Path) -> Tree:
    """Read a Newick file (plain or gzip-compressed) into a :class:`Tree`.

    Raises
    ------
    InputFormatError
        The file cannot be decoded as UTF-8 text or is not valid Newick (see
        :func:`parse_newick`).
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputFormatError(
                "corrupt gzip file",
                where=str(path),
                found=str(exc),
                expected="a complete gzip stream",
                fix="re-download or re-compress the file",
            ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFormatError(
            "not UTF-8 text",
            where=f"{path}, byte {exc.start}",
            found=repr(raw[exc.start : exc.start + 4]),
            expected="a Newick text file",
            fix="check that the file is a Newick tree",
        ) from None
    return parse_newick(text, source=str(path))
