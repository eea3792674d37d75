"""Erasing a client's file (GDPR Art. 17), once the owner or practitioner has confirmed.

In one transaction, with the audit log's automatic entries switched off (they would copy the
name and e-mail address into the log):

* the client's file and everything that hangs on it are deleted: results, assessments, plans,
  questionnaire requests (links), safety alerts, check-ins, uploads, invitations, and whatever
  else a later version adds with a foreign key to the file (Django's deletion collector finds
  it); the stored files of all of these (uploads, reports, ``FileField`` files) are noted;
* the change history of those records (django-simple-history keeps whole copies) is deleted;
* bookings made with the client's e-mail address keep their time and practitioner but lose the
  name and address; upcoming ones are cancelled and their unsent reminders dropped;
* the client's login is deactivated and anonymised (placeholder e-mail address, no name, no
  usable password), its e-mail addresses, authenticators and sessions deleted;
* audit entries about the file keep who, when, which action and which record id, but their
  object names and changed values are replaced by ``[erased]``; the client's own address is
  removed from entries they made.

Then the stored files are deleted from disk, and the request is marked done. Its audit entry
(who confirmed, when, which client id) is the record that the erasure happened.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.db.models.functions import Cast
from django.utils import timezone

from gutbrain.web.accounts.models import User
from gutbrain.web.booking.models import ACTIVE, Booking, BookingStatus
from gutbrain.web.clients.models import Client
from gutbrain.web.privacy.files import data_dir, stored_files
from gutbrain.web.privacy.models import ErasureRequest, ErasureStatus

__all__ = ["ERASED", "ErasureError", "Outcome", "erase", "finish_file_deletion"]

log = logging.getLogger("gutbrain.web.privacy")

#: what replaces names and values in audit entries and bookings
ERASED = "[erased]"


class ErasureError(Exception):
    """The erasure could not be done (message is for the user; nothing was changed)."""


@dataclass
class Outcome:
    deleted: dict[str, int] = field(default_factory=dict)
    files_deleted: int = 0
    files_left: list[str] = field(default_factory=list)


def placeholder_email() -> str:
    return f"erased-{uuid.uuid4().hex}@erased.invalid"


def _history_models() -> list[type[models.Model]]:
    """The historical models of django-simple-history (``HistoricalPlan`` …)."""
    return [
        m for m in apps.get_models() if hasattr(m, "instance_type") and hasattr(m, "history_id")
    ]


def _collect(client: Client) -> Collector:
    collector = Collector(using=router.db_for_write(Client))
    collector.collect([client])  # raises ProtectedError / RestrictedError
    return collector


def _collected(collector: Collector) -> dict[type[models.Model], list[models.Model]]:
    found: dict[type[models.Model], list[models.Model]] = {}
    for model, instances in collector.data.items():
        found.setdefault(model, []).extend(instances)
    for batch in collector.fast_deletes:
        for obj in batch:
            found.setdefault(type(obj), []).append(obj)
    return found


def _history_rows(
    collected: dict[type[models.Model], list[models.Model]], client: Client
) -> list[models.QuerySet[Any]]:
    querysets = []
    for history in _history_models():
        original: Any = history.instance_type  # type: ignore[attr-defined]
        pks = [obj.pk for obj in collected.get(original, [])]
        names = {f.name for f in history._meta.concrete_fields}
        condition = models.Q(pk__in=[])
        if pks:
            condition |= models.Q(**{f"{original._meta.pk.attname}__in": pks})
        if "client" in names:
            condition |= models.Q(client_id=client.pk)
        querysets.append(history._default_manager.filter(condition))
    return querysets


def _redact_changes(changes: Any) -> Any:
    if not isinstance(changes, dict):
        return None
    return {
        str(key): [None if v is None else ERASED for v in value]
        if isinstance(value, list)
        else ERASED
        for key, value in changes.items()
    }


def _redact_entries(entries: models.QuerySet[LogEntry]) -> int:
    """Keep who / when / action / record id; drop object names and changed values."""
    n = 0
    for entry in entries.select_related("content_type").iterator():
        LogEntry.objects.filter(pk=entry.pk).update(
            object_repr=f"{ERASED} {entry.content_type.model}",
            changes=_redact_changes(entry.changes),
            changes_text="",
            serialized_data=None,
        )
        n += 1
    return n


def _text_contains(field_name: str, needle: str) -> models.Q:
    return models.Q(**{f"t_{field_name}__icontains": needle})


def _entries_mentioning(needles: Iterable[str]) -> models.QuerySet[LogEntry]:
    """A safety net: entries whose name or values contain one of ``needles`` as text."""
    qs: models.QuerySet[LogEntry] = LogEntry.objects.annotate(
        t_changes=Cast("changes", models.TextField()),
        t_serialized=Cast("serialized_data", models.TextField()),
    )
    condition = models.Q(pk__in=[])
    # JSON text may hold non-ASCII letters escaped (\u00e9): look for both spellings
    spellings = {s for n in needles for s in (n, json.dumps(n)[1:-1])}
    for needle in spellings:
        condition |= (
            models.Q(object_repr__icontains=needle)
            | models.Q(changes_text__icontains=needle)
            | _text_contains("changes", needle)
            | _text_contains("serialized", needle)
        )
    return qs.filter(condition)


def _anonymise_user(user: User) -> None:
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    for session in Session.objects.all().iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
    user.email = placeholder_email()
    user.full_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()


def _anonymise_bookings(client: Client, identities: set[str]) -> list[Any]:
    condition = models.Q(pk__in=[])
    for address in identities:
        condition |= models.Q(email__iexact=address)
    bookings = list(Booking.objects.filter(practice_id=client.practice_id).filter(condition))
    now = timezone.now()
    for booking in bookings:
        booking.reminders.filter(sent_at__isnull=True).delete()
        booking.name = ERASED
        booking.email = placeholder_email()
        fields = ["name", "email"]
        if booking.status in ACTIVE and booking.start > now:
            booking.status = BookingStatus.CANCELLED
            booking.cancelled_at = now
            fields += ["status", "cancelled_at"]
        booking.save(update_fields=fields)
    return [b.pk for b in bookings]


def erase(request: ErasureRequest, *, by: User) -> Outcome:
    """Erase the file of ``request``'s client (status must be *requested*)."""
    outcome = Outcome()
    with transaction.atomic():
        locked = ErasureRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != ErasureStatus.REQUESTED:
            raise ErasureError("This request is not waiting for confirmation.")
        client = (
            Client.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=locked.client_ref)
            .first()
        )
        if client is None:
            raise ErasureError("The client's file no longer exists.")
        user = client.user
        names = {client.display_name} | ({user.full_name} if user and user.full_name else set())
        addresses = {client.email.lower()} | ({user.email.lower()} if user else set())
        try:
            collector = _collect(client)
        except (models.ProtectedError, models.RestrictedError) as exc:
            kinds = sorted({o._meta.verbose_name for o in exc.args[1]}) if exc.args[1:] else []
            raise ErasureError(
                "Some records refer to this file and must be removed first: "
                + (", ".join(str(k) for k in kinds) or "unknown")
            ) from exc
        collected = _collected(collector)
        files = [f for objs in collected.values() for o in objs for f in stored_files(o)]
        histories = _history_rows(collected, client)
        for qs in histories:
            for obj in qs:
                files.extend(stored_files(obj))
        object_keys = {
            (ContentType.objects.get_for_model(model).pk, str(obj.pk))
            for model, objs in collected.items()
            for obj in objs
        }
        with disable_auditlog():
            booking_ids = _anonymise_bookings(client, addresses)
            _, per_model = client.delete()
            for label, n in per_model.items():
                outcome.deleted[label] = outcome.deleted.get(label, 0) + n
            # after the delete: simple-history writes a last copy of each deleted record
            for qs in histories:
                n, _ = qs.delete()
                if n:
                    outcome.deleted[qs.model._meta.label] = n
            if user is not None:
                LogEntry.objects.filter(actor_id=user.pk).update(actor_email=None)
                _anonymise_user(user)
        # the audit trail stays, without names or values
        skip = ContentType.objects.get_for_model(ErasureRequest)
        targets = models.Q(additional_data__client=str(client.pk))
        by_type: dict[int, list[str]] = {}
        for ct, pk in object_keys:
            by_type.setdefault(ct, []).append(pk)
        for ct, pks in by_type.items():
            targets |= models.Q(content_type_id=ct, object_pk__in=pks)
        booking_ct = ContentType.objects.get_for_model(Booking)
        if booking_ids:
            targets |= models.Q(
                content_type=booking_ct, object_pk__in=[str(pk) for pk in booking_ids]
            )
        if user is not None:
            user_ct = ContentType.objects.get_for_model(User)
            targets |= models.Q(content_type=user_ct, object_pk=str(user.pk))
        _redact_entries(LogEntry.objects.filter(targets).exclude(content_type=skip))
        needles = {n for n in names if len(n) >= 3} | addresses
        _redact_entries(_entries_mentioning(needles).exclude(content_type=skip))
        for address in addresses:
            LogEntry.objects.filter(actor_email__iexact=address).update(actor_email=None)
        root = data_dir()
        locked.client = None  # the file is gone; client_ref keeps its id
        locked.status = ErasureStatus.CONFIRMED
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.pending_files = sorted(
            {str(f.path.relative_to(root)) for f in files if f.path.is_relative_to(root)}
        )
        locked.save()
    request.refresh_from_db()
    finish_file_deletion(request, outcome)
    return outcome


def finish_file_deletion(request: ErasureRequest, outcome: Outcome | None = None) -> Outcome:
    """Delete the noted files (after the database work committed) and mark the request done.

    A file that cannot be deleted stays listed, the request stays *confirmed*, and a later call
    tries again."""
    outcome = outcome or Outcome()
    root = data_dir()
    left: list[str] = []
    for name in request.pending_files:
        path = (root / name).resolve()
        if not path.is_relative_to(root):
            continue
        try:
            if path.exists():
                path.unlink()
                outcome.files_deleted += 1
        except OSError:
            log.exception("erasure request %s: a stored file could not be deleted", request.pk)
            left.append(name)
    outcome.files_left = left
    request.pending_files = left
    if not left:
        request.status = ErasureStatus.DONE
        request.done_at = timezone.now()
    request.save()
    return outcome
