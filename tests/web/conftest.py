"""Fixtures for the practice app: two practices with staff, clients and their documents.

Practice A: owner ``owner_a``, practitioners ``prac_a1`` and ``prac_a2``; client ``client_a1``
(Alice Own, of prac_a1) and ``client_a2`` (Colin Colleague, of prac_a2). Practice B: owner,
practitioner and client ``client_b`` (Bea Other). Every client file has a shared result, an
assessment, a published and a draft plan. Owners and practitioners have a TOTP device.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client as HttpClient

from gutbrain.web.accounts.models import Practice, Role, User
from gutbrain.web.accounts.services import create_account
from gutbrain.web.assessments.models import Assessment
from gutbrain.web.clients.models import Client
from gutbrain.web.plans.models import Plan, PlanStatus
from gutbrain.web.results.models import Result

PASSWORD = "correct horse battery staple 42"


def totp_code(secret: str) -> str:
    """The current TOTP code for ``secret`` (what an authenticator app would show)."""
    counter = next(iter(yield_hotp_counters_from_time()))
    return str(format_hotp_value(hotp_value(secret, counter)))


@dataclass
class Files:
    """One client's file and documents."""

    client: Client
    result: Result
    assessment: Assessment
    plan: Plan
    draft: Plan


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    files: dict[str, Files] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)

    def login(self, name: str | None, **kwargs: Any) -> HttpClient:
        http = HttpClient(**kwargs)
        if name is not None:
            http.force_login(self.users[name])
        return http


def _user(world: World, name: str, role: Role, practice: Practice, full: str) -> User:
    user = create_account(
        f"{name}@example.org", PASSWORD, role=role, practice=practice, full_name=full
    )
    world.users[name] = user
    if user.needs_mfa:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        world.secrets[name] = secret
    return user


def _file(world: World, name: str, practitioner: User, full: str, sample: str) -> Files:
    user = _user(world, name, Role.CLIENT, practitioner.practice, full)
    client = Client.objects.create(
        practice=practitioner.practice,
        practitioner=practitioner,
        user=user,
        display_name=full,
        email=user.email,
    )
    profile = {"format": "gutbrain-profile/1", "sample": sample, "mechanisms": []}
    answers = {"format": "gutbrain-assessment/1", "date": "2026-11-20", "results": []}
    plan = {"format": "gutbrain-plan/1", "date": "2026-11-20", "versions": [{"items": []}]}
    files = Files(
        client=client,
        result=Result.objects.create(
            client=client,
            format="gutbrain-profile/1",
            document=profile,
            sample=sample,
            shared_with_client=True,
        ),
        assessment=Assessment.objects.create(
            client=client,
            format="gutbrain-assessment/1",
            document=answers,
            taken_on=date(2026, 11, 20),
        ),
        plan=Plan.objects.create(
            client=client, format="gutbrain-plan/1", document=plan, status=PlanStatus.PUBLISHED
        ),
        draft=Plan.objects.create(
            client=client, format="gutbrain-plan/1", document=plan, status=PlanStatus.DRAFT
        ),
    )
    world.files[name] = files
    return files


@pytest.fixture
def world(db: None) -> World:
    w = World()
    a = Practice.objects.create(name="Practice A")
    b = Practice.objects.create(name="Practice B")
    _user(w, "owner_a", Role.OWNER, a, "Olga OwnerA")
    p1 = _user(w, "prac_a1", Role.PRACTITIONER, a, "Paul PracA1")
    p2 = _user(w, "prac_a2", Role.PRACTITIONER, a, "Petra PracA2")
    _user(w, "owner_b", Role.OWNER, b, "Otto OwnerB")
    pb = _user(w, "prac_b", Role.PRACTITIONER, b, "Pia PracB")
    _file(w, "client_a1", p1, "Alice Own", "SAMPLE-ALICE")
    _file(w, "client_a2", p2, "Colin Colleague", "SAMPLE-COLIN")
    _file(w, "client_b", pb, "Bea Other", "SAMPLE-BEA")
    return w


__all__ = ["PASSWORD", "Authenticator", "World", "totp_code"]
