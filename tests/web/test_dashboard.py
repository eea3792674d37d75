"""The dashboard: which client rows, the total, the practitioner column for the owner, and a
bound on its queries (the busiest page; a new query here costs every visit). Also the cached
``{% url %}`` built-in that every page's navigation uses."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse, set_script_prefix

from gutbrain.web.clients.models import Client
from gutbrain.web.template_builtins import cached_reverse
from gutbrain.web.views import DASHBOARD_CLIENTS
from tests.web.conftest import World

ROW = re.compile(r'<td><a href="/clients/([0-9a-f-]{36})/">([^<]*)</a></td>')


def _add_clients(world: World, practitioner: str, n: int) -> None:
    user = world.users[practitioner]
    Client.objects.bulk_create(
        Client(
            practice=user.practice,
            practitioner=user,
            display_name=f"Zed {i:02d}",
            email=f"zed{i}@example.org",
        )
        for i in range(n)
    )


def test_practitioner_sees_first_rows_of_own_clients_and_the_total(world: World) -> None:
    _add_clients(world, "prac_a1", DASHBOARD_CLIENTS + 4)
    page = world.login("prac_a1").get(reverse("dashboard")).content.decode()
    rows = ROW.findall(page)
    own = Client.objects.filter(practitioner=world.users["prac_a1"]).order_by(
        "display_name", "created_at"
    )
    assert rows == [(str(c.pk), c.display_name) for c in own[:DASHBOARD_CLIENTS]]
    assert f"Your clients ({DASHBOARD_CLIENTS + 5})" in page
    assert "All clients" in page
    assert "Colin Colleague" not in page and "Bea Other" not in page
    assert '<th scope="col">Practitioner</th>' not in page
    assert "<td>joined</td>" in page and "<td>invited</td>" in page


def test_owner_table_names_each_clients_practitioner(world: World) -> None:
    page = world.login("owner_a").get(reverse("dashboard")).content.decode()
    assert "Clients of the practice (2)" in page and "All clients" not in page
    assert '<th scope="col">Practitioner</th>' in page
    assert re.search(r"Alice Own</a></td>\s*<td>Paul PracA1</td>", page)
    assert re.search(r"Colin Colleague</a></td>\s*<td>Petra PracA2</td>", page)
    assert "Bea Other" not in page


def test_no_clients_no_table(world: World) -> None:
    page = world.login("owner_b").get(reverse("dashboard")).content.decode()
    assert "Clients of the practice (1)" in page  # Bea, the practitioner B's client
    Client.objects.filter(practice=world.users["owner_b"].practice).delete()
    page = world.login("owner_b").get(reverse("dashboard")).content.decode()
    assert "Clients of the practice (0)" in page and "No clients yet." in page


@pytest.mark.parametrize("name", ["prac_a1", "owner_a"])
def test_dashboard_queries_are_bounded(world: World, name: str) -> None:
    """Session, user with practice, an alerts probe, the client rows with their total, the
    invitations (+ the practitioners for the owner); nothing per client row."""
    _add_clients(world, "prac_a1", 30)
    http = world.login(name)
    assert http.get(reverse("dashboard")).status_code == 200  # MFA check, session write
    with CaptureQueriesContext(connection) as queries:
        assert http.get(reverse("dashboard")).status_code == 200
    assert len(queries) == (6 if name == "owner_a" else 5), [q["sql"] for q in queries]


def test_cached_url_tag_renders_as_djangos() -> None:
    template = Template(
        "{% url 'dashboard' %}|{% url 'client_detail' pk %}|{% url 'client_detail' pk=pk %}"
        "|{% url 'client_list' as where %}[{{ where }}]"
        "|{% url 'nowhere' as missing %}[{{ missing }}]"
    )
    pk = "0b6c3f9e-8c1a-4c55-9d9e-6f1b2a3c4d5e"
    expected = "|".join(
        [
            reverse("dashboard"),
            reverse("client_detail", args=[pk]),
            reverse("client_detail", kwargs={"pk": pk}),
            "[" + reverse("client_list") + "]",
            "[]",
        ]
    )
    for _ in range(2):  # the second time from the cache
        assert template.render(Context({"pk": pk})) == expected
    with pytest.raises(NoReverseMatch):
        Template("{% url 'nowhere' %}").render(Context())


def test_cached_reverse_keys_on_script_prefix_and_unhashable_arguments() -> None:
    plain = cached_reverse("dashboard")
    try:
        set_script_prefix("/practice/")
        assert cached_reverse("dashboard") == "/practice" + plain
    finally:
        set_script_prefix("/")
    assert cached_reverse("dashboard") == plain
    pk = "0b6c3f9e-8c1a-4c55-9d9e-6f1b2a3c4d5e"
    assert cached_reverse("client_detail", kwargs={"pk": pk}) == reverse("client_detail", args=[pk])
    with pytest.raises(NoReverseMatch):
        cached_reverse("client_detail", ([pk],))  # unhashable: reversed directly, and refused
