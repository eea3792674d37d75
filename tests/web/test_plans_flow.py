"""Plans in the practice app: draft from the client's documents, edit (versions with author,
time and reason), publish to the client, supersede, and the rules around them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gutbrain.knowledge.profile_schema import validate_plan
from gutbrain.pipeline.plan import catalogue_item, draft_from_documents
from gutbrain.web.plans.models import Plan, PlanStatus
from tests.web.conftest import World
from tests.web.plans_support import add_assessment, add_profile, drafted, items_of, phq9


def _draft(world: World, name: str = "client_a1", actor: str = "prac_a1") -> Plan:
    http = world.login(actor)
    before = set(Plan.objects.values_list("pk", flat=True))
    response = http.post(reverse("plan_draft", args=[world.files[name].client.pk]))
    assert response.status_code == 302
    plan = Plan.objects.exclude(pk__in=before).get()
    assert response["Location"] == reverse("plan_detail", args=[plan.pk])
    return plan


def _edit(world: World, plan: Plan, data: dict[str, Any], actor: str = "prac_a1") -> Any:
    return world.login(actor).post(reverse("plan_edit", args=[plan.pk]), data)


# ---------------------------------------------------------------- drafting


def test_draft_from_the_world_documents(world: World) -> None:
    files = world.files["client_a1"]
    plan = _draft(world)
    assert plan.status == PlanStatus.DRAFT
    validate_plan(plan.document)
    assert plan.document["current_version"] == 1
    assert plan.document["client"]["id"] == str(files.client.pk)
    prov = plan.provenance
    assert prov["result"] == str(files.result.pk)
    assert prov["assessment"] == str(files.assessment.pk)
    assert prov["engine"].startswith("gutbrain ") and prov["plan_rules_version"]
    assert plan.created_by == world.users["prac_a1"]
    record = plan.history.get()
    assert record.history_change_reason == "drafted by the plan engine"
    assert record.history_user == world.users["prac_a1"]


def test_owner_drafts_too(world: World) -> None:
    plan = _draft(world, actor="owner_a")
    assert plan.created_by == world.users["owner_a"]


def test_draft_uses_scored_answers_profile_and_safety(world: World) -> None:
    client = world.files["client_a1"].client
    add_assessment(client, "2026-11-01", {"phq9": phq9(12)})
    add_assessment(client, "2026-11-24", {"phq9": phq9(14, item9=1)}, preferences=("vegan",))
    add_profile(client, "SAMPLE-ALICE-2", {"inflammation": 30.0}, shared=True)
    plan = _draft(world)
    doc = plan.document
    assert doc["safety"] is not None and doc["safety"]["reasons"]
    assert "vegan" in doc["constraints"]
    assert doc["based_on"]["assessment_date"] == "2026-11-24"
    assert doc["based_on"]["profile_sample"] == "SAMPLE-ALICE-2"
    body = world.login("prac_a1").get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert body.index('role="alert"') < body.index("Recommendations (version 1)")


def test_pipeline_function_matches_the_engine_for_documents() -> None:
    plan = draft_from_documents(None, None, client={"id": "c"}, date="2026-11-20")
    assert plan.current.number == 1 and plan.safety is None
    assert isinstance(catalogue_item("fermented-foods", ["maoi"]), str)  # ruled out, with reason


def test_draft_refused_when_the_documents_are_unusable(world: World) -> None:
    result = world.files["client_a1"].result
    result.document = {"format": "gutbrain-profile/1", "sample": "x", "mechanisms": [{"id": 1}]}
    result.save()
    http = world.login("prac_a1")
    response = http.post(reverse("plan_draft", args=[world.files["client_a1"].client.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "client_detail", args=[world.files["client_a1"].client.pk]
    )
    assert "could not use these documents" in http.get(response["Location"]).content.decode()


# ---------------------------------------------------------------- editing


def test_add_from_the_catalogue(world: World) -> None:
    plan = _draft(world)
    before = items_of(plan)
    response = _edit(world, plan, {"op": "add", "add-rule": "sleep", "add-reason": "Sleep first"})
    assert response.status_code == 302
    after = items_of(plan)
    assert after[:-1] == before and after[-1].startswith("practitioner-")
    added = plan.document["versions"][-1]["items"][-1]
    assert added["family"] == "sleep" and added["targets"]
    version = plan.document["versions"][-1]
    assert version["number"] == 2 and version["reason"] == "Sleep first"
    assert version["author"] == "Paul PracA1"
    validate_plan(plan.document)
    record = plan.history.first()
    assert record is not None and record.history_change_reason == "add: Sleep first"


def test_add_own_item_at_a_position(world: World) -> None:
    plan = _draft(world)
    data = {
        "op": "add",
        "add-title": "Evening walk",
        "add-what": "A 20-minute walk after dinner.",
        "add-frequency": "most evenings",
        "add-position": "1",
        "add-reason": "Client likes walking",
    }
    assert _edit(world, plan, data).status_code == 302
    plan.refresh_from_db()
    first = plan.document["versions"][-1]["items"][0]
    assert first["title"] == "Evening walk" and first["source"] == "practitioner"


def test_remove_move_and_update(world: World) -> None:
    plan = _draft(world)
    ids = items_of(plan)
    assert len(ids) >= 3
    assert _edit(world, plan, {"op": "remove", "remove-item": ids[0], "remove-reason": "Not now"})
    assert items_of(plan) == ids[1:]
    data = {"op": "move", "move-item": ids[-1], "move-position": "1", "move-reason": "Most useful"}
    assert _edit(world, plan, data).status_code == 302
    assert items_of(plan) == [ids[-1], *ids[1:-1]]
    # update the texts and a weekly target of an item that has targets
    item = next(i for i in plan.document["versions"][-1]["items"] if i["targets"])
    url = reverse("plan_item_edit", args=[plan.pk, item["id"]])
    http = world.login("prac_a1")
    form: dict[str, Any] = {
        "title": "Gentle start",
        "what": item["what"],
        "amount": item["amount"],
        "frequency": item["frequency"],
        "reason": "Slower steps",
    }
    for k, t in enumerate(item["targets"]):
        form[f"target_{k}_weekly"] = ", ".join(str(v) for v in t["weekly"])
        form[f"target_{k}_goal"] = str(t["goal"])
    form["target_0_weekly"] = "5, 10, 15"
    response = http.post(url, form)
    assert response.status_code == 302, response.content.decode()
    plan.refresh_from_db()
    new = next(i for i in plan.document["versions"][-1]["items"] if i["id"] == item["id"])
    assert new["title"] == "Gentle start"
    assert new["targets"][0]["weekly"] == [5.0, 10.0, 15.0]
    assert plan.document["current_version"] == 4
    assert [v["reason"] for v in plan.document["versions"][1:]] == [
        "Not now",
        "Most useful",
        "Slower steps",
    ]
    validate_plan(plan.document)


def test_update_without_change_is_refused(world: World) -> None:
    plan = _draft(world)
    item = plan.document["versions"][-1]["items"][0]
    url = reverse("plan_item_edit", args=[plan.pk, item["id"]])
    form = {k: item[k] for k in ("title", "what", "amount", "frequency")} | {"reason": "x"}
    for k, t in enumerate(item["targets"]):
        form[f"target_{k}_weekly"] = ",".join(str(v) for v in t["weekly"])
        form[f"target_{k}_goal"] = str(t["goal"])
    response = world.login("prac_a1").post(url, form)
    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()


def test_bad_weekly_numbers_are_a_form_error(world: World) -> None:
    plan = _draft(world)
    item = next(i for i in plan.document["versions"][-1]["items"] if i["targets"])
    url = reverse("plan_item_edit", args=[plan.pk, item["id"]])
    form = {k: item[k] for k in ("title", "what", "amount", "frequency")} | {"reason": "x"}
    for k, t in enumerate(item["targets"]):
        form[f"target_{k}_weekly"] = "ten, -1"
        form[f"target_{k}_goal"] = str(t["goal"])
    response = world.login("prac_a1").post(url, form)
    assert response.status_code == 400
    assert "numbers separated by commas" in response.content.decode()
    assert plan.history.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"op": "add", "add-rule": "sleep", "add-reason": ""},
        {"op": "remove", "remove-item": "movement", "remove-reason": "   "},
        {"op": "move", "move-item": "movement", "move-position": "1"},
    ],
    ids=["add", "remove", "move"],
)
def test_reason_is_required(world: World, data: dict[str, str]) -> None:
    plan = _draft(world)
    response = _edit(world, plan, data)
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    plan.refresh_from_db()
    assert plan.document["current_version"] == 1 and plan.history.count() == 1


@pytest.mark.parametrize(
    "field",
    ["add-title", "add-what", "add-reason"],
)
def test_forbidden_wording_is_rejected(world: World, field: str) -> None:
    plan = _draft(world)
    data = {
        "op": "add",
        "add-title": "Daily walk",
        "add-what": "Walk for 20 minutes.",
        "add-reason": "Helps mood",
    }
    data[field] = "This will cure your depression."
    response = _edit(world, plan, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "reads as a diagnosis or a medical claim" in body
    plan.refresh_from_db()
    assert plan.document["current_version"] == 1


def test_forbidden_wording_in_an_update_is_rejected(world: World) -> None:
    plan = _draft(world)
    item = plan.document["versions"][-1]["items"][0]
    url = reverse("plan_item_edit", args=[plan.pk, item["id"]])
    form = {k: item[k] for k in ("title", "what", "amount", "frequency")}
    form |= {"what": "This will cure your depression.", "reason": "clearer"}
    for k, t in enumerate(item["targets"]):
        form[f"target_{k}_weekly"] = ",".join(str(v) for v in t["weekly"])
        form[f"target_{k}_goal"] = str(t["goal"])
    response = world.login("prac_a1").post(url, form)
    assert response.status_code == 400
    assert "wellness" in response.content.decode()


def test_engine_refusals_are_form_errors(world: World) -> None:
    client = world.files["client_a1"].client
    add_assessment(client, "2026-11-24", {"phq9": phq9(3)}, preferences=("vegan",))
    plan = _draft(world)
    # a position past the end is refused by the form; an unknown item by the choices
    data = {"op": "move", "move-item": items_of(plan)[0], "move-position": "99", "move-reason": "x"}
    assert _edit(world, plan, data).status_code == 400
    data = {"op": "remove", "remove-item": "no-such-item", "remove-reason": "x"}
    assert _edit(world, plan, data).status_code == 400
    assert plan.history.count() == 1


def test_an_invalid_document_is_not_editable(world: World) -> None:
    draft = world.files["client_a1"].draft  # the World's plans are bare documents
    http = world.login("prac_a1")
    response = http.post(
        reverse("plan_edit", args=[draft.pk]), {"op": "add", "add-rule": "sleep", "add-reason": "x"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.document == world.files["client_a1"].plan.document


# ---------------------------------------------------------------- versions


def test_versions_are_listed_and_viewable(world: World) -> None:
    plan = _draft(world)
    first_items = items_of(plan)
    _edit(world, plan, {"op": "remove", "remove-item": first_items[0], "remove-reason": "Later"})
    http = world.login("prac_a1")
    body = http.get(reverse("plan_versions", args=[plan.pk])).content.decode()
    assert "remove: Later" in body and "drafted by the plan engine" in body
    assert "Paul PracA1" in body
    oldest = plan.history.order_by("history_date", "history_id").first()
    assert oldest is not None
    response = http.get(reverse("plan_version", args=[plan.pk, oldest.history_id]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Recommendations (version 1)" in page
    first_title = oldest.document["versions"][0]["items"][0]["title"]
    assert first_title in page
    # a history id of another plan is not found through this plan
    other = drafted(world.files["client_a1"].client, world.users["prac_a1"])
    record = other.history.get()
    assert http.get(reverse("plan_version", args=[plan.pk, record.history_id])).status_code == 404


# ---------------------------------------------------------------- publishing


def test_publish_shows_the_plan_to_the_client_and_drafts_never(world: World) -> None:
    plan = _draft(world)
    url = reverse("plan_detail", args=[plan.pk])
    client_http = world.login("client_a1")
    assert client_http.get(url).status_code == 404
    assert url not in client_http.get(reverse("portal")).content.decode()
    response = world.login("prac_a1").post(reverse("plan_publish", args=[plan.pk]))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED and plan.published_at is not None
    assert client_http.get(url).status_code == 200
    assert url in client_http.get(reverse("portal")).content.decode()
    record = plan.history.first()
    assert record is not None and record.history_change_reason.startswith("published")
    assert record.history_user == world.users["prac_a1"]


def test_publishing_again_supersedes(world: World) -> None:
    files = world.files["client_a1"]
    first = _draft(world)
    prac = world.login("prac_a1")
    prac.post(reverse("plan_publish", args=[first.pk]))
    second = _draft(world)
    prac.post(reverse("plan_publish", args=[second.pk]))
    first.refresh_from_db()
    second.refresh_from_db()
    files.plan.refresh_from_db()
    assert first.superseded_at is not None and files.plan.superseded_at is not None
    assert second.superseded_at is None
    portal = world.login("client_a1").get(reverse("portal")).content.decode()
    assert reverse("plan_detail", args=[first.pk]) in portal  # history of earlier plans
    assert reverse("plan_detail", args=[second.pk]) in portal
    assert "(earlier plan)" in portal and "(current)" in portal
    old_page = world.login("client_a1").get(reverse("plan_detail", args=[first.pk]))
    assert "An earlier plan" in old_page.content.decode()
    assert reverse("plan_detail", args=[second.pk]) in old_page.content.decode()


def test_publishing_a_published_plan_is_refused(world: World) -> None:
    plan = _draft(world)
    prac = world.login("prac_a1")
    prac.post(reverse("plan_publish", args=[plan.pk]))
    response = prac.post(reverse("plan_publish", args=[plan.pk]), follow=True)
    assert "Only a draft can be published" in response.content.decode()


def test_editing_a_published_plan_starts_a_new_draft(world: World) -> None:
    plan = _draft(world)
    prac = world.login("prac_a1")
    prac.post(reverse("plan_publish", args=[plan.pk]))
    plan.refresh_from_db()
    published_doc = plan.document
    ids = items_of(plan)
    response = _edit(world, plan, {"op": "remove", "remove-item": ids[0], "remove-reason": "Done"})
    assert response.status_code == 302
    draft = Plan.objects.get(revises=plan)
    assert response["Location"] == reverse("plan_edit", args=[draft.pk])
    assert draft.status == PlanStatus.DRAFT and items_of(draft) == ids[1:]
    assert draft.provenance["revises"] == str(plan.pk)
    plan.refresh_from_db()
    assert plan.document == published_doc and plan.status == PlanStatus.PUBLISHED
    # the published plan's edit page now leads to that draft; changes go there
    response = prac.get(reverse("plan_edit", args=[plan.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_edit", args=[draft.pk])
    _edit(world, draft, {"op": "remove", "remove-item": ids[1], "remove-reason": "Also done"})
    assert Plan.objects.filter(revises=plan).count() == 1
    assert items_of(draft) == ids[2:]
    assert (
        "A draft revising this plan exists"
        in prac.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    )
    # the client still sees the published version
    body = world.login("client_a1").get(reverse("plan_detail", args=[plan.pk])).content.decode()
    first_title = published_doc["versions"][-1]["items"][0]["title"]
    assert first_title in body


def test_staff_see_controls_clients_do_not(world: World) -> None:
    plan = _draft(world)
    staff = world.login("prac_a1").get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert reverse("plan_publish", args=[plan.pk]) in staff
    assert reverse("plan_versions", args=[plan.pk]) in staff
    world.login("prac_a1").post(reverse("plan_publish", args=[plan.pk]))
    body = world.login("client_a1").get(reverse("plan_detail", args=[plan.pk])).content.decode()
    for name in ("plan_publish", "plan_versions", "plan_edit"):
        assert reverse(name, args=[plan.pk]) not in body
    assert "Provenance" not in body


# ---------------------------------------------------------------- HTTP rules


@pytest.mark.parametrize("name", ["plan_publish"])
def test_state_changes_are_post_only(world: World, name: str) -> None:
    plan = _draft(world)
    http = world.login("prac_a1")
    assert http.get(reverse(name, args=[plan.pk])).status_code == 405
    client_pk = world.files["client_a1"].client.pk
    assert http.get(reverse("plan_draft", args=[client_pk])).status_code == 405


def test_state_changes_need_the_csrf_token(world: World) -> None:
    plan = _draft(world)
    http = world.login("prac_a1", enforce_csrf_checks=True)
    client_pk = world.files["client_a1"].client.pk
    assert http.post(reverse("plan_draft", args=[client_pk])).status_code == 403
    assert http.post(reverse("plan_publish", args=[plan.pk])).status_code == 403
    data = {"op": "remove", "remove-item": items_of(plan)[0], "remove-reason": "x"}
    assert http.post(reverse("plan_edit", args=[plan.pk]), data).status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.history.count() == 1


def test_plan_views_are_audited(world: World) -> None:
    from auditlog.models import LogEntry

    plan = _draft(world)
    world.login("prac_a1").get(reverse("plan_detail", args=[plan.pk]))
    world.login("prac_a1").get(reverse("plan_versions", args=[plan.pk]))
    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(plan.pk))
    assert entries.count() == 2


def test_app_draft_equals_the_cli_plan_for_the_demo_documents(world: World, tmp_path: Any) -> None:
    """The app drafts exactly the plan `gutbrain plan` writes for the same documents."""
    import json
    from datetime import date

    from gutbrain.pipeline.demo import run_demo
    from gutbrain.web.assessments.models import Assessment
    from gutbrain.web.results.models import Result

    files = run_demo(tmp_path, None, pdf=False).files
    client = world.files["client_a1"].client
    for key in ("assessment_previous", "assessment"):
        doc = json.loads(files[key].read_text(encoding="utf-8"))
        Assessment.objects.create(
            client=client,
            format=doc["format"],
            document=doc,
            taken_on=date.fromisoformat(doc["date"]),
        )
    profile = json.loads(files["profile"].read_text(encoding="utf-8"))
    Result.objects.create(client=client, format=profile["format"], document=profile, sample="x")
    plan = _draft(world)
    cli = json.loads(files["plan"].read_text(encoding="utf-8"))
    assert plan.document["versions"][0]["items"] == cli["versions"][0]["items"]
    assert plan.document["constraints"] == cli["constraints"]
    assert plan.document["notes"] == cli["notes"]
    assert plan.provenance["previous_assessment"] is not None
