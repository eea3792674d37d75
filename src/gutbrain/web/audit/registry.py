"""Which models the audit log follows, and which of their fields it must never copy."""

from __future__ import annotations

from typing import Any

from auditlog.registry import auditlog
from auditlog.signals import accessed

__all__ = ["record_access", "register_models"]

#: Fields whose values would put health data or secrets into the audit log.
DOCUMENT_FIELDS = ["document", "provenance"]


def register_models() -> None:
    from gutbrain.web.accounts.models import Practice, User
    from gutbrain.web.assessments.models import Assessment
    from gutbrain.web.clients.models import Client, Invitation
    from gutbrain.web.plans.models import Plan
    from gutbrain.web.results.models import Result, Upload

    auditlog.register(Practice)
    auditlog.register(User, exclude_fields=["password", "last_login"])
    auditlog.register(Client)
    auditlog.register(Invitation, exclude_fields=["token_hash"])
    auditlog.register(Upload, exclude_fields=["original_name", "error"])
    for model in (Result, Assessment, Plan):
        auditlog.register(model, exclude_fields=DOCUMENT_FIELDS)


def record_access(instance: Any) -> None:
    """Log that the current user (set by AuditlogMiddleware) viewed ``instance``."""
    accessed.send(sender=type(instance), instance=instance)
