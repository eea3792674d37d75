"""Settings from environment variables: data folder, secret key, database URL.

Only the standard library is used here, so the settings modules stay small and the parsing
rules can be tested (and doctested) without Django.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from gutbrain.errors import OptionError

__all__ = [
    "ConfigError",
    "data_dir",
    "env_bool",
    "env_int",
    "env_list",
    "parse_database_url",
    "secret_key",
    "sqlite_database",
    "switch_interval",
]

#: Name of the data folder created in the current directory when none is configured.
DEFAULT_DATA_DIR = "gutbrain-data"
#: Name of the file in the data folder holding the generated secret key.
SECRET_KEY_FILE = "secret_key"


class ConfigError(OptionError):
    """A setting from the environment cannot be used; the message says which and how to fix it."""


def env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    """Read a yes/no variable.

    >>> env_bool({"X": "yes"}, "X", False), env_bool({}, "X", True), env_bool({"X": "0"}, "X", True)
    (True, True, False)
    """
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r}: expected 1/0, true/false, yes/no or on/off")


def env_int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    """Read a whole number of at least ``minimum``.

    >>> env_int({"N": "45"}, "N", 30), env_int({}, "N", 30)
    (45, 30)
    """
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}={value}: expected at least {minimum}")
    return value


def env_list(env: Mapping[str, str], name: str) -> list[str]:
    """Read a comma-separated list, dropping blanks.

    >>> env_list({"H": "a.example, b.example,,"}, "H")
    ['a.example', 'b.example']
    """
    return [part.strip() for part in env.get(name, "").split(",") if part.strip()]


def data_dir(env: Mapping[str, str], cwd: Path | None = None) -> Path:
    """The data folder (``GUTBRAIN_DATA_DIR``, else ``./gutbrain-data``), created mode 0700."""
    raw = env.get("GUTBRAIN_DATA_DIR", "").strip()
    path = Path(raw).expanduser() if raw else (cwd or Path.cwd()) / DEFAULT_DATA_DIR
    path = path.resolve()
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the data folder {path}: {exc.strerror}; set GUTBRAIN_DATA_DIR "
            "(or --data-dir) to a writable folder"
        ) from None
    if not path.is_dir():
        raise ConfigError(f"data folder {path} is not a folder; set GUTBRAIN_DATA_DIR")
    return path


def secret_key(env: Mapping[str, str], folder: Path) -> str:
    """``GUTBRAIN_SECRET_KEY``, else the key stored in ``folder/secret_key`` (made once, 0600).

    Creation is atomic (``O_EXCL``), so server processes starting together agree on one key.
    A key file readable by group or others is refused.
    """
    given = env.get("GUTBRAIN_SECRET_KEY", "").strip()
    if given:
        return given
    path = folder / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ConfigError(
                f"{path} is readable by others (mode {mode:o}); fix: chmod 600 {path}"
            ) from None
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 50:
            raise ConfigError(
                f"{path} holds no usable key; delete it to have a new one made"
            ) from None
        return key
    key = secrets.token_urlsafe(64)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key


def sqlite_database(path: Path) -> dict[str, Any]:
    """The embedded database: SQLite in WAL mode, busy timeout, IMMEDIATE transactions, and
    persistent connections (checked before reuse): closing the last connection of a WAL database
    checkpoints and removes the WAL, which cost ≈ 8 ms per request when each request closed it.

    >>> db = sqlite_database(Path("/data/gutbrain.sqlite3"))
    >>> db["ENGINE"], db["OPTIONS"]["transaction_mode"], db["CONN_MAX_AGE"]
    ('django.db.backends.sqlite3', 'IMMEDIATE', 600)
    """
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 5,
        },
    }


def parse_database_url(url: str, data: Path) -> dict[str, Any]:
    """A Django ``DATABASES`` entry from ``DATABASE_URL``.

    ``postgres://`` / ``postgresql://`` URLs give PostgreSQL (persistent connections with health
    checks; query parameters such as ``sslmode`` become connection options); ``sqlite:///PATH``
    gives SQLite at PATH (relative paths are inside the data folder).

    PostgreSQL connections bind parameters on the server and prepare a statement after
    :data:`PREPARE_THRESHOLD` runs on a connection (psycopg's own default; Django turns it off):
    the server then skips parsing and planning the pages' repeated queries, which took the
    dashboard from 114 to 146 requests/s under load (BENCHMARKS.md). Behind a pooler in
    transaction mode that cannot keep prepared statements (PgBouncer before 1.21, or without
    ``max_prepared_statements``), add ``?prepare_threshold=none`` to the URL;
    ``?server_side_binding=false`` restores client-side binding as well.

    >>> db = parse_database_url("postgres://gb:p%40ss@db.internal:5433/practice?sslmode=require",
    ...                         Path("/data"))
    >>> db["ENGINE"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]
    ('django.db.backends.postgresql', 'gb', 'p@ss', 'db.internal', '5433', 'practice')
    >>> db["OPTIONS"], db["CONN_MAX_AGE"]
    ({'sslmode': 'require', 'server_side_binding': True, 'prepare_threshold': 5}, 60)
    >>> parse_database_url("postgres://h/db?prepare_threshold=none", Path("/d"))["OPTIONS"]
    {'server_side_binding': True, 'prepare_threshold': None}
    >>> parse_database_url("postgres://h/db?server_side_binding=false", Path("/d"))["OPTIONS"]
    {'server_side_binding': False, 'prepare_threshold': None}
    >>> parse_database_url("sqlite:///practice.sqlite3", Path("/data"))["NAME"]
    '/data/practice.sqlite3'
    >>> parse_database_url("sqlite:////srv/gb.sqlite3", Path("/data"))["NAME"]
    '/srv/gb.sqlite3'
    >>> parse_database_url("mysql://x@y/z", Path("/data"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gutbrain.web.config.ConfigError: DATABASE_URL scheme 'mysql' is not supported; ...
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        raw = unquote(parts.path)
        if not raw.strip("/"):
            raise ConfigError(
                "DATABASE_URL sqlite:/// needs a file name, e.g. sqlite:///db.sqlite3"
            )
        path = Path(raw[1:]) if raw.startswith("//") else data / raw.lstrip("/")
        return sqlite_database(path)
    if scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ConfigError(
            f"DATABASE_URL scheme {scheme!r} is not supported; expected "
            "postgres://USER:PASSWORD@HOST:PORT/NAME or sqlite:///PATH"
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ConfigError("DATABASE_URL names no database; expected postgres://…/NAME")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError("DATABASE_URL has an invalid port") from None
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": unquote(parts.hostname or ""),
        "PORT": str(port) if port else "",
        "OPTIONS": _postgres_options(dict(parse_qsl(parts.query))),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


#: psycopg prepares a statement after this many runs on one connection (its own default)
PREPARE_THRESHOLD = 5


def _postgres_options(query: dict[str, str]) -> dict[str, Any]:
    """Connection options from the URL's query, with the typed ``server_side_binding`` and
    ``prepare_threshold`` (client-side binding never prepares)."""
    options: dict[str, Any] = {
        k: v for k, v in query.items() if k not in {"server_side_binding", "prepare_threshold"}
    }
    try:
        options["server_side_binding"] = env_bool(query, "server_side_binding", True)
    except ConfigError:
        raise ConfigError(
            f"DATABASE_URL server_side_binding={query['server_side_binding']!r} is not a yes/no "
            "value; expected true or false"
        ) from None
    threshold = query.get("prepare_threshold", str(PREPARE_THRESHOLD)).strip().lower()
    if not options["server_side_binding"] or threshold in {"none", "off", ""}:
        options["prepare_threshold"] = None
    elif threshold.isdigit():
        options["prepare_threshold"] = int(threshold)
    else:
        raise ConfigError(
            f"DATABASE_URL prepare_threshold={threshold!r} is not a number; expected a count "
            "of runs such as 5, or none to never prepare"
        )
    return options


#: the interpreter's thread switch interval in the server processes, milliseconds
SWITCH_MS = 50.0


def switch_interval(environ: Mapping[str, str]) -> float:
    """Seconds between thread switches, from ``GUTBRAIN_WEB_SWITCH_MS`` (default 50 ms).

    >>> switch_interval({}), switch_interval({"GUTBRAIN_WEB_SWITCH_MS": "5"})
    (0.05, 0.005)
    >>> switch_interval({"GUTBRAIN_WEB_SWITCH_MS": "0"})
    Traceback (most recent call last):
    ...
    gutbrain.web.config.ConfigError: GUTBRAIN_WEB_SWITCH_MS must be a number of milliseconds \
from 0.1 to 1000; found '0'
    """
    raw = environ.get("GUTBRAIN_WEB_SWITCH_MS", "").strip() or str(SWITCH_MS)
    try:
        ms = float(raw)
    except ValueError:
        ms = -1.0
    if not 0.1 <= ms <= 1000:
        raise ConfigError(
            f"GUTBRAIN_WEB_SWITCH_MS must be a number of milliseconds from 0.1 to 1000; "
            f"found {raw!r}"
        )
    return ms / 1000
