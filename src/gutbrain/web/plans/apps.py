from __future__ import annotations

from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "gutbrain.web.plans"
    label = "plans"
    verbose_name = "Plans"
