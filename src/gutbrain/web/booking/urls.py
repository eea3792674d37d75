from __future__ import annotations

from django.urls import path

from gutbrain.web.booking import views

urlpatterns = [
    path("book/<int:practice_id>/", views.public_page, name="booking_public"),
    path(
        "book/<int:practice_id>/<int:practitioner_id>/<str:start>/",
        views.public_book,
        name="booking_book",
    ),
    path("book/confirm/<str:token>/", views.public_verify, name="booking_verify"),
    path("book/manage/<str:token>/", views.public_manage, name="booking_manage"),
    path("bookings/", views.booking_list, name="booking_list"),
    path("bookings/availability/", views.availability, name="booking_availability"),
    path("bookings/<uuid:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
]
