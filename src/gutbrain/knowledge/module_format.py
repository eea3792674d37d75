"""Parser for the Omixer-RPM module-definition format (GMM / GBM files).

The format (docs/module-format.md; MODULE_ALGORITHM §2.1 of the research
notes) is plain text:

* every line is stripped of leading and trailing whitespace (tabs included);
* the first line, and every line after a ``///`` line, is a **header**:
  ``id<TAB>name`` (further TAB fields are ignored);
* ``///`` ends a module; the final ``///`` is optional;
* every other line is a **step**: alternatives separated by TAB (OR), each a
  complex whose subunits are separated by ``,`` (AND). A space is *not* a
  separator.

Decisions where Omixer-RPM 1.1 is lax (each tested):

* a header without a TAB crashes Omixer-RPM; here it is a clear error;
* a blank line inside a module silently becomes an uncoverable step in
  Omixer-RPM; here it is an error;
* duplicate module ids are not checked by Omixer-RPM; here they are an error;
* a module with no step is an error (Omixer-RPM would divide 0 by 0);
* an empty subunit (``K1,,K2``) is an error: Omixer-RPM would count it as a
  subunit that never matches, silently halving the complex's value;
* an empty alternative (two TABs in a row) never matches in Omixer-RPM and so
  has no effect; it is dropped here, with identical results;
* blank lines after the last module are ignored, as is a UTF-8 byte-order mark.
"""

from __future__ import annotations

from gutbrain.core.module_types import Module
from gutbrain.errors import ModuleDefinitionError

__all__ = ["format_modules", "parse_module_names", "parse_modules"]

_END = "///"


def parse_modules(text: str, source: str = "<modules>") -> tuple[Module, ...]:
    """Parse module definitions.

    Parameters
    ----------
    text:
        File content.
    source:
        File name, used in error messages.

    Returns
    -------
    tuple of Module
        In file order.

    Raises
    ------
    ModuleDefinitionError
        On any malformed line, with its line number.

    Examples
    --------
    >>> mods = parse_modules("MX01\\ttoy module\\nKA\\tKB\\nKC,KD\\tKE\\nKF\\n///\\n")
    >>> mods[0].steps
    ((('KA',), ('KB',)), (('KC', 'KD'), ('KE',)), (('KF',),))
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ModuleDefinitionError(
            "empty module file",
            where=source,
            found="no modules",
            expected="at least one module: a header line 'ID<TAB>name' followed by steps",
            fix="check that the right file was given",
        )
    modules: list[Module] = []
    seen: dict[str, int] = {}
    header: tuple[str, str, int] | None = None
    steps: list[tuple[tuple[str, ...], ...]] = []

    def close(lineno: int) -> None:
        assert header is not None
        mid, name, hline = header
        if not steps:
            raise ModuleDefinitionError(
                f"module {mid} has no step",
                where=f"{source}, line {hline}",
                found=f"'///' or end of file right after the header (line {lineno})",
                expected="at least one step line after the header",
                fix="add the module's steps or remove the empty module",
            )
        modules.append(Module(mid, name, tuple(steps)))

    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if header is None:
            if "\t" not in line:
                raise ModuleDefinitionError(
                    "module header without a TAB",
                    where=f"{source}, line {lineno}",
                    found=ModuleDefinitionError.quote(raw),
                    expected="'ID<TAB>name' (the first line and every line after '///')",
                    fix="separate the module id from its name with a TAB character; "
                    "check for a blank line after '///'",
                )
            mid, name = line.split("\t")[:2]
            mid, name = mid.strip(), name.strip()
            if not mid:
                raise ModuleDefinitionError(
                    "module header with an empty id",
                    where=f"{source}, line {lineno}",
                    found=ModuleDefinitionError.quote(raw),
                    expected="'ID<TAB>name'",
                    fix="give the module an id",
                )
            if mid in seen:
                raise ModuleDefinitionError(
                    f"duplicate module id {mid}",
                    where=f"{source}, line {lineno}",
                    found=f"{mid} again (first defined on line {seen[mid]})",
                    expected="each module id once",
                    fix="rename or remove one of the two modules",
                )
            seen[mid] = lineno
            header = (mid, name, lineno)
            steps = []
            continue
        if line == _END:
            close(lineno)
            header = None
            continue
        if not line:
            raise ModuleDefinitionError(
                f"blank step line in module {header[0]}",
                where=f"{source}, line {lineno}",
                found="an empty line",
                expected="a step: alternatives separated by TAB, subunits by ','",
                fix="delete the blank line (Omixer-RPM would count it as a step "
                "that can never be covered)",
            )
        alternatives: list[tuple[str, ...]] = []
        for alt in line.split("\t"):
            if not alt.strip():
                continue  # Omixer-RPM: an empty alternative never matches.
            subunits = tuple(s.strip() for s in alt.split(","))
            if any(not s for s in subunits):
                raise ModuleDefinitionError(
                    f"empty subunit in a complex of module {header[0]}",
                    where=f"{source}, line {lineno}",
                    found=ModuleDefinitionError.quote(alt),
                    expected="subunit ids joined by single commas, e.g. 'K00001,K00002'",
                    fix="remove the stray comma",
                )
            alternatives.append(subunits)
        steps.append(tuple(alternatives))
    if header is not None:
        close(len(lines) + 1)
    return tuple(modules)


def parse_module_names(text: str, source: str = "<names>") -> dict[str, str]:
    """Parse a ``.names`` file: ``id<TAB>name`` per line.

    >>> parse_module_names("MF0001\\tarabinoxylan degradation\\n")
    {'MF0001': 'arabinoxylan degradation'}
    """
    names: dict[str, str] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if "\t" not in line:
            raise ModuleDefinitionError(
                "names line without a TAB",
                where=f"{source}, line {lineno}",
                found=ModuleDefinitionError.quote(raw),
                expected="'ID<TAB>name'",
                fix="separate id and name with a TAB",
            )
        mid, name = line.split("\t")[:2]
        names[mid.strip()] = name.strip()
    return names


def format_modules(modules: tuple[Module, ...]) -> str:
    """Write modules back in the same format (inverse of :func:`parse_modules`).

    >>> text = "M1\\tx\\nK1\\tK2,K3\\n///\\n"
    >>> format_modules(parse_modules(text)) == text
    True
    """
    out: list[str] = []
    for m in modules:
        out.append(f"{m.id}\t{m.name}")
        out.extend("\t".join(",".join(alt) for alt in step) for step in m.steps)
        out.append(_END)
    return "\n".join(out) + "\n"
