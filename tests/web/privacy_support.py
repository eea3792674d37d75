"""Shared helpers for the audit, export and erasure tests: the seven actors, the names each
may see, and a response check (expected status, and no name of a file the actor may not see).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

#: anonymous, owner A, practitioner A1 (of client A1), practitioner A2 (the other
#: practitioner), client A1, client A2 (the other client), practice B's owner
ACTORS = ("anonymous", "owner_a", "prac_a1", "prac_a2", "client_a1", "client_a2", "owner_b")
NAMES = {"client_a1": "Alice Own", "client_a2": "Colin Colleague", "client_b": "Bea Other"}
SAMPLES = {"client_a1": "SAMPLE-ALICE", "client_a2": "SAMPLE-COLIN", "client_b": "SAMPLE-BEA"}
MAY_SEE: dict[str, set[str]] = {
    "anonymous": set(),
    "owner_a": {"client_a1", "client_a2"},
    "prac_a1": {"client_a1"},
    "prac_a2": {"client_a2"},
    "client_a1": {"client_a1"},
    "client_a2": {"client_a2"},
    "owner_b": {"client_b"},
}
LOGIN = "login"


def check(response: Any, expected: Any, actor: str, url: str) -> None:
    """Status as expected (``LOGIN``: sent to sign-in) and 0 leaks in the body."""
    if expected == LOGIN:
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login") + "?next="), url
    else:
        assert response.status_code == expected, (actor, url, response.status_code)
    if response.get("Content-Type", "").startswith("application/zip"):
        return
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode(errors="replace")
    for name in set(NAMES) - MAY_SEE[actor]:
        assert NAMES[name] not in text, f"{actor} sees {NAMES[name]} at {url}"
        assert SAMPLES[name] not in text, f"{actor} sees {SAMPLES[name]} at {url}"
