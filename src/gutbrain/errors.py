"""One exception hierarchy for gutbrain.

Every error a user can provoke is a :class:`GutBrainError`. Its message says
*where* (file, line, column), what was *found*, what was *expected* and how to
*fix* it, so that the command line can print it as one line and exit with
code 2, and the web app can show it without a stack trace.

::

    GutBrainError
    ├── InputError                 a file the user gave cannot be used
    │   ├── InputFormatError       unreadable / unrecognised / malformed table
    │   └── ModuleDefinitionError  malformed module-definition file
    ├── OptionError                an option value or combination is invalid
    └── KnowledgeBaseError         packaged knowledge data is inconsistent (a bug)
"""

from __future__ import annotations

__all__ = [
    "GutBrainError",
    "InputError",
    "InputFormatError",
    "KnowledgeBaseError",
    "ModuleDefinitionError",
    "OptionError",
]


def _shorten(value: str, limit: int = 60) -> str:
    """Return ``value`` made printable on one line and cut to ``limit`` characters."""
    text = value.encode("unicode_escape", "backslashreplace").decode("ascii")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


class GutBrainError(Exception):
    """Base class of every error gutbrain raises on purpose.

    Parameters
    ----------
    problem:
        What is wrong, as a short clause ("non-numeric value").
    where:
        File and position, e.g. ``"matrix.tsv, line 3, column 2"``.
    found:
        The offending value or situation, shown quoted when it is a cell.
    expected:
        What would have been accepted.
    fix:
        What the user can do about it.

    Examples
    --------
    >>> err = InputFormatError("non-numeric value", where="a.tsv, line 3, column 2 (S1)",
    ...                        found="'abc'", expected="a number", fix="correct the cell")
    >>> for part in str(err).split("; "):
    ...     print(part)
    a.tsv, line 3, column 2 (S1): non-numeric value
    found 'abc'
    expected a number
    fix: correct the cell
    """

    def __init__(
        self,
        problem: str,
        *,
        where: str | None = None,
        found: str | None = None,
        expected: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.where = where
        self.found = found
        self.expected = expected
        self.fix = fix
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [f"{self.where}: {self.problem}" if self.where else self.problem]
        if self.found is not None:
            parts.append(f"found {self.found}")
        if self.expected is not None:
            parts.append(f"expected {self.expected}")
        if self.fix is not None:
            parts.append(f"fix: {self.fix}")
        return "; ".join(parts)

    @staticmethod
    def quote(value: str) -> str:
        """Quote a found value for a message, escaped and shortened.

        >>> GutBrainError.quote("a\\tb")
        "'a\\\\tb'"
        """
        return "'" + _shorten(value) + "'"


class InputError(GutBrainError):
    """A file given by the user cannot be used as it is."""


class InputFormatError(InputError):
    """A table is unreadable, of an unrecognised format, or malformed."""


class ModuleDefinitionError(InputError):
    """A module-definition file does not follow the Omixer-RPM module format."""


class OptionError(GutBrainError):
    """An option value, or a combination of options, is invalid."""


class KnowledgeBaseError(GutBrainError):
    """The packaged knowledge data is inconsistent. This is a gutbrain bug."""
