"""The report in a real browser: Playwright driving Debian's chromium (never a downloaded one).

Checks that all six mechanism sections and the plan are visible, every chart has a size, the
console stays clean and no request leaves the page. A screenshot is saved to ``tmp_path`` and,
when ``GUTBRAIN_ARTIFACTS`` is set, to that directory. Skipped without chromium or Playwright,
failed instead with GUTBRAIN_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gutbrain.report import write_report

from .conftest import require_tool

SIX = ("serotonin", "stress", "inflammation", "neurotransmitters", "scfa", "vitamins")
#: launch flags for Debian's chromium in a container (DEPENDENCIES.md §2.7)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
Doc = dict[str, Any]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = require_tool("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the machine
        if os.environ.get("GUTBRAIN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"playwright is not installed: {exc}")
        pytest.skip(f"playwright is not installed: {exc}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.parametrize("audience", ["client", "practitioner"])
def test_report_in_chromium(
    browser: Any,
    audience: str,
    profile_doc: Doc,
    assessment_docs: list[Doc],
    plan_doc: Doc,
    tmp_path: Path,
) -> None:
    html_path = tmp_path / "report.html"
    write_report(
        html_path,
        profile=profile_doc,
        assessments=assessment_docs,
        plan=plan_doc,
        audience=audience,  # type: ignore[arg-type]
        note="<script>alert('note')</script>",
    )
    url = html_path.resolve().as_uri()
    requests: list[str] = []
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.on("request", lambda req: requests.append(req.url))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))

    def guard(route: Any) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            route.abort()

    page.route("**/*", guard)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(200)
        for mech in SIX:
            section = page.locator(f"#mechanism-{mech}")
            assert section.count() == 1 and section.is_visible(), mech
            assert section.locator("h2").is_visible()
        for other in ("summary", "questionnaires", "plan", "references", "about"):
            assert page.locator(f"#{other}").is_visible(), other
        sizes = page.eval_on_selector_all(
            "svg",
            "els => els.map(e => { const r = e.getBoundingClientRect();"
            " return [r.width, r.height]; })",
        )
        assert len(sizes) > 10
        assert all(w > 0 and h > 0 for w, h in sizes), sizes
        banner = page.locator(".crisis-banner")
        banner.scroll_into_view_if_needed()
        page.mouse.wheel(0, 4000)
        page.wait_for_timeout(100)
        assert banner.is_visible()  # sticky: still on screen after scrolling
        box = banner.bounding_box()
        assert box is not None and box["y"] < 5
        page.evaluate("window.scrollTo(0, 0)")
        shot = tmp_path / f"report-{audience}.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 10_000
        artifacts = os.environ.get("GUTBRAIN_ARTIFACTS")
        if artifacts:
            Path(artifacts).mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, Path(artifacts) / shot.name)
    finally:
        page.close()
    assert problems == []
    assert requests == [url], f"requests left the page: {requests}"
