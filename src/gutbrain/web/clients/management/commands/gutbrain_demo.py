"""``manage gutbrain_demo``: create (or refresh) the demo practice; returns the logins as JSON
for ``gutbrain serve --demo`` to print once."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand

from gutbrain.web.demo import create_demo_practice, totp_uri


class Command(BaseCommand):
    help = "Create the demo practice (owner, practitioner, client Alex Example) with demo data."

    def handle(self, *args: Any, **options: Any) -> str:
        logins = []
        for login in create_demo_practice():
            entry = asdict(login)
            if login.totp_secret:
                entry["totp_uri"] = totp_uri(login.email, login.totp_secret)
            logins.append(entry)
        return json.dumps(logins)
