"""Reading a user's module-definition file (``--db-file``); parsing is in ``knowledge``."""

from __future__ import annotations

import os

from gutbrain.io.textfile import decode_text, display_name, read_bytes

__all__ = ["read_module_file"]


def read_module_file(path: str | os.PathLike[str]) -> str:
    """Text of a module file (gzip, binary and encoding checks as for tables).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.txt"
    >>> _ = p.write_text("M1\\tx\\nK1\\n")
    >>> read_module_file(p)
    'M1\\tx\\nK1\\n'
    """
    return decode_text(read_bytes(path), display_name(path))
