"""Dashboard, client portal, record pages and the health check. Thin: query, summarise, render.

Every query for client data goes through ``visible_to(request.user)``; an object outside it is
a 404, whoever asks.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, Window
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from gutbrain.web.access import current_user, role_required
from gutbrain.web.accounts.models import Role, User
from gutbrain.web.assessments.models import Assessment, QuestionnaireRequest, SafetyAlert
from gutbrain.web.audit.registry import record_access
from gutbrain.web.clients.models import Client, Invitation
from gutbrain.web.plans.models import Plan
from gutbrain.web.results.models import Result
from gutbrain.web.summaries import (
    DocumentSummary,
    summarise_assessment,
    summarise_profile,
)

__all__ = ["assessment_detail", "dashboard", "healthz", "plan_detail", "portal", "result_detail"]


#: client rows on the dashboard; the rest are on the client list (a long table costs every visit)
DASHBOARD_CLIENTS = 20


@login_not_required
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers and the serve smoke test: no database, no session."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """Owner: the practice; practitioner: own clients and open invitations; client: portal.

    The busiest page, so it is written for few and cheap queries: the first
    :data:`DASHBOARD_CLIENTS` client rows come as plain values with the total counted by a
    window over the same query (one query, no model instances), and the safety alerts are
    loaded with their documents only when there is one to show.
    """
    user = current_user(request)
    if user.role == Role.CLIENT:
        return redirect("portal")
    context: dict[str, Any] = {"alerts": _open_alerts(user)}
    context["clients"], context["n_clients"] = _client_rows(user)
    context["invitations"] = Invitation.objects.visible_to(user).usable()[:50]
    if user.role == Role.OWNER:
        context["practitioners"] = User.objects.visible_to(user).filter(role=Role.PRACTITIONER)
    return render(request, "gutbrain/dashboard.html", context)


def _open_alerts(user: User) -> list[SafetyAlert]:
    """Unacknowledged safety alerts, urgent first on the page (no option hides them)."""
    alerts = SafetyAlert.objects.open().visible_to(user)
    if not alerts.values("pk")[:1]:  # the usual case: a join-free-of-documents probe only
        return []
    return list(alerts.select_related("client", "assessment"))


def _client_rows(user: User) -> tuple[list[dict[str, Any]], int]:
    """The first client rows (id, name, joined, practitioner's name for the owner) and how
    many clients ``user`` sees in all."""
    fields = ["id", "display_name", "user_id"]
    if user.role == Role.OWNER:  # only the owner's table names the practitioner
        fields += ["practitioner__full_name", "practitioner__email"]
    rows = list(
        Client.objects.visible_to(user)
        .values(*fields)
        .annotate(n_total=Window(Count("pk")))[:DASHBOARD_CLIENTS]
    )
    if user.role == Role.OWNER:
        for row in rows:  # named as User.__str__ names them
            full_name, email = row.pop("practitioner__full_name"), row.pop("practitioner__email")
            row["practitioner"] = full_name or email
    return rows, (rows[0]["n_total"] if rows else 0)


@require_safe
@role_required(Role.CLIENT)
def portal(request: HttpRequest) -> HttpResponse:
    """The client's own home: published plan, questionnaires, shared results."""
    user = current_user(request)
    client = Client.objects.visible_to(user).select_related("practitioner").first()
    if client is None:
        raise PermissionDenied("no client file")
    return render(
        request,
        "gutbrain/portal.html",
        {
            "client": client,
            "plans": Plan.objects.visible_to(user),
            "assessments": Assessment.objects.visible_to(user),
            "questionnaires": QuestionnaireRequest.objects.usable().visible_to(user),
            "results": Result.objects.visible_to(user),
        },
    )


def _document_page(
    request: HttpRequest, model: type[Model], pk: UUID, summary: DocumentSummary, obj: Any
) -> HttpResponse:
    record_access(obj)
    user = current_user(request)
    return render(
        request,
        "gutbrain/document.html",
        {
            "obj": obj,
            "kind": model._meta.verbose_name,
            "summary": summary,
            "raw": json.dumps(obj.document, indent=2, ensure_ascii=False)
            if user.role != Role.CLIENT
            else None,
        },
    )


@require_safe
def result_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    qs = Result.objects.visible_to(request.user).select_related("client")
    obj = get_object_or_404(qs, pk=pk)
    return _document_page(request, Result, pk, summarise_profile(obj.document), obj)


@require_safe
def assessment_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    qs = Assessment.objects.visible_to(request.user).select_related("client")
    obj = get_object_or_404(qs, pk=pk)
    return _document_page(request, Assessment, pk, summarise_assessment(obj.document), obj)


@require_safe
def plan_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The plan page with its edit and publish controls for staff (in the plans app)."""
    from gutbrain.web.plans.views import plan_detail as plan_page

    return plan_page(request, pk)
