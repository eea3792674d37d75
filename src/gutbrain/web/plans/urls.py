"""Plan editing and publishing, progress pages and check-ins (``plan_detail`` itself is in
:mod:`gutbrain.web.urls`, served by :func:`gutbrain.web.plans.views.plan_detail`)."""

from __future__ import annotations

from django.urls import path

from gutbrain.web.plans import views

urlpatterns = [
    path("clients/<uuid:pk>/plans/draft/", views.plan_draft, name="plan_draft"),
    path("clients/<uuid:pk>/progress/", views.client_progress, name="client_progress"),
    path("plans/<uuid:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<uuid:pk>/items/<slug:item>/edit/", views.plan_item_edit, name="plan_item_edit"),
    path("plans/<uuid:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("plans/<uuid:pk>/versions/", views.plan_versions, name="plan_versions"),
    path("plans/<uuid:pk>/versions/<int:history_id>/", views.plan_version, name="plan_version"),
    path("portal/progress/", views.portal_progress, name="portal_progress"),
    path("portal/check-in/", views.checkin, name="checkin"),
]
