from __future__ import annotations

from django.urls import path

from gutbrain.web.results import views

urlpatterns = [
    path("clients/<uuid:client_pk>/uploads/new/", views.upload_new, name="upload_new"),
    path("uploads/<uuid:pk>/", views.upload_status, name="upload_status"),
    path("uploads/<uuid:pk>/retry/", views.upload_retry, name="upload_retry"),
    path("results/<uuid:pk>/report.<str:kind>", views.result_report, name="result_report"),
    path("results/<uuid:pk>/share/", views.result_share, name="result_share"),
]
