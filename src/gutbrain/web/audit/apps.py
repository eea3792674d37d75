"""Audit trail (django-auditlog): who created, changed, deleted or *viewed* which record.

Entries keep the actor, the action, the object type and id and the changed field names; health
content (documents) and secrets (password, token hashes) are excluded, so the trail can outlive
an erasure without holding health data. Each entry also records the ids of the practice and
client it is about (:mod:`gutbrain.web.audit.scope`), which the audit pages filter on.
"""

from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gutbrain.web.audit"
    label = "gutbrain_audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from auditlog.models import LogEntry
        from auditlog.signals import post_log, pre_log
        from django.db.models.signals import pre_save

        from gutbrain.web.audit import scope
        from gutbrain.web.audit.registry import register_models

        register_models()
        pre_log.connect(scope.remember_scope, dispatch_uid="gutbrain_audit_scope")
        pre_save.connect(scope.apply_scope, sender=LogEntry, dispatch_uid="gutbrain_audit_scope")
        post_log.connect(scope.forget_scope, dispatch_uid="gutbrain_audit_scope")
