"""Upload a stool-test file for a client, follow its analysis, download the report.

Staff only (``role_required``); every object through ``visible_to(user)`` (others' → 404).
The upload view swaps in :class:`~.services.StreamingUploadHandler` before the body is read,
so the file goes straight to the data folder; CSRF is checked after that swap.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gutbrain.web.access import current_user, role_required
from gutbrain.web.accounts.models import Role
from gutbrain.web.audit.registry import record_access
from gutbrain.web.clients.models import Client
from gutbrain.web.results import services
from gutbrain.web.results.checks import UploadRejectedError
from gutbrain.web.results.forms import UploadForm
from gutbrain.web.results.models import Result, Upload, UploadStatus
from gutbrain.web.results.storage import reports_dir

__all__ = ["result_report", "result_share", "upload_new", "upload_retry", "upload_status"]

STAFF = (Role.OWNER, Role.PRACTITIONER)
#: room for the form fields and multipart headers around the file
_ENVELOPE = 64 * 1024


def _form_page(
    request: HttpRequest, client: Client, form: UploadForm, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "results/upload.html",
        {
            "client": client,
            "form": form,
            "error": error,
            "max_mb": services.limits().max_bytes >> 20,
        },
        status=status,
    )


@csrf_protect
def _receive(request: HttpRequest, client: Client) -> HttpResponse:
    handler = request.upload_handlers[0]
    assert isinstance(handler, services.StreamingUploadHandler)
    form = UploadForm(request.POST, request.FILES)
    if handler.too_big:
        limit = services.limits().max_bytes >> 20
        error = f"The file is larger than the {limit} MB limit. Upload it gzip-compressed (.gz)."
        return _form_page(request, client, UploadForm(), error, status=413)
    if not form.is_valid():
        return _form_page(request, client, form, status=400)
    received = form.cleaned_data["file"]
    if not isinstance(received, services.ReceivedFile):
        return _form_page(request, client, form, "The file did not arrive.", status=400)
    try:
        upload = services.accept_upload(received, client, current_user(request))
    except UploadRejectedError as exc:
        return _form_page(request, client, UploadForm(), str(exc), status=400)
    return redirect("upload_status", upload.pk)


@csrf_exempt  # checked by _receive, after the upload handler is in place
@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*STAFF)
def upload_new(request: HttpRequest, client_pk: UUID) -> HttpResponse:
    user = current_user(request)
    client = get_object_or_404(Client.objects.visible_to(user), pk=client_pk)
    if request.method != "POST":
        return _form_page(request, client, UploadForm())
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > services.limits().max_bytes + _ENVELOPE:
        limit = services.limits().max_bytes >> 20
        error = f"The file is larger than the {limit} MB limit. Upload it gzip-compressed (.gz)."
        return _form_page(request, client, UploadForm(), error, status=413)
    handler = services.StreamingUploadHandler(request)
    request.upload_handlers = [handler]
    try:
        return _receive(request, client)
    finally:
        handler.discard_all()  # whatever was not accepted (an accepted file has moved already)


@require_safe
@role_required(*STAFF)
def upload_status(request: HttpRequest, pk: UUID) -> HttpResponse:
    qs = Upload.objects.visible_to(request.user).select_related("client", "created_by")
    upload = get_object_or_404(qs, pk=pk)
    record_access(upload)
    return render(
        request,
        "results/status.html",
        {
            "upload": upload,
            "results": upload.results.visible_to(request.user),
            "refresh": not upload.is_finished,
            "failed": upload.status == UploadStatus.FAILED,
        },
    )


@require_POST
@role_required(*STAFF)
def upload_retry(request: HttpRequest, pk: UUID) -> HttpResponse:
    upload = get_object_or_404(Upload.objects.visible_to(request.user), pk=pk)
    services.retry(upload)
    return redirect("upload_status", upload.pk)


@require_safe
@role_required(*STAFF)
def result_report(request: HttpRequest, pk: UUID, kind: str) -> FileResponse:
    result = get_object_or_404(Result.objects.visible_to(request.user), pk=pk)
    name = {"html": result.report_html, "pdf": result.report_pdf}.get(kind, "")
    if not name:
        raise Http404("no such report")
    path = reports_dir() / Path(name).name
    if not path.is_file():
        raise Http404("report file missing")
    record_access(result)
    sample = "".join(c if c.isalnum() or c in "-_" else "_" for c in result.sample)[:60]
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"gutbrain-report-{sample or result.pk}.{kind}",
        content_type="text/html; charset=utf-8" if kind == "html" else "application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@role_required(*STAFF)
def result_share(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Share a profile with the client (they see it in their portal), or take it back."""
    result = get_object_or_404(Result.objects.visible_to(request.user), pk=pk)
    shared = request.POST.get("shared") == "1"
    if result.shared_with_client != shared:
        result.shared_with_client = shared
        result.save(update_fields=["shared_with_client"])
    return redirect("result_detail", pk=result.pk)
