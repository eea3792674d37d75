"""The demo practice (in process), and settings read from the environment."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import authenticate

from gutbrain.web.accounts.models import Role, User
from gutbrain.web.assessments.models import Assessment
from gutbrain.web.clients.models import Client
from gutbrain.web.config import ConfigError, data_dir, env_bool, parse_database_url, secret_key
from gutbrain.web.demo import create_demo_practice
from gutbrain.web.plans.models import Plan, PlanStatus
from gutbrain.web.results.models import Result


@pytest.mark.django_db
def test_demo_practice_with_the_demo_documents(tmp_path: Path) -> None:
    logins = create_demo_practice(tmp_path / "demo")
    assert [x.role for x in logins] == ["owner", "practitioner", "client"]
    for login in logins:
        user = authenticate(email=login.email, password=login.password)
        assert user is not None
        has_totp = Authenticator.objects.filter(user=user).exists()
        assert has_totp == (login.role != "client") == (login.totp_secret is not None)
    client = Client.objects.get(display_name="Alex Example")
    assert client.practitioner.role == Role.PRACTITIONER
    result = Result.objects.get(client=client)
    assert result.document["format"] == "gutbrain-profile/1"
    assert result.provenance["inputs"][0]["sha256"]
    taken = sorted(a.taken_on.isoformat() for a in Assessment.objects.filter(client=client))
    assert len(taken) == 2 and taken[0] < taken[1]
    plan = Plan.objects.get(client=client)
    assert plan.status == PlanStatus.PUBLISHED and plan.document["format"] == "gutbrain-plan/1"
    assert (tmp_path / "demo" / "plan.json").exists()

    # again: new passwords, the same documents
    again = create_demo_practice(tmp_path / "demo")
    assert {x.password for x in again}.isdisjoint({x.password for x in logins})
    assert Plan.objects.filter(client=client).count() == 1
    assert User.objects.filter(email__endswith="@demo.gutbrain.invalid").count() == 3


def test_secret_key_is_made_once_and_private(tmp_path: Path) -> None:
    key = secret_key({}, tmp_path)
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key({}, tmp_path) == key and len(key) >= 50
    assert secret_key({"GUTBRAIN_SECRET_KEY": "given"}, tmp_path) == "given"
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        secret_key({}, tmp_path)


def test_data_dir_default_and_env(tmp_path: Path) -> None:
    assert data_dir({}, cwd=tmp_path) == (tmp_path / "gutbrain-data").resolve()
    assert stat.S_IMODE((tmp_path / "gutbrain-data").stat().st_mode) == 0o700
    chosen = tmp_path / "elsewhere"
    assert data_dir({"GUTBRAIN_DATA_DIR": str(chosen)}) == chosen.resolve()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "not supported"),
        ("postgres://u@h/", "names no database"),
        ("postgres://u@h:notaport/db", "invalid port"),
        ("sqlite:///", "needs a file name"),
        ("postgres://u@h/db?server_side_binding=perhaps", "not a yes/no value"),
        ("postgres://u@h/db?prepare_threshold=-1", "not a number"),
    ],
)
def test_bad_database_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_database_url(url, Path("/data"))


def test_bad_boolean() -> None:
    with pytest.raises(ConfigError, match="GUTBRAIN_DEBUG"):
        env_bool({"GUTBRAIN_DEBUG": "maybe"}, "GUTBRAIN_DEBUG", False)


@pytest.mark.parametrize(("given", "expected"), [(None, 0.05), ("5", 0.005)])
def test_server_processes_get_the_switch_interval(
    tmp_path: Path, given: str | None, expected: float
) -> None:
    """Importing the WSGI module (what each gunicorn process does) sets the interval."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUTBRAIN_WEB_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "gutbrain.web.settings.test",
        "GUTBRAIN_DATA_DIR": str(tmp_path),
    }
    if given is not None:
        env["GUTBRAIN_WEB_SWITCH_MS"] = given
    code = "import sys, gutbrain.web.wsgi; print(sys.getswitchinterval())"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert float(out.stdout) == pytest.approx(expected)
