"""URLs. Everything needs a signed-in user (LoginRequiredMiddleware) except the views marked
``login_not_required``: sign-in pages, invitation links, the health check and error pages."""

from __future__ import annotations

from django.urls import include, path

from gutbrain.web import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("portal/", views.portal, name="portal"),
    path("results/<uuid:pk>/", views.result_detail, name="result_detail"),
    path("assessments/<uuid:pk>/", views.assessment_detail, name="assessment_detail"),
    path("plans/<uuid:pk>/", views.plan_detail, name="plan_detail"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("gutbrain.web.clients.urls")),
    path("", include("gutbrain.web.assessments.urls")),
    path("", include("gutbrain.web.booking.urls")),
    path("", include("gutbrain.web.plans.urls")),
    path("", include("gutbrain.web.results.urls")),
    path("", include("gutbrain.web.audit.urls")),
    path("", include("gutbrain.web.privacy.urls")),
    path("accounts/", include("allauth.urls")),
]

handler400 = "gutbrain.web.error_pages.bad_request"
handler403 = "gutbrain.web.error_pages.permission_denied"
handler404 = "gutbrain.web.error_pages.page_not_found"
handler500 = "gutbrain.web.error_pages.server_error"
