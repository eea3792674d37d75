from __future__ import annotations

from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "gutbrain.web.clients"
    label = "clients"
    verbose_name = "Clients"
