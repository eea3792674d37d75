"""Plan pages (view, draft, edit, publish, versions), progress pages and the client's check-in.

Thin: query through ``visible_to(request.user)`` (anything outside it is a 404), check the
form, call :mod:`gutbrain.web.plans.services`, render. Every state change is a POST with the
CSRF token; staff-only pages refuse clients with 403.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gutbrain.plan import Plan as EnginePlan
from gutbrain.report.charts import Charts
from gutbrain.web.access import current_user, role_required
from gutbrain.web.accounts.models import Role, User
from gutbrain.web.assessments.models import Assessment
from gutbrain.web.audit.registry import record_access
from gutbrain.web.clients.models import Client
from gutbrain.web.plans import services
from gutbrain.web.plans.forms import (
    AddItemForm,
    CheckInForm,
    MoveItemForm,
    RemoveItemForm,
    UpdateItemForm,
)
from gutbrain.web.plans.models import CheckIn, Plan, PlanStatus
from gutbrain.web.plans.progress import checkin_trends, questionnaire_trends, retest_trends
from gutbrain.web.results.models import Result
from gutbrain.web.summaries import summarise_plan

__all__ = [
    "checkin",
    "client_progress",
    "plan_detail",
    "plan_draft",
    "plan_edit",
    "plan_item_edit",
    "plan_publish",
    "plan_version",
    "plan_versions",
    "portal_progress",
]

STAFF = (Role.OWNER, Role.PRACTITIONER)


def _plan(request: HttpRequest, pk: UUID) -> Plan:
    qs = Plan.objects.visible_to(request.user).select_related("client", "created_by")
    return get_object_or_404(qs, pk=pk)


def _engine(document: Any) -> EnginePlan | None:
    try:
        return services.engine_plan(document)
    except services.PlanError:
        return None


def _plan_context(document: Any, audience: str) -> dict[str, Any]:
    """What the plan body template needs: the engine's plan (or a summary) and charts."""
    engine = _engine(document)
    charts = Charts(audience)
    items = []
    if engine is not None:
        for n, item in enumerate(engine.current.items, start=1):
            items.append(
                {"n": n, "item": item, "targets": [(t, charts.weekly(t)) for t in item.targets]}
            )
    return {
        "engine": engine,
        "items": items,
        "summary": None
        if engine is not None
        else summarise_plan(document if isinstance(document, dict) else {}),
    }


@require_safe
def plan_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A plan: the client sees published plans; staff also drafts, with the controls."""
    plan = _plan(request, pk)
    record_access(plan)
    user = current_user(request)
    staff = user.role in STAFF
    context = {
        "obj": plan,
        "staff": staff,
        **_plan_context(plan.document, "practitioner" if staff else "client"),
    }
    if staff:
        context["draft_of"] = Plan.objects.filter(revises=plan, status=PlanStatus.DRAFT).first()
    else:
        context["latest"] = (
            Plan.objects.visible_to(user)
            .filter(client_id=plan.client_id, superseded_at__isnull=True)
            .order_by("-published_at")
            .first()
        )
    return render(request, "plans/detail.html", context)


@require_POST
@role_required(*STAFF)
def plan_draft(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Draft a plan from the client's latest profile and assessment(s)."""
    user = current_user(request)
    client = get_object_or_404(Client.objects.visible_to(user), pk=pk)
    try:
        plan = services.draft_for_client(client, user)
    except services.PlanError as exc:
        messages.error(request, str(exc))
        return redirect("client_detail", client.pk)
    messages.success(request, "A draft plan was made. Check it, edit it, then publish it.")
    return redirect("plan_detail", plan.pk)


def _edit_forms(engine: EnginePlan, data: Any = None, op: str = "") -> dict[str, Any]:
    items = engine.current.items
    return {
        "add_form": AddItemForm(data if op == "add" else None, n_items=len(items), prefix="add"),
        "remove_form": RemoveItemForm(
            data if op == "remove" else None, items=items, prefix="remove"
        ),
        "move_form": MoveItemForm(data if op == "move" else None, items=items, prefix="move"),
    }


def _existing_draft(request: HttpRequest, plan: Plan, view: str, *args: Any) -> HttpResponse | None:
    """For a published plan already being revised: send the practitioner to that draft."""
    if plan.status != PlanStatus.PUBLISHED:
        return None
    draft = Plan.objects.filter(revises=plan, status=PlanStatus.DRAFT).first()
    if draft is None:
        return None
    messages.info(request, "This plan is already being revised: the changes go to this draft.")
    return redirect(view, draft.pk, *args)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*STAFF)
def plan_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Add, remove or move a recommendation (one new version each, with its reason)."""
    user = current_user(request)
    plan = _plan(request, pk)
    elsewhere = _existing_draft(request, plan, "plan_edit")
    if elsewhere is not None:
        return elsewhere
    engine = _engine(plan.document)
    if engine is None:
        messages.error(request, "This plan document cannot be edited here: draft a new plan.")
        return redirect("plan_detail", plan.pk)
    op = request.POST.get("op", "") if request.method == "POST" else ""
    forms = _edit_forms(engine, request.POST, op)
    if op in ("add", "remove", "move"):
        form = forms[f"{op}_form"]
        if form.is_valid():
            data = form.cleaned_data
            try:
                if op == "add":
                    if data["rule"]:
                        fields = services.catalogue_fields(data["rule"], engine)
                    else:
                        fields = {"title": data["title"], "what": data["what"]}
                        fields |= {k: data[k] for k in ("amount", "frequency") if data[k]}
                    changed = services.apply_edit(
                        plan, user, "add", data["reason"], position=data["position"], fields=fields
                    )
                elif op == "remove":
                    changed = services.apply_edit(
                        plan, user, "remove", data["reason"], item=data["item"]
                    )
                else:
                    changed = services.apply_edit(
                        plan,
                        user,
                        "move",
                        data["reason"],
                        item=data["item"],
                        position=data["position"],
                    )
            except services.PlanError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "The plan was changed; the change is in its versions.")
                return redirect("plan_edit", changed.pk)
    elif request.method == "POST":
        messages.error(request, "Unknown change.")
    return render(
        request,
        "plans/edit.html",
        {"obj": plan, "engine": engine, "items": engine.current.items, **forms},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*STAFF)
def plan_item_edit(request: HttpRequest, pk: UUID, item: str) -> HttpResponse:
    """Update one recommendation's texts and weekly targets."""
    user = current_user(request)
    plan = _plan(request, pk)
    elsewhere = _existing_draft(request, plan, "plan_item_edit", item)
    if elsewhere is not None:
        return elsewhere
    engine = _engine(plan.document)
    if engine is None:
        messages.error(request, "This plan document cannot be edited here: draft a new plan.")
        return redirect("plan_detail", plan.pk)
    found = [i for i in engine.current.items if i.id == item]
    if not found:
        raise Http404("no such item")
    form = UpdateItemForm(request.POST or None, item=found[0])
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            form.add_error(None, "Nothing was changed.")
        else:
            try:
                changed = services.apply_edit(
                    plan, user, "update", form.cleaned_data["reason"], item=item, fields=changes
                )
            except services.PlanError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "The recommendation was changed.")
                return redirect("plan_edit", changed.pk)
    return render(
        request,
        "plans/item_edit.html",
        {"obj": plan, "item": found[0], "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@role_required(*STAFF)
def plan_publish(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Publish a draft to the client; the earlier published plan is superseded."""
    user = current_user(request)
    plan = _plan(request, pk)
    try:
        services.publish(plan, user)
    except services.PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Published: the client now sees this plan.")
    return redirect("plan_detail", plan.pk)


@require_safe
@role_required(*STAFF)
def plan_versions(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Every saved change of the plan: who, when, why (django-simple-history)."""
    plan = _plan(request, pk)
    record_access(plan)
    history = plan.history.select_related("history_user").order_by("-history_date", "-history_id")
    return render(request, "plans/versions.html", {"obj": plan, "history": history})


@require_safe
@role_required(*STAFF)
def plan_version(request: HttpRequest, pk: UUID, history_id: int) -> HttpResponse:
    """The plan as it was after one saved change."""
    plan = _plan(request, pk)
    record = get_object_or_404(plan.history.select_related("history_user"), history_id=history_id)
    record_access(plan)
    return render(
        request,
        "plans/version.html",
        {"obj": plan, "record": record, **_plan_context(record.document, "practitioner")},
    )


def _progress_context(user: User, client: Client, audience: str) -> dict[str, Any]:
    charts = Charts(audience)
    assessments = Assessment.objects.visible_to(user).filter(client=client)
    results = Result.objects.visible_to(user).filter(client=client)
    checkins = list(CheckIn.objects.visible_to(user).filter(client=client).select_related("plan"))
    titles: dict[str, str] = {}
    for plan in Plan.objects.visible_to(user).filter(client=client):
        for version in (plan.document or {}).get("versions") or []:
            for item in version.get("items") or [] if isinstance(version, dict) else []:
                if isinstance(item, dict) and item.get("id"):
                    titles.setdefault(str(item["id"]), str(item.get("title", item["id"])))
    return {
        "client": client,
        "questionnaires": questionnaire_trends(assessments, charts),
        "retests": retest_trends(results, charts),
        "checkin_trends": checkin_trends(checkins, charts) if checkins else [],
        "checkins": [
            (c, [titles.get(str(i), str(i)) for i in c.items_done or []]) for c in checkins
        ],
    }


@require_safe
@role_required(*STAFF)
def client_progress(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A client's progress, for their practitioner (and the owner)."""
    user = current_user(request)
    client = get_object_or_404(Client.objects.visible_to(user), pk=pk)
    record_access(client)
    return render(request, "plans/progress.html", _progress_context(user, client, "practitioner"))


def _own_client(user: User) -> Client:
    client = Client.objects.visible_to(user).select_related("practitioner").first()
    if client is None:
        raise Http404("no client file")
    return client


@require_safe
@role_required(Role.CLIENT)
def portal_progress(request: HttpRequest) -> HttpResponse:
    """The client's own progress."""
    user = current_user(request)
    client = _own_client(user)
    return render(request, "plans/progress.html", _progress_context(user, client, "client"))


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.CLIENT)
def checkin(request: HttpRequest) -> HttpResponse:
    """The client's weekly check-in (ratings and the items of the current plan done)."""
    user = current_user(request)
    client = _own_client(user)
    plan = (
        Plan.objects.visible_to(user)
        .filter(client=client, superseded_at__isnull=True)
        .order_by("-published_at")
        .first()
    )
    engine = _engine(plan.document) if plan is not None else None
    items = engine.current.items if engine is not None else ()
    form = CheckInForm(request.POST or None, client=client, items=items)
    if request.method == "POST" and form.is_valid():
        entry = form.save(commit=False)
        entry.client = client
        entry.plan = plan
        entry.items_done = list(form.cleaned_data.get("items_done") or [])
        entry.created_by = user
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            form.add_error("date", "You have already checked in for this date.")
        else:
            messages.success(request, "Thank you: your check-in was saved.")
            return redirect("portal_progress")
    return render(
        request,
        "plans/checkin.html",
        {"form": form, "client": client},
        status=400 if request.method == "POST" else 200,
    )
