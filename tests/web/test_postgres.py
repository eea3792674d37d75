"""The suite runs on the database ``DATABASE_URL`` names (``make test-postgres`` starts a
throwaway PostgreSQL for it): check that it really does, and what PostgreSQL must enforce itself.
"""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.db import close_old_connections, connection

from gutbrain.web.booking import services
from gutbrain.web.booking.models import Booking
from tests.web.conftest import World
from tests.web.test_booking_support import NOW, TUESDAY_9, publish

VENDORS = {"postgres": "postgresql", "postgresql": "postgresql", "pgsql": "postgresql"}
ENGINES = {"postgresql": "django.db.backends.postgresql", "sqlite": "django.db.backends.sqlite3"}


def _expected_vendor() -> str | None:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return None
    scheme = urlsplit(url).scheme.lower()
    return VENDORS.get(scheme, scheme)


@pytest.mark.django_db
def test_database_vendor_matches_database_url() -> None:
    expected = _expected_vendor() or "sqlite"  # no DATABASE_URL: the embedded SQLite
    assert connection.vendor == expected
    assert settings.DATABASES["default"]["ENGINE"] == ENGINES[expected]
    if expected == "postgresql":
        wanted = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
        # pytest-django made and uses test_<name>, never the named database itself
        assert connection.settings_dict["NAME"] == f"test_{wanted}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), version()")
            name, version = cursor.fetchone()
        assert name == f"test_{wanted}" and version.startswith("PostgreSQL")


@pytest.mark.django_db
def test_connection_options_are_in_effect() -> None:
    """web/config.py's connection options reach the driver. PostgreSQL: server-side binding,
    and a query run more than the threshold times on one connection is prepared (parsed and
    planned once). SQLite: WAL journal, NORMAL synchronous, a busy timeout."""
    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from gutbrain.web.config import PREPARE_THRESHOLD

            assert raw.prepare_threshold == PREPARE_THRESHOLD
            assert type(cursor.cursor).__name__ == "ServerBindingCursor"
            for i in range(PREPARE_THRESHOLD + 2):
                cursor.execute("SELECT %s::int + 1", [i])
                assert cursor.fetchone() == (i + 1,)
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] >= 1
        else:
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 1  # NORMAL
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 5000
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"  # a file, as in production (test settings)


@pytest.mark.django_db
def test_one_active_booking_per_start_is_a_partial_unique_index() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Booking._meta.db_table)
    found = constraints.get("booking_one_active_per_start")
    assert found is not None, sorted(constraints)
    assert found["unique"] and found["columns"] == ["practitioner_id", "start"]


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_attempts_book_once(world: World) -> None:
    """Eight threads, eight connections, one slot: the row lock (PostgreSQL) or IMMEDIATE
    transaction (SQLite) lets exactly one through, the others get a clear refusal."""
    with time_machine.travel(NOW, tick=False):
        publish(world.users["prac_a1"])
        practitioner_id = world.users["prac_a1"].pk
        barrier = threading.Barrier(8)
        outcomes: list[str] = []

        def attempt(n: int) -> None:
            try:
                barrier.wait(timeout=30)
                services.book(
                    practitioner_id=practitioner_id,
                    start=TUESDAY_9,
                    name=f"Racer {n}",
                    email=f"racer{n}@example.org",
                )
                outcomes.append("booked")
            except services.BookingError:
                outcomes.append("refused")
            except Exception as exc:  # any other error fails the test below
                outcomes.append(f"error: {exc!r}")
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert sorted(outcomes) == ["booked"] + ["refused"] * 7
    active = Booking.objects.active().filter(start=TUESDAY_9)
    assert active.count() == 1
    booked = active.get()
    assert booked.end - booked.start == timedelta(minutes=30)
