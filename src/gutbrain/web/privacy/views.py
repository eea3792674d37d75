"""Client data export (ZIP) and the erasure workflow. Thin views over ``export`` and ``erasure``.

Every state change (export, request, confirmation, cancellation) is a POST with a CSRF token;
every query goes through ``visible_to(user)``, so another practice's or another practitioner's
client is a 404.
"""

from __future__ import annotations

import logging
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gutbrain.web.access import current_user, role_required
from gutbrain.web.accounts.models import Role, User
from gutbrain.web.audit.scope import log_event
from gutbrain.web.clients.models import Client
from gutbrain.web.privacy.erasure import ErasureError, erase, finish_file_deletion
from gutbrain.web.privacy.export import write_export
from gutbrain.web.privacy.forms import ConfirmErasureForm
from gutbrain.web.privacy.models import ErasureRequest, ErasureStatus

__all__ = [
    "erasure_cancel",
    "erasure_detail",
    "erasure_list",
    "erasure_mine",
    "erasure_record",
    "export_client",
    "export_mine",
]

log = logging.getLogger("gutbrain.web.privacy")


def _own_client(user: User) -> Client:
    client = Client.objects.visible_to(user).select_related("practitioner").first()
    if client is None:
        raise PermissionDenied("no client file")
    return client


def _download(user: User, client: Client) -> FileResponse:
    handle, filename = write_export(user, client)
    log_event(client, "export")
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@role_required(Role.CLIENT)
def export_mine(request: HttpRequest) -> FileResponse:
    """The client downloads their own data (what their portal shows)."""
    user = current_user(request)
    return _download(user, _own_client(user))


@require_POST
@role_required(Role.OWNER, Role.PRACTITIONER)
def export_client(request: HttpRequest, pk: UUID) -> FileResponse:
    """The owner or the client's practitioner downloads the whole file."""
    user = current_user(request)
    client = get_object_or_404(Client.objects.visible_to(user), pk=pk)
    return _download(user, client)


def _open_request(client: Client, by: User) -> tuple[ErasureRequest, bool]:
    """The client's open request, or a new one; True when it was created now."""
    existing = ErasureRequest.objects.open().filter(client_ref=client.pk).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            created = ErasureRequest.objects.create(
                practice_id=client.practice_id,
                client=client,
                client_ref=client.pk,
                practitioner_id=client.practitioner_id,
                requested_by=by,
            )
    except IntegrityError:  # a second tab won the race
        return ErasureRequest.objects.open().get(client_ref=client.pk), False
    return created, True


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.CLIENT)
def erasure_mine(request: HttpRequest) -> HttpResponse:
    """The client asks for their file to be erased (and sees the request's state)."""
    user = current_user(request)
    client = _own_client(user)
    if request.method == "POST":
        _, created = _open_request(client, user)
        if created:
            messages.success(request, "Your request is recorded; your practice will confirm it.")
        return redirect("erasure_mine")
    return render(
        request,
        "privacy/erasure_mine.html",
        {
            "client": client,
            "open": ErasureRequest.objects.visible_to(user).open().first(),
        },
    )


@require_POST
@role_required(Role.OWNER, Role.PRACTITIONER)
def erasure_record(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The practitioner (or owner) records a request the client made by other means."""
    user = current_user(request)
    client = get_object_or_404(Client.objects.visible_to(user), pk=pk)
    erasure, _ = _open_request(client, user)
    return redirect("erasure_detail", pk=erasure.pk)


@require_safe
@role_required(Role.OWNER, Role.PRACTITIONER)
def erasure_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    visible = ErasureRequest.objects.visible_to(user).select_related("client", "decided_by")
    return render(
        request,
        "privacy/erasure_list.html",
        {
            "open": visible.open(),
            "closed": visible.filter(status__in=[ErasureStatus.DONE, ErasureStatus.CANCELLED])[:50],
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.OWNER, Role.PRACTITIONER)
def erasure_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Reminder to export first, then the typed confirmation; POST erases."""
    user = current_user(request)
    erasure = get_object_or_404(
        ErasureRequest.objects.visible_to(user).select_related("client"), pk=pk
    )
    if erasure.status == ErasureStatus.CONFIRMED and request.method == "POST":
        finish_file_deletion(erasure)
        return redirect("erasure_detail", pk=erasure.pk)
    client = erasure.client
    form = None
    if erasure.status == ErasureStatus.REQUESTED and client is not None:
        form = ConfirmErasureForm(request.POST or None, expected=client.display_name)
        if request.method == "POST" and form.is_valid():
            try:
                outcome = erase(erasure, by=user)
            except ErasureError as exc:
                messages.error(request, str(exc))
                return redirect("erasure_detail", pk=erasure.pk)
            if outcome.files_left:
                messages.warning(request, "Erased, but some stored files could not be deleted.")
            else:
                messages.success(request, f"The file of client {erasure.client_ref} is erased.")
            return redirect("erasure_list")
    elif request.method == "POST":
        raise Http404("nothing to confirm")
    return render(
        request, "privacy/erasure_detail.html", {"erasure": erasure, "client": client, "form": form}
    )


@require_POST
def erasure_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw (the client) or turn down (owner, practitioner) a request not yet confirmed."""
    user = current_user(request)
    erasure = get_object_or_404(
        ErasureRequest.objects.visible_to(user).filter(status=ErasureStatus.REQUESTED), pk=pk
    )
    erasure.status = ErasureStatus.CANCELLED
    erasure.decided_at = timezone.now()
    erasure.decided_by = user
    erasure.save(update_fields=["status", "decided_at", "decided_by"])
    messages.success(request, "The erasure request is cancelled.")
    return redirect("erasure_mine" if user.role == Role.CLIENT else "erasure_list")
