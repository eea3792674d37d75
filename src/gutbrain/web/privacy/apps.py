from __future__ import annotations

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "gutbrain.web.privacy"
    label = "privacy"
    verbose_name = "Privacy (export and erasure)"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from gutbrain.web.privacy.models import ErasureRequest

        auditlog.register(ErasureRequest, exclude_fields=["pending_files"])
