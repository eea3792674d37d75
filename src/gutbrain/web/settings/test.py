"""Settings for the test suite: fast hashing, in-memory cache and mail, a throwaway data folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault(
    "GUTBRAIN_DATA_DIR", str(Path(tempfile.gettempdir()) / f"gutbrain-web-test-{os.getuid()}")
)
os.environ.setdefault("GUTBRAIN_SECRET_KEY", "test-only-" + "x" * 60)

from gutbrain.web.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405  (whitenoise warns about a missing folder)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # a file, as in production (WAL, busy timeout), not Django's in-memory shared-cache
    # database: that one answers concurrent writers with "database table is locked" at once
    # instead of waiting, so the concurrency tests would test SQLite's shared cache instead
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")  # noqa: F405
    }
