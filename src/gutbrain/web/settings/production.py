"""Production: HTTPS behind a TLS-terminating proxy, HSTS, secure cookies, hashed static files.

``GUTBRAIN_HTTPS=0`` switches the HTTPS-only parts off for ``gutbrain serve`` on a loopback
address (plain HTTP on this machine only); ``gutbrain serve`` sets it itself for loopback hosts.
"""

from __future__ import annotations

from gutbrain.web.config import env_bool
from gutbrain.web.settings.base import *  # noqa: F403
from gutbrain.web.settings.base import ENV, STORAGES

DEBUG = False
HTTPS = env_bool(ENV, "GUTBRAIN_HTTPS", True)

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

if HTTPS:
    # gunicorn marks a request secure only when a trusted proxy (--forwarded-allow-ips) says so
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool(ENV, "GUTBRAIN_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
else:
    SESSION_COOKIE_NAME = "gutbrain_session"
    CSRF_COOKIE_NAME = "gutbrain_csrftoken"
