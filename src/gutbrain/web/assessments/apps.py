from __future__ import annotations

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "gutbrain.web.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # The Assessment itself is registered in gutbrain.web.audit.registry; the requests
        # (never their token hash) and the alerts (who acknowledged, when) are followed here.
        from auditlog.registry import auditlog

        from gutbrain.web.assessments.models import QuestionnaireRequest, SafetyAlert

        auditlog.register(QuestionnaireRequest, exclude_fields=["token_hash"])
        auditlog.register(SafetyAlert)
