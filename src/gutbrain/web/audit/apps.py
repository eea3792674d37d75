from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gutbrain.web.audit"
    label = "gutbrain_audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from gutbrain.web.audit.registry import register_models

        register_models()
