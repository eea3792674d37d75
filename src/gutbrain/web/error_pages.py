"""Error pages that show an error id and never a stack trace; the id and the traceback go to
the server log (logger ``gutbrain.web.errors``), so a user's report can be matched to it."""

from __future__ import annotations

import logging
import secrets
import sys

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader

__all__ = ["bad_request", "new_error_id", "page_not_found", "permission_denied", "server_error"]

log = logging.getLogger("gutbrain.web.errors")

_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    500: "Something went wrong",
}
_TEXTS = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "There is no page here, or you do not have access to it.",
    500: "The server could not complete your request. Nothing you did caused this.",
}


def new_error_id() -> str:
    """A short random id to quote when reporting a problem.

    >>> len(new_error_id()), new_error_id() != new_error_id()
    (12, True)
    """
    return secrets.token_hex(6)


def _render(request: HttpRequest, status: int, error_id: str) -> str:
    context = {
        "status": status,
        "title": _TITLES[status],
        "text": _TEXTS[status],
        "error_id": error_id,
    }
    try:
        return loader.render_to_string("gutbrain/error.html", context, request=request)
    except Exception:  # the error page itself must not fail: plain HTML as a last resort
        log.exception("error %s: the error page could not be rendered", error_id)
        return (
            f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{_TITLES[status]}"
            f"</title></head><body><h1>{_TITLES[status]}</h1><p>{_TEXTS[status]}</p>"
            f"<p>Error id: <code>{error_id}</code></p></body></html>"
        )


def _path(request: HttpRequest) -> str:
    return request.path.encode("unicode_escape").decode("ascii")[:200]


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    error_id = new_error_id()
    log.warning("error %s: 400 %s %s", error_id, request.method, _path(request))
    return HttpResponseBadRequest(_render(request, 400, error_id))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    error_id = new_error_id()
    user = getattr(request, "user", None)
    log.warning(
        "error %s: 403 %s %s user=%s", error_id, request.method, _path(request), user and user.pk
    )
    return HttpResponseForbidden(_render(request, 403, error_id))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    error_id = new_error_id()
    user = getattr(request, "user", None)
    log.info(
        "error %s: 404 %s %s user=%s", error_id, request.method, _path(request), user and user.pk
    )
    return HttpResponseNotFound(_render(request, 404, error_id))


def server_error(request: HttpRequest) -> HttpResponse:
    error_id = new_error_id()
    log.error(
        "error %s: 500 %s %s", error_id, request.method, _path(request), exc_info=sys.exc_info()
    )
    return HttpResponseServerError(_render(request, 500, error_id))
