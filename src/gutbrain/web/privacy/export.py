"""A client's file as a ZIP (GDPR Art. 15/20: structured, machine-readable).

Members (all JSON, UTF-8): ``client.json`` (the file's profile), ``results/<id>.json``,
``assessments/<id>.json``, ``plans/<id>.json`` (with the plan's version history),
``questionnaires/<id>.json``, ``check-ins/<id>.json`` and ``bookings/<id>.json`` when there are
any, the stored files (uploads, rendered reports) under ``files/``, ``audit.json`` (the audit
entries about the file: who, when, what, field names only) and last ``manifest.json``: the
format, the export time, and the size and SHA-256 of every other member.

The archive is written to an anonymous temporary file in the data folder (deleted when closed)
and streamed from there, so large stored files never sit in memory.

What goes in follows ``visible_to(user)``: a client exporting their own file gets what they
can see in the portal (shared results, published plans and their published versions); the
practitioner or owner gets the whole file.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from uuid import UUID

from django.apps import apps
from django.db import models
from django.utils import timezone

from gutbrain import __version__
from gutbrain.web.accounts.models import Role, User
from gutbrain.web.audit.scope import entries_visible_to
from gutbrain.web.audit.views import describe
from gutbrain.web.booking.models import Booking
from gutbrain.web.clients.models import Client
from gutbrain.web.plans.models import PlanStatus
from gutbrain.web.privacy.files import StoredFile, data_dir, stored_files

__all__ = ["EXPORT_FORMAT", "row", "write_export"]

EXPORT_FORMAT = "gutbrain-export/1"
#: fields never exported (secrets)
SECRET_FIELDS = frozenset({"token_hash", "verify_token_hash", "manage_token_hash", "password"})
CHUNK = 1 << 16


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    return value


def row(obj: models.Model, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Every concrete field of ``obj`` (foreign keys as ids), JSON-ready, secrets left out."""
    left_out = SECRET_FIELDS | set(skip)
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in left_out:
            continue
        key = field.attname if field.is_relation else field.name
        out[key] = _json_value(getattr(obj, field.attname))
    return out


def _dumps(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


class _Writer:
    """Adds members to the archive, keeping each one's size and SHA-256 for the manifest."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.members: list[dict[str, Any]] = []

    def add_json(self, name: str, data: Any, kind: str) -> None:
        body = _dumps(data)
        self.archive.writestr(name, body)
        self.members.append(
            {
                "path": name,
                "kind": kind,
                "bytes": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
            }
        )

    def add_file(self, stored: StoredFile, kind: str) -> None:
        digest = hashlib.sha256()
        size = 0
        with stored.path.open("rb") as source, self.archive.open(stored.member, "w") as target:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        self.members.append(
            {"path": stored.member, "kind": kind, "bytes": size, "sha256": digest.hexdigest()}
        )


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": str(user), "role": user.role}


def _client_json(client: Client) -> dict[str, Any]:
    return {
        "id": str(client.pk),
        "display_name": client.display_name,
        "email": client.email,
        "practice": {"id": client.practice_id, "name": client.practice.name},
        "practitioner": _person(client.practitioner),
        "portal_account": (
            {"email": client.user.email, "joined": client.user.date_joined.isoformat()}
            if client.user is not None
            else None
        ),
        "created_at": client.created_at.isoformat(),
        "consent_at": client.consent_at.isoformat() if client.consent_at else None,
    }


def _checkin_model() -> type[models.Model] | None:
    """The plans app's ``CheckIn`` model, when this version has one."""
    try:
        return apps.get_model("plans", "CheckIn")
    except LookupError:
        return None


def _files_of(objects: Iterable[models.Model]) -> list[StoredFile]:
    return [f for obj in objects for f in stored_files(obj) if f.path.is_file()]


def _plan_versions(plan: Any, client_view: bool) -> list[dict[str, Any]]:
    versions = plan.history.order_by("history_date", "history_id")
    if client_view:
        versions = versions.filter(status=PlanStatus.PUBLISHED)
    return [
        {
            "history_id": v.history_id,
            "date": v.history_date.isoformat(),
            "change": {"+": "created", "~": "changed", "-": "deleted"}.get(v.history_type, ""),
            "by": _person(v.history_user),
            "status": v.status,
            "format": v.format,
            "document": v.document,
        }
        for v in versions
    ]


def _audit(user: User, client: Client) -> list[dict[str, Any]]:
    entries = entries_visible_to(user).filter(additional_data__client=str(client.pk))
    out = []
    for entry in entries.order_by("timestamp", "pk"):
        described = describe(entry, {})
        out.append(
            {
                "time": described["timestamp"].isoformat(),
                "actor": described["actor"] or None,
                "actor_role": described["actor_role"] or None,
                "action": described["action"],
                "event": described["event"] or None,
                "record": described["kind"],
                "record_id": described["object_pk"],
                "fields": described["fields"],
            }
        )
    return out


def write_export(user: User, client: Client) -> tuple[IO[bytes], str]:
    """The ZIP of ``client``'s file as ``user`` may see it: an open temporary file, positioned
    at its start, and a file name for it. The caller closes the file (which deletes it)."""
    client_view = user.role == Role.CLIENT
    results = list(client.results.visible_to(user))
    assessments = list(client.assessments.visible_to(user))
    plans = list(client.plans.visible_to(user))
    requests = [] if client_view else list(client.questionnaire_requests.all())
    checkin_model = _checkin_model()
    checkins: list[models.Model] = []
    if checkin_model is not None:
        checkins = list(checkin_model._default_manager.filter(client=client))
    bookings = list(
        Booking.objects.visible_to(user)
        .filter(practice_id=client.practice_id)
        .filter(_email_q(client))
    )
    uploads_model = _model("results", "Upload")
    uploads: list[models.Model] = []
    if uploads_model is not None and not client_view:
        uploads = list(uploads_model._default_manager.filter(client=client))

    handle: IO[bytes] = tempfile.TemporaryFile(dir=data_dir())  # noqa: SIM115 (caller closes)
    try:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            out = _Writer(archive)
            out.add_json("client.json", _client_json(client), "client")
            for r in results:
                out.add_json(f"results/{r.pk}.json", row(r), "result")
            for a in assessments:
                out.add_json(f"assessments/{a.pk}.json", row(a), "assessment")
            for p in plans:
                data = row(p)
                data["history"] = _plan_versions(p, client_view)
                out.add_json(f"plans/{p.pk}.json", data, "plan")
            for q in requests:
                out.add_json(f"questionnaires/{q.pk}.json", row(q), "questionnaire request")
            for c in checkins:
                out.add_json(f"check-ins/{c.pk}.json", row(c), "check-in")
            for b in bookings:
                out.add_json(f"bookings/{b.pk}.json", row(b), "booking")
            for u in uploads:
                out.add_json(f"uploads/{u.pk}.json", row(u), "upload")
            for stored in _files_of([*results, *uploads]):
                out.add_file(stored, "file")
            out.add_json("audit.json", _audit(user, client), "audit entries")
            manifest = {
                "format": EXPORT_FORMAT,
                "generator": f"gutbrain {__version__}",
                "exported_at": timezone.now().isoformat(),
                "exported_by": _person(user),
                "client_id": str(client.pk),
                "view": "client" if client_view else "practice",
                "document_formats": sorted(
                    {str(getattr(d, "format", "")) for d in [*results, *assessments, *plans]}
                ),
                "members": out.members,
            }
            archive.writestr("manifest.json", _dumps(manifest))
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle, f"gutbrain-export-{client.pk}.zip"


def _email_q(client: Client) -> models.Q:
    """Bookings are made by e-mail address: the file's address or the portal login's."""
    q = models.Q(email__iexact=client.email)
    if client.user is not None:
        q |= models.Q(email__iexact=client.user.email)
    return q


def _model(app_label: str, name: str) -> type[models.Model] | None:
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None
