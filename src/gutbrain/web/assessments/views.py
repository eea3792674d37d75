"""Questionnaires: send a set to a client, answer it (single-use link or portal), and the
safety escalation (crisis resources for the client, an alert the practitioner acknowledges).

Every query for client data goes through ``visible_to(request.user)``; the public link view
finds its request only by the hash of the token.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gutbrain.errors import GutBrainError
from gutbrain.knowledge.wording import load_safety_wording
from gutbrain.web.access import current_user, role_required
from gutbrain.web.accounts.models import Role
from gutbrain.web.assessments.forms import AnswerForm, SendForm
from gutbrain.web.assessments.models import QuestionnaireRequest, SafetyAlert
from gutbrain.web.assessments.services import AlreadyUsedError, submit
from gutbrain.web.clients.models import Client, hash_token

__all__ = ["acknowledge_alert", "questionnaire_link", "questionnaire_portal", "send_questionnaires"]

log = logging.getLogger("gutbrain.web.questionnaires")


def _send_mail(q: QuestionnaireRequest, link: str) -> bool:
    practice = q.client.practice.name
    body = (
        f"Hello {q.client.display_name},\n\n"
        f"{q.created_by} of {practice} asks you to answer a few questionnaires.\n"
        f"Open this link to answer them (it works once, until "
        f"{q.expires_at:%Y-%m-%d %H:%M} UTC):\n\n{link}\n\n"
        "If you have an account, you also find them on your page after signing in.\n"
        "If you did not expect this e-mail, ignore it.\n"
    )
    try:
        send_mail(f"Questionnaires from {practice}", body, None, [q.client.email])
    except Exception:  # SMTP down: the sender still gets the link to pass on
        log.exception("questionnaire request %s: e-mail could not be sent", q.pk)
        return False
    return True


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PRACTITIONER)
def send_questionnaires(request: HttpRequest) -> HttpResponse:
    """A practitioner sends a questionnaire set to one of their clients."""
    user = current_user(request)
    clients = Client.objects.visible_to(user)
    initial: dict[str, Any] = {}
    wanted = request.GET.get("client", "")
    if wanted and clients.filter(pk__in=[wanted] if _is_uuid(wanted) else []).exists():
        initial["client"] = wanted
    form = SendForm(request.POST or None, clients=clients, initial=initial)
    if request.method == "POST" and form.is_valid():
        client = form.cleaned_data["client"]
        q, token = QuestionnaireRequest.issue(
            created_by=user, client=client, instruments=form.cleaned_data["instruments"]
        )
        link = request.build_absolute_uri(reverse("questionnaire_link", args=[token]))
        sent = _send_mail(q, link)
        return render(
            request, "assessments/sent.html", {"q": q, "client": client, "link": link, "sent": sent}
        )
    return render(request, "assessments/send.html", {"form": form})


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _closed(request: HttpRequest, q: QuestionnaireRequest | None) -> HttpResponse | None:
    """The page for a request that cannot be answered (None when it can)."""
    if q is None:
        return render(request, "assessments/link_invalid.html", status=404)
    if q.used_at is not None:
        return render(request, "assessments/link_used.html", status=410)
    if q.is_expired:
        return render(request, "assessments/link_expired.html", status=410)
    return None


def _answer(request: HttpRequest, q: QuestionnaireRequest, channel: str) -> HttpResponse:
    form = AnswerForm(request.POST or None, instrument_ids=list(q.instruments))
    wording = load_safety_wording()
    if request.method == "POST" and form.is_valid():
        try:
            done = submit(q, form.answers(), user=request.user, channel=channel)
        except AlreadyUsedError:
            return render(request, "assessments/link_used.html", status=410)
        except GutBrainError as exc:
            form.add_error(None, str(exc))
        else:
            return render(
                request,
                "assessments/thanks.html",
                {"safety": done.safety, "wording": wording, "portal": channel == "portal"},
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "assessments/answer.html",
        {"form": form, "q": q, "wording": wording, "portal": channel == "portal"},
        status=status,
    )


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def questionnaire_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail: answer the questionnaires once, before the link expires."""
    q = (
        QuestionnaireRequest.objects.select_related("client__practice")
        .filter(token_hash=hash_token(token))
        .first()
    )
    closed = _closed(request, q)
    if closed is not None or q is None:
        return closed or render(request, "assessments/link_invalid.html", status=404)
    return _answer(request, q, "link")


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.CLIENT)
def questionnaire_portal(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The same request, answered by the signed-in client from their page."""
    user = current_user(request)
    q = get_object_or_404(
        QuestionnaireRequest.objects.visible_to(user).select_related("client__practice"), pk=pk
    )
    closed = _closed(request, q)
    if closed is not None:
        return closed
    return _answer(request, q, "portal")


@require_POST
@role_required(Role.OWNER, Role.PRACTITIONER)
def acknowledge_alert(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's practitioner (or the owner) acknowledges an urgent safety alert."""
    user = current_user(request)
    alert = get_object_or_404(SafetyAlert.objects.visible_to(user), pk=pk)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = user
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        messages.success(request, "Safety alert acknowledged.")
    return redirect("dashboard")
