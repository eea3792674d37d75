"""``manage gutbrain_createowner``: a practice and its first owner (used by ``gutbrain
createowner``). Returns a JSON summary; problems are one-line :class:`CommandError` s."""

from __future__ import annotations

import json
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from gutbrain.web.accounts.models import User
from gutbrain.web.accounts.services import create_practice_with_owner


class Command(BaseCommand):
    help = "Create a practice and its first owner (password from GUTBRAIN_OWNER_PASSWORD)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--practice", default="My practice")
        parser.add_argument("--name", default="")

    def handle(self, *args: Any, **options: Any) -> str:
        email = str(options["email"]).strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"invalid e-mail address {email!r}") from None
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"an account for {email} exists already; choose another e-mail")
        password = os.environ.get("GUTBRAIN_OWNER_PASSWORD", "")
        if not password:
            raise CommandError("no password: set GUTBRAIN_OWNER_PASSWORD")
        try:
            owner = create_practice_with_owner(
                options["practice"], email, password, full_name=options["name"]
            )
        except ValidationError as exc:
            raise CommandError("password not accepted: " + " ".join(exc.messages)) from None
        return json.dumps({"email": owner.email, "practice": owner.practice.name})
