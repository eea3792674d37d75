"""Security log of sign-ins, and the login time that bounds a session's absolute lifetime."""

from __future__ import annotations

import logging
import time
from typing import Any

from allauth.mfa.signals import authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from gutbrain.web.middleware import SESSION_AUTH_AT, SESSION_MFA_OK, SESSION_SEEN_AT

log = logging.getLogger("gutbrain.web.security")


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_AUTH_AT] = now
        request.session[SESSION_SEEN_AT] = now
    log.info("login ok user=%s", user.pk)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    log.info("logout user=%s", getattr(user, "pk", None))


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # never log the address typed (may be a password typed in the wrong field)
    log.warning("login failed")


@receiver(authenticator_removed)
def _authenticator_removed(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """The next page checks again whether the user still has a TOTP device."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_MFA_OK, None)
