"""Shared fixtures: where ../shared is (CI has it beside the clone; a user's machine does not)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only ../shared folder; tests using it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not available")
    return SHARED


@pytest.fixture(scope="session")
def omixer_examples(shared: Path) -> Path:
    path = shared / "reference" / "modules" / "peer_examples" / "omixer-rpmR"
    if not path.is_dir():
        pytest.skip("omixer-rpmR peer examples not available")
    return path
