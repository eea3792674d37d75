"""The audit log, read-only: the owner sees the practice, a practitioner their own clients'
files, a client who viewed their own file. Views only read (GET/HEAD); nothing here changes or
deletes an entry. No page shows changed values: only who, when, what action, on which kind of
record, and the names of the changed fields (documents are never in the log at all).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from auditlog.models import LogEntry
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from gutbrain.web.access import current_user, role_required
from gutbrain.web.accounts.models import Role, User
from gutbrain.web.audit.forms import AuditFilterForm
from gutbrain.web.audit.scope import entries_visible_to
from gutbrain.web.clients.models import Client

__all__ = ["audit_log", "audit_mine", "describe"]

PAGE_SIZE = 50


def describe(entry: LogEntry, clients: dict[str, str]) -> dict[str, Any]:
    """What a row shows: never a changed value, only the field names."""
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    actor = entry.actor
    client_id = str(data.get("client", ""))
    return {
        "timestamp": entry.timestamp,
        "actor": str(actor) if actor is not None else "",
        "actor_role": actor.get_role_display() if isinstance(actor, User) else "",
        "action": entry.get_action_display(),
        "event": str(data.get("event", "")),
        "kind": entry.content_type.name if entry.content_type_id else "",
        "object_pk": entry.object_pk,
        "client_id": client_id,
        "client": clients.get(client_id, ""),
        "fields": sorted(str(key) for key in changes),
    }


def _page(request: HttpRequest, entries: QuerySet[LogEntry]) -> Any:
    return Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))


def _start(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _end(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


@require_safe
@role_required(Role.OWNER, Role.PRACTITIONER)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Owner: the practice's log; practitioner: the log of their own clients' files."""
    user = current_user(request)
    entries = entries_visible_to(user)
    clients = {str(c.pk): c.display_name for c in Client.objects.visible_to(user)}
    actors = User.objects.filter(pk__in=entries.values("actor_id")).order_by("full_name", "email")
    form = AuditFilterForm(
        request.GET or None,
        clients=sorted(clients.items(), key=lambda item: item[1].lower()),
        actors=[(str(a.pk), f"{a} ({a.get_role_display()})") for a in actors],
    )
    if form.is_bound and not form.is_valid():
        entries = entries.none()
    elif form.is_bound:
        data = form.cleaned_data
        if data.get("client"):
            entries = entries.filter(additional_data__client=data["client"])
        if data.get("actor"):
            entries = entries.filter(actor_id=int(data["actor"]))
        if data.get("action"):
            entries = entries.filter(action=int(data["action"]))
        if data.get("since"):
            entries = entries.filter(timestamp__gte=_start(data["since"]))
        if data.get("until"):
            entries = entries.filter(timestamp__lte=_end(data["until"]))
    page = _page(request, entries.order_by("-timestamp", "-pk"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "rows": [describe(e, clients) for e in page],
            "query": query.urlencode(),
        },
    )


@require_safe
@role_required(Role.CLIENT)
def audit_mine(request: HttpRequest) -> HttpResponse:
    """A client: who looked at (or exported) my file, and when."""
    user = current_user(request)
    page = _page(request, entries_visible_to(user).order_by("-timestamp", "-pk"))
    return render(
        request, "audit/mine.html", {"page": page, "rows": [describe(e, {}) for e in page]}
    )
