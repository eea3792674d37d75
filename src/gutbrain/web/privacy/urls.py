from __future__ import annotations

from django.urls import path

from gutbrain.web.privacy import views

urlpatterns = [
    path("privacy/export/", views.export_mine, name="export_mine"),
    path("privacy/erasure/", views.erasure_mine, name="erasure_mine"),
    path("privacy/erasure/requests/", views.erasure_list, name="erasure_list"),
    path("privacy/erasure/<int:pk>/", views.erasure_detail, name="erasure_detail"),
    path("privacy/erasure/<int:pk>/cancel/", views.erasure_cancel, name="erasure_cancel"),
    path("clients/<uuid:pk>/export/", views.export_client, name="export_client"),
    path("clients/<uuid:pk>/erasure/", views.erasure_record, name="erasure_record"),
]
