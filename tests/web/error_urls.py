"""A URL configuration with a view that fails, for the error-page tests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from gutbrain.web.urls import urlpatterns as app_patterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internal detail")


urlpatterns = [path("boom/", boom), *app_patterns]

handler403 = "gutbrain.web.error_pages.permission_denied"
handler404 = "gutbrain.web.error_pages.page_not_found"
handler500 = "gutbrain.web.error_pages.server_error"
