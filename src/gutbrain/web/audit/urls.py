from __future__ import annotations

from django.urls import path

from gutbrain.web.audit import views

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/mine/", views.audit_mine, name="audit_mine"),
]
