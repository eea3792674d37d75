"""Settings shared by every environment; secure by default, everything from the environment.

``production`` adds HTTPS (HSTS, secure cookies, redirect) and hashed static files; ``test``
makes the suite fast. See ``docs/practice-app.md`` for every variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gutbrain.web.config import (
    data_dir,
    env_bool,
    env_int,
    env_list,
    parse_database_url,
    secret_key,
    sqlite_database,
    switch_interval,
)

ENV = os.environ
#: the server processes' thread switch interval, seconds (web/wsgi.py; GUTBRAIN_WEB_SWITCH_MS)
GUTBRAIN_WEB_SWITCH_SECONDS = switch_interval(ENV)
WEB_DIR = Path(__file__).resolve().parents[1]

#: Everything the app writes lives here: database, secret key, static files, mail, demo files.
DATA_DIR = data_dir(ENV)
SECRET_KEY = secret_key(ENV, DATA_DIR)
DEBUG = env_bool(ENV, "GUTBRAIN_DEBUG", False)
ALLOWED_HOSTS = env_list(ENV, "GUTBRAIN_ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = env_list(ENV, "GUTBRAIN_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "gutbrain.web.accounts",
    "gutbrain.web.clients",
    "gutbrain.web.results",
    "gutbrain.web.assessments",
    "gutbrain.web.plans",
    "gutbrain.web.booking",
    "gutbrain.web.audit",
    "gutbrain.web.privacy",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "auditlog",
    "simple_history",
    "csp",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gutbrain.web.middleware.SessionLifetimeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "gutbrain.web.middleware.MFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "gutbrain.web.middleware.SecurityHeadersMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "gutbrain.web.urls"
WSGI_APPLICATION = "gutbrain.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} with a per-process cache of reversed URLs (see the module)
            "builtins": ["gutbrain.web.template_builtins"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# --- database: SQLite (WAL) in the data folder unless DATABASE_URL says otherwise -------------
DATABASES: dict[str, dict[str, Any]] = {
    "default": (
        parse_database_url(ENV["DATABASE_URL"], DATA_DIR)
        if ENV.get("DATABASE_URL", "").strip()
        else sqlite_database(DATA_DIR / "gutbrain.sqlite3")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits (allauth) and TOTP replay protection need one cache shared by all workers.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "gutbrain_cache",
    }
}

# --- accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [  # Django's and allauth's, loading the user's practice with them
    "gutbrain.web.accounts.backends.ModelBackend",
    "gutbrain.web.accounts.backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

ACCOUNT_ADAPTER = "gutbrain.web.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[gutbrain] "
ACCOUNT_PREVENT_ENUMERATION = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = ENV.get("GUTBRAIN_PRACTICE_NAME", "gutbrain")

#: How long an invitation link stays valid.
GUTBRAIN_INVITATION_DAYS = env_int(ENV, "GUTBRAIN_INVITATION_DAYS", 7)
#: How long a questionnaire link stays valid.
GUTBRAIN_QUESTIONNAIRE_DAYS = env_int(ENV, "GUTBRAIN_QUESTIONNAIRE_DAYS", 14)

# --- sessions: server-side, 30 min idle, 12 h absolute (gutbrain.web.middleware) -------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
GUTBRAIN_SESSION_IDLE_SECONDS = 60 * env_int(ENV, "GUTBRAIN_SESSION_IDLE_MINUTES", 30)
GUTBRAIN_SESSION_MAX_SECONDS = 3600 * env_int(ENV, "GUTBRAIN_SESSION_MAX_HOURS", 12)
#: the last-seen time (and so the cookie) is renewed at most this often (middleware)
GUTBRAIN_SESSION_TOUCH_SECONDS = 60
SESSION_COOKIE_AGE = GUTBRAIN_SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- security headers (HTTPS-only ones are in production) --------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SELF, NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- static files (served by whitenoise, collected into the data folder) -----------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [WEB_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- e-mail: SMTP when GUTBRAIN_EMAIL_HOST is set, else files in DATA_DIR/mail -----------------
DEFAULT_FROM_EMAIL = ENV.get("GUTBRAIN_FROM_EMAIL", "gutbrain@localhost")
if ENV.get("GUTBRAIN_EMAIL_HOST", "").strip():
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = ENV["GUTBRAIN_EMAIL_HOST"].strip()
    EMAIL_PORT = env_int(ENV, "GUTBRAIN_EMAIL_PORT", 587)
    EMAIL_HOST_USER = ENV.get("GUTBRAIN_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = ENV.get("GUTBRAIN_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool(ENV, "GUTBRAIN_EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"

# --- background tasks (uploads analysis, reminder sweeps): `gutbrain serve` runs the worker ---
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
#: Largest stool-test upload accepted, in MB (archives: also their unpacked content).
GUTBRAIN_UPLOAD_MAX_MB = env_int(ENV, "GUTBRAIN_UPLOAD_MAX_MB", 50)
#: Limits of one upload analysis (a child process of the worker): time, extra memory.
GUTBRAIN_ANALYSIS_TIMEOUT_SECONDS = env_int(ENV, "GUTBRAIN_ANALYSIS_TIMEOUT_SECONDS", 600)
GUTBRAIN_ANALYSIS_MEMORY_MB = env_int(ENV, "GUTBRAIN_ANALYSIS_MEMORY_MB", 2048)
#: Also render the upload reports as PDF (when WeasyPrint is installed).
GUTBRAIN_REPORT_PDF = env_bool(ENV, "GUTBRAIN_REPORT_PDF", True)
#: Seconds between two reminder sweeps of the task worker.
GUTBRAIN_REMINDER_SWEEP_SECONDS = env_int(ENV, "GUTBRAIN_REMINDER_SWEEP_SECONDS", 60)

# --- audit ---------------------------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False

LANGUAGE_CODE = "en"
TIME_ZONE = ENV.get("GUTBRAIN_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- logging: to stderr; error ids with tracebacks go to gutbrain.web.errors ----------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "gutbrain.web": {"level": "INFO"},
        # our handler500 logs the traceback with the error id; avoid a second copy
        "django.request": {"level": "CRITICAL"},
    },
}
