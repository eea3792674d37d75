from __future__ import annotations

from django.urls import path

from gutbrain.web.clients import views

urlpatterns = [
    path("clients/", views.client_list, name="client_list"),
    path("clients/invite/", views.invite_client, name="invite_client"),
    path("clients/<uuid:pk>/", views.client_detail, name="client_detail"),
    path("team/invite/", views.invite_practitioner, name="invite_practitioner"),
    path("join/", views.invitation_accept, name="invitation_accept"),
    path("join/<str:token>/", views.invitation_open, name="invitation_open"),
]
