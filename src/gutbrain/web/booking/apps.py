from __future__ import annotations

from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "gutbrain.web.booking"
    label = "booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from gutbrain.web.booking.models import Availability, Booking

        auditlog.register(Availability)
        auditlog.register(Booking, exclude_fields=["verify_token_hash", "manage_token_hash"])
