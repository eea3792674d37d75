"""A demo practice: an owner, a practitioner and a client (Alex Example) with the demo outputs.

``gutbrain serve --demo`` calls :func:`create_demo_practice`. The owner's and practitioner's
second factor is a real TOTP device whose secret is printed once with the passwords: MFA stays
required for them, as for every owner and practitioner.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gutbrain.pipeline.demo import run_demo
from gutbrain.web.accounts.models import Practice, Role, User
from gutbrain.web.accounts.services import create_account
from gutbrain.web.assessments.models import Assessment
from gutbrain.web.clients.models import Client
from gutbrain.web.plans.models import Plan, PlanStatus
from gutbrain.web.results.models import Result

__all__ = ["DEMO_PRACTICE", "DemoLogin", "create_demo_practice", "totp_uri"]

DEMO_PRACTICE = "Example Practice (demo)"
DEMO_PEOPLE = (
    (Role.OWNER, "owner@demo.gutbrain.invalid", "Olivia Owner"),
    (Role.PRACTITIONER, "practitioner@demo.gutbrain.invalid", "Pat Practitioner"),
    (Role.CLIENT, "alex@demo.gutbrain.invalid", "Alex Example"),
)


@dataclass(frozen=True)
class DemoLogin:
    """One demo account: shown once on the console, never stored in plain text."""

    role: str
    email: str
    password: str
    totp_secret: str | None


def totp_uri(email: str, secret: str, issuer: str = "gutbrain") -> str:
    """The ``otpauth://`` URI an authenticator app imports (Key Uri Format).

    >>> totp_uri("a@b.example", "JBSWY3DPEHPK3PXP")
    'otpauth://totp/gutbrain%3Aa%40b.example?secret=JBSWY3DPEHPK3PXP&issuer=gutbrain'
    """
    label = quote(f"{issuer}:{email}", safe="")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": issuer})


def _password() -> str:
    return secrets.token_urlsafe(15)


def _set_totp(user: User) -> str:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    secret: str = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _provenance(doc: dict[str, Any], path: Path) -> dict[str, Any]:
    prov: dict[str, Any] = {
        "source": "gutbrain serve --demo (bundled example data)",
        "gutbrain_version": doc.get("gutbrain_version"),
        "file": path.name,
    }
    for key in ("knowledge_version", "instruments_version", "mechanisms_version"):
        if doc.get(key):
            prov[key] = doc[key]
    inputs = doc.get("inputs")
    if isinstance(inputs, list):
        prov["inputs"] = [
            {"file": Path(str(i.get("path", ""))).name, "sha256": i.get("sha256")}
            for i in inputs
            if isinstance(i, dict)
        ]
    return prov


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _attach_documents(client: Client, by: User, outdir: Path) -> None:
    files = run_demo(outdir, None, pdf=False).files
    profile = _load(files["profile"])
    Result.objects.create(
        client=client,
        format=str(profile.get("format", "")),
        document=profile,
        provenance=_provenance(profile, files["profile"]),
        sample=str(profile.get("sample", "")),
        shared_with_client=True,
        created_by=by,
    )
    for key in ("assessment_previous", "assessment"):
        doc = _load(files[key])
        Assessment.objects.create(
            client=client,
            format=str(doc.get("format", "")),
            document=doc,
            provenance=_provenance(doc, files[key]),
            taken_on=date.fromisoformat(str(doc["date"])),
            safety_flag=bool(doc.get("safety")),
            created_by=by,
        )
    plan = _load(files["plan"])
    Plan.objects.create(
        client=client,
        format=str(plan.get("format", "")),
        document=plan,
        provenance=_provenance(plan, files["plan"]),
        status=PlanStatus.PUBLISHED,
        published_at=timezone.now(),
        created_by=by,
    )


def create_demo_practice(outdir: Path | None = None) -> list[DemoLogin]:
    """Create the demo practice (or, when it exists, give its accounts new passwords and TOTP
    secrets); returns the logins to print once."""
    outdir = outdir or Path(settings.DATA_DIR) / "demo"
    logins: list[DemoLogin] = []
    with transaction.atomic():
        practice, _ = Practice.objects.get_or_create(name=DEMO_PRACTICE)
        users: dict[Role, User] = {}
        for role, email, name in DEMO_PEOPLE:
            password = _password()
            user = User.objects.filter(email=email).first()
            if user is None:
                user = create_account(email, password, role=role, practice=practice, full_name=name)
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            users[role] = user
            secret = _set_totp(user) if user.needs_mfa else None
            logins.append(DemoLogin(role.value, email, password, secret))
        client, new_client = Client.objects.get_or_create(
            practice=practice,
            user=users[Role.CLIENT],
            defaults={
                "practitioner": users[Role.PRACTITIONER],
                "display_name": "Alex Example",
                "email": users[Role.CLIENT].email,
                "consent_at": timezone.now(),
            },
        )
        if new_client:
            _attach_documents(client, users[Role.PRACTITIONER], outdir)
    return logins
