"""Which practice and which client each audit entry is about, and who may read which entries.

django-auditlog's ``LogEntry`` knows the object (content type + primary key) but not whose file
it belongs to. When an entry is written, :func:`remember_scope` (a ``pre_log`` receiver) works
out the practice id and client id of the audited object and :func:`apply_scope` (a ``pre_save``
receiver on ``LogEntry``) stores them in ``additional_data`` (``{"practice": 1, "client":
"<uuid>"}``): ids only, never names or health data. The audit pages filter on these keys.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from auditlog.models import LogEntry
from django.db.models import Q, QuerySet

from gutbrain.web.accounts.models import Role

__all__ = [
    "apply_scope",
    "entries_visible_to",
    "forget_scope",
    "log_event",
    "remember_scope",
    "scope_of",
]

#: (primary key as text, scope) of the object auditlog is about to write an entry for
_pending: ContextVar[tuple[str, dict[str, Any]] | None] = ContextVar(
    "gutbrain_audit_scope", default=None
)


def _client_practice(client_id: Any) -> int | None:
    from gutbrain.web.clients.models import Client

    row = Client.objects.filter(pk=client_id).values_list("practice_id", flat=True).first()
    return row


def scope_of(instance: Any) -> dict[str, Any]:
    """``{"practice": id, "client": "uuid"}`` (either may be missing) for an audited object."""
    from gutbrain.web.accounts.models import Practice, User
    from gutbrain.web.clients.models import Client

    scope: dict[str, Any] = {}
    if isinstance(instance, Practice):
        scope["practice"] = instance.pk
    elif isinstance(instance, Client):
        scope["practice"] = instance.practice_id
        scope["client"] = str(instance.pk)
    elif isinstance(instance, User):
        scope["practice"] = instance.practice_id
        if instance.role == Role.CLIENT:
            client_id = (
                Client.objects.filter(user_id=instance.pk).values_list("pk", flat=True).first()
            )
            if client_id is not None:
                scope["client"] = str(client_id)
    else:
        client_id = getattr(instance, "client_id", None)
        if client_id is not None:
            scope["client"] = str(client_id)
            cached = instance._state.fields_cache.get("client")
            practice = cached.practice_id if cached is not None else _client_practice(client_id)
            if practice is not None:
                scope["practice"] = practice
        practice_id = getattr(instance, "practice_id", None)
        if practice_id is not None:
            scope["practice"] = practice_id
        elif "practice" not in scope:
            practitioner = getattr(instance, "practitioner", None)
            if isinstance(practitioner, User):
                scope["practice"] = practitioner.practice_id
    return scope


def remember_scope(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``pre_log`` receiver: work out the scope before auditlog writes the entry."""
    try:
        _pending.set((str(instance.pk), scope_of(instance)))
    except Exception:  # never let the audit scope break the audited change itself
        _pending.set(None)


def apply_scope(sender: Any, instance: LogEntry, **kwargs: Any) -> None:
    """``pre_save`` receiver on ``LogEntry``: add the remembered scope to ``additional_data``."""
    pending = _pending.get()
    if pending is None or instance.pk is not None:
        return
    _pending.set(None)
    pk, scope = pending
    if str(instance.object_pk) != pk:  # not the entry the scope was worked out for
        return
    data = dict(instance.additional_data or {})
    for key, value in scope.items():
        data.setdefault(key, value)
    instance.additional_data = data


def forget_scope(sender: Any, **kwargs: Any) -> None:
    """``post_log`` receiver: the scope belongs to one entry only."""
    _pending.set(None)


def log_event(instance: Any, event: str, *, action: int = LogEntry.Action.ACCESS) -> LogEntry:
    """Write an entry for an event that is not a model change (an export, say).

    The actor comes from AuditlogMiddleware; the entry holds the event name and the scope ids.
    """
    data = {"event": event, **scope_of(instance)}
    entry: LogEntry = LogEntry.objects.log_create(
        instance, action=action, changes=None, force_log=True, additional_data=data
    )
    return entry


def entries_visible_to(user: Any) -> QuerySet[LogEntry]:
    """Owner: the practice's entries; practitioner: entries about their own clients' files;
    client: who viewed (or exported) their own file; anyone else: nothing."""
    from gutbrain.web.clients.models import Client

    qs: QuerySet[LogEntry] = LogEntry.objects.select_related("actor", "content_type")
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return qs.none()
    if user.role == Role.OWNER:
        return qs.filter(
            Q(additional_data__practice=user.practice_id) | Q(actor__practice_id=user.practice_id)
        )
    if user.role == Role.PRACTITIONER:
        ids = [str(pk) for pk in Client.objects.visible_to(user).values_list("pk", flat=True)]
        return qs.filter(additional_data__client__in=ids) if ids else qs.none()
    if user.role == Role.CLIENT:
        ids = [str(pk) for pk in Client.objects.visible_to(user).values_list("pk", flat=True)]
        if not ids:
            return qs.none()
        return qs.filter(additional_data__client__in=ids, action=LogEntry.Action.ACCESS)
    return qs.none()
