"""Middleware: session lifetime, MFA for staff, and security headers django does not set."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse

__all__ = [
    "SESSION_AUTH_AT",
    "SESSION_MFA_OK",
    "SESSION_SEEN_AT",
    "MFARequiredMiddleware",
    "SecurityHeadersMiddleware",
    "SessionLifetimeMiddleware",
]

#: Session keys: when the user signed in, and when they were last seen (Unix seconds).
SESSION_AUTH_AT = "gutbrain_auth_at"
SESSION_SEEN_AT = "gutbrain_seen_at"
#: the user id whose TOTP device this session has seen (saves a query on every page)
SESSION_MFA_OK = "gutbrain_mfa_ok"

#: Views a staff user without a second factor may still reach: setting one up, and leaving.
MFA_SETUP_VIEWS = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_generate_recovery_codes",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "account_logout",
        "account_login",
        "healthz",
    }
)

Handler = Callable[[HttpRequest], HttpResponseBase]


class SessionLifetimeMiddleware:
    """Sign out after 30 min without a request, or 12 h after signing in (settings).

    The last-seen time is written at most once a minute (``GUTBRAIN_SESSION_TOUCH_SECONDS``),
    not on every request: a session write is a database commit, and on every page it cost more
    than the page's queries. Writing it also renews the cookie (``SESSION_COOKIE_AGE`` is the
    idle limit), so an idle session ends 30 min after the last touch, at most a minute early.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            auth_at = float(session.get(SESSION_AUTH_AT, now))
            seen_at = float(session.get(SESSION_SEEN_AT, now))
            idle = settings.GUTBRAIN_SESSION_IDLE_SECONDS
            maximum = settings.GUTBRAIN_SESSION_MAX_SECONDS
            if now - seen_at > idle or now - auth_at > maximum:
                logout(request)
                messages.info(request, "Your session has expired. Please sign in again.")
            else:
                if SESSION_AUTH_AT not in session:
                    session[SESSION_AUTH_AT] = auth_at
                if (
                    SESSION_SEEN_AT not in session
                    or now - seen_at >= settings.GUTBRAIN_SESSION_TOUCH_SECONDS
                ):
                    session[SESSION_SEEN_AT] = now
        return self.get_response(request)


class MFARequiredMiddleware:
    """Owners and practitioners reach nothing but MFA set-up until they have a TOTP device."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.needs_mfa:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in MFA_SETUP_VIEWS:
            return None
        session = request.session
        if session.get(SESSION_MFA_OK) == user.pk:
            return None
        if has_totp(user):
            # checked once per session; removing the device clears it (accounts.signals)
            session[SESSION_MFA_OK] = user.pk
            return None
        messages.warning(
            request,
            "Set up two-factor authentication (an authenticator app) before you can see "
            "client records.",
        )
        return HttpResponseRedirect(reverse("mfa_activate_totp"))


def has_totp(user: Any) -> bool:
    """Whether ``user`` has an active TOTP authenticator."""
    from allauth.mfa.models import Authenticator

    return bool(Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists())


class SecurityHeadersMiddleware:
    """``Cache-Control: no-store`` on every page (static files never get here: whitenoise
    answers them earlier), a Permissions-Policy, and Clear-Site-Data when signing out."""

    PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        response.headers["Cache-Control"] = "no-store"
        match = request.resolver_match
        if request.method == "POST" and match is not None and match.url_name == "account_logout":
            response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response
