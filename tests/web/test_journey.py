"""The practice's whole journey in a real browser against a real server.

``gutbrain serve --demo`` (gunicorn + the task worker) on a free loopback port; Playwright drives
Debian's chromium through: the practitioner signs in with TOTP and publishes availability → a
visitor books a free consultation and confirms it from the e-mail → the practitioner sends
questionnaires → the client answers from the e-mailed link → the practitioner uploads a
stool-test file, the worker analyses it, the profile is shared with the client → the
practitioner drafts a plan, edits it with a reason and publishes it → the client signs in and
sees the published plan and the shared profile.

A screenshot of every step goes to ``tmp_path`` and, when ``GUTBRAIN_ARTIFACTS`` is set, to that
directory. With ``DATABASE_URL`` pointing at PostgreSQL, the server gets a fresh database on that
server (created and dropped here), so the journey runs on PostgreSQL too.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from gutbrain.knowledge.examples import example_file

from ..report.test_browser import browser as chromium_browser
from .test_serve import Server, _env

#: the report tests' fixture: Debian's chromium through Playwright (fails instead of skipping
#: under GUTBRAIN_REQUIRE_BROWSER=1)
__all__ = ["chromium_browser"]

VISITOR = "visitor@example.org"


@pytest.fixture
def database_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for the server when DATABASE_URL names a PostgreSQL server."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    import psycopg

    name = f"journey_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Journey:
    """The browser, the server's data folder and the screenshots of one journey."""

    def __init__(self, browser: Any, server: Server, data_dir: Path, shots: list[Path]) -> None:
        self.browser = browser
        self.server = server
        self.data_dir = data_dir
        self.shots = shots
        self.errors: list[str] = []

    def page(self) -> Any:
        context = self.browser.new_context(base_url=self.server.base)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on(
            "console",
            lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None,
        )
        return page

    def shot(self, page: Any, name: str, out: Path) -> None:
        path = out / f"{len(self.shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)

    def mail_link(self, to: str, pattern: str, after: float) -> str:
        """The first link matching ``pattern`` in a mail to ``to`` written after ``after``."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for path in sorted((self.data_dir / "mail").glob("*.log")):
                if path.stat().st_mtime < after - 1:
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
                if f"To: {to}" not in text:
                    continue
                found = re.search(r"https?://[^\s\"'<>]*" + pattern + r"[^\s\"'<>]*", text)
                if found:
                    return found.group(0)
            time.sleep(0.3)
        pytest.fail(f"no mail to {to} with a link like {pattern!r}")


def _logins(output: str) -> dict[str, tuple[str, str, str | None]]:
    passwords = dict(
        re.findall(r"^\s+(owner|practitioner|client)\s+\S+\s+password: (\S+)$", output, re.M)
    )
    emails = dict(
        re.findall(r"^\s+(owner|practitioner|client)\s+(\S+@\S+)\s+password:", output, re.M)
    )
    secrets = dict(re.findall(r"^\s+(owner|practitioner)\s+TOTP secret: (\S+)$", output, re.M))
    return {role: (emails[role], passwords[role], secrets.get(role)) for role in passwords}


def _sign_in(page: Any, email: str, password: str, secret: str | None) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    if secret is not None:
        page.wait_for_selector("input[name=code]")
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        page.fill("input[name=code]", str(code))
        page.click("form button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, page.content()


def _submit(page: Any, form: str, button: str) -> None:
    with page.expect_navigation():
        page.click(f"{form} button:has-text('{button}')")


def test_booking_questionnaire_upload_plan_publish(
    chromium_browser: Any, tmp_path: Path, database_url: str | None
) -> None:
    from playwright.sync_api import expect  # the browser fixture has checked it is there

    data_dir = tmp_path / "data"
    extra = {"DATABASE_URL": database_url} if database_url else {}
    server = Server(["--demo"], data_dir, env=_env(data_dir, **extra))
    out = Path(os.environ.get("GUTBRAIN_ARTIFACTS") or tmp_path) / (
        "journey-postgresql" if database_url else "journey-sqlite"
    )
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    try:
        server.wait_ready(timeout=180)
        logins = _logins(server.output())
        journey = Journey(chromium_browser, server, data_dir, shots)
        staff = journey.page()

        # 1. the practitioner signs in (password + TOTP) and publishes availability
        _sign_in(staff, *logins["practitioner"])
        journey.shot(staff, "practitioner-dashboard", out)
        staff.goto("/bookings/availability/")
        staff.check("#id_published")
        staff.fill("#id_min_notice_hours", "1")
        _submit(staff, "form:has(input[value=settings])", "Save")
        for weekday in range(7):
            staff.select_option("#id_weekday", str(weekday))
            staff.fill("#id_start", "08:00")
            staff.fill("#id_end", "18:00")
            _submit(staff, "form:has(input[value=add_rule])", "Add")
        public_url = staff.locator("a[href*='/book/']").first.get_attribute("href")
        assert public_url
        journey.shot(staff, "availability", out)

        # 2. a visitor books a free consultation and confirms it from the e-mail
        visitor = journey.page()
        visitor.goto(public_url)
        with visitor.expect_navigation():
            visitor.locator("ul.slots a").first.click()
        visitor.fill("#id_name", "Vic Visitor")
        visitor.fill("#id_email", VISITOR)
        booked_at = time.time()
        _submit(visitor, "form", "Book")
        journey.shot(visitor, "booking-check-mail", out)
        visitor.goto(journey.mail_link(VISITOR, "/book/confirm/", booked_at))
        _submit(visitor, "form", "Confirm the booking")
        expect(visitor.locator("h1")).to_contain_text("is booked")
        journey.shot(visitor, "booking-confirmed", out)

        # 3. the practitioner sends questionnaires to the demo client
        client_email = logins["client"][0]
        staff.goto("/questionnaires/send/")
        staff.select_option("#id_client", label="Alex Example")
        for instrument in ("phq9", "gad7"):
            staff.check(f"input[name=instruments][value={instrument}]")
        sent_at = time.time()
        _submit(staff, "form", "Send")
        journey.shot(staff, "questionnaires-sent", out)

        # 4. the client answers from the e-mailed single-use link
        answering = journey.page()
        answering.goto(journey.mail_link(client_email, "/q/", sent_at))
        groups = answering.locator("input[type=radio]").evaluate_all(
            "els => [...new Set(els.map(e => e.name))]"
        )
        assert {f"phq9__q{i}" for i in range(1, 10)} <= set(groups), groups
        for name in groups:
            # the first choice of every item: 'not at all' (item 9 too: no safety flag)
            answering.locator(f"input[type=radio][name='{name}']").first.check()
        journey.shot(answering, "questionnaire-answered", out)
        _submit(answering, "form", "Send my answers")
        expect(answering.locator("body")).to_contain_text("hank")
        journey.shot(answering, "questionnaire-thanks", out)

        # 5. the practitioner uploads a stool-test file; the worker analyses it
        staff.goto("/clients/")
        with staff.expect_navigation():
            staff.click("a:has-text('Alex Example')")
        client_url = staff.url
        with staff.expect_navigation():
            staff.click("a[href*='/uploads/new/']")
        staff.set_input_files("input[type=file]", str(example_file("taxon-profile")))
        _submit(staff, "form", "Upload and analyse")
        status = staff.locator("[role=status]")
        deadline = time.monotonic() + 240
        while "done" not in status.inner_text():
            assert "failed" not in status.inner_text(), staff.content()
            assert time.monotonic() < deadline, "the analysis did not finish in 240 s"
            time.sleep(2)
            staff.reload()
        expect(staff.locator("a:has-text('report (HTML)')")).to_be_visible()
        journey.shot(staff, "upload-analysed", out)
        with staff.expect_navigation():
            staff.click("a:has-text('Gut–brain profile, sample')")
        _submit(staff, "form[action*='/share/']", "Share with the client")
        expect(staff.locator("#client-access + p")).to_contain_text("Shared with the client")
        journey.shot(staff, "profile-shared", out)

        # 6. the practitioner drafts a plan, edits it (with a reason) and publishes it
        staff.goto(client_url)
        _submit(staff, "form[action*='/plans/draft/']", "Draft a plan")
        expect(staff.locator("h2#plan-status")).to_contain_text("draft")
        journey.shot(staff, "plan-draft", out)
        with staff.expect_navigation():
            staff.click("a:has-text('Edit this draft')")
        move = staff.locator("form:has(input[name=op][value=move])")
        move.locator("#id_move-item").select_option(index=1)
        move.locator("#id_move-position").fill("1")
        move.locator("#id_move-reason").fill(
            "Start with the step the client chose in the consultation."
        )
        _submit(staff, "form:has(input[name=op][value=move])", "Move")
        journey.shot(staff, "plan-edited", out)
        staff.goto(client_url)
        with staff.expect_navigation():
            staff.locator("a:has-text('Plan of')").first.click()
        _submit(staff, "form[action*='/publish/']", "Publish to the client")
        expect(staff.locator("h2#plan-status")).to_contain_text("published")
        journey.shot(staff, "plan-published", out)

        # 7. the client signs in and sees the published plan
        client = journey.page()
        _sign_in(client, *logins["client"])
        expect(client.locator("body")).to_contain_text("Alex Example")
        expect(client.locator("body")).to_contain_text("(current)")
        # the demo's profile and the one just analysed and shared
        expect(client.locator("a:has-text('Gut–brain profile')")).to_have_count(2)
        journey.shot(client, "client-portal", out)
        with client.expect_navigation():
            client.locator("a:has-text('Plan of')").first.click()
        expect(client.locator("h1")).to_contain_text("Plan of")
        journey.shot(client, "client-plan", out)
        assert not journey.errors, journey.errors
    finally:
        server.stop()
    assert len(shots) == 14
    for path in shots:
        assert path.stat().st_size > 5_000, path
