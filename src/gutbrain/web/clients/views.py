"""Client list and file, invitations (sending and accepting). Thin views over the models."""

from __future__ import annotations

import logging
from uuid import UUID

from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from gutbrain.web.access import current_user, role_required
from gutbrain.web.accounts.models import Role, User
from gutbrain.web.accounts.services import create_account
from gutbrain.web.audit.registry import record_access
from gutbrain.web.clients.forms import AcceptInvitationForm, InviteForm
from gutbrain.web.clients.models import Client, Invitation, hash_token

__all__ = [
    "client_detail",
    "client_list",
    "invitation_accept",
    "invitation_open",
    "invite_client",
    "invite_practitioner",
]

log = logging.getLogger("gutbrain.web.invitations")

#: Session key holding the id of the invitation being accepted (the token leaves the URL).
SESSION_INVITATION = "gutbrain_invitation"


@require_safe
@role_required(Role.OWNER, Role.PRACTITIONER)
def client_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    clients = Client.objects.visible_to(user).select_related("practitioner", "user")
    return render(request, "clients/list.html", {"clients": clients})


@require_safe
@role_required(Role.OWNER, Role.PRACTITIONER)
def client_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    user = current_user(request)
    client = get_object_or_404(
        Client.objects.visible_to(user).select_related("practitioner", "user"), pk=pk
    )
    record_access(client)
    return render(
        request,
        "clients/detail.html",
        {
            "client": client,
            "results": client.results.visible_to(user),
            "assessments": client.assessments.visible_to(user),
            "plans": client.plans.visible_to(user),
            "invitations": Invitation.objects.visible_to(user).filter(client=client),
        },
    )


def _send_invitation(request: HttpRequest, invitation: Invitation, link: str) -> bool:
    practice = invitation.practice.name
    body = (
        f"Hello {invitation.full_name},\n\n"
        f"{invitation.created_by} invites you to join {practice} on gutbrain.\n"
        f"Open this link to choose your password (it works once, until "
        f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC):\n\n{link}\n\n"
        "If you did not expect this e-mail, ignore it.\n"
    )
    try:
        send_mail(f"Invitation to {practice}", body, None, [invitation.email])
    except Exception:  # SMTP down: the inviter still gets the link to pass on
        log.exception("invitation %s: e-mail could not be sent", invitation.pk)
        return False
    return True


def _invite(request: HttpRequest, role: Role) -> HttpResponse:
    user = current_user(request)
    form = InviteForm(request.POST or None, practice=user.practice)
    if request.method == "POST" and form.is_valid():
        name, email = form.cleaned_data["full_name"], form.cleaned_data["email"]
        with transaction.atomic():
            client = None
            if role == Role.CLIENT:
                client = Client.objects.create(
                    practice=user.practice, practitioner=user, display_name=name, email=email
                )
            invitation, token = Invitation.issue(
                created_by=user, role=role, email=email, full_name=name, client=client
            )
        link = request.build_absolute_uri(reverse("invitation_open", args=[token]))
        sent = _send_invitation(request, invitation, link)
        return render(
            request,
            "clients/invitation_sent.html",
            {"invitation": invitation, "link": link, "sent": sent, "client": client},
        )
    template = "clients/invite_client.html" if role == Role.CLIENT else "clients/invite_team.html"
    return render(request, template, {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PRACTITIONER)
def invite_client(request: HttpRequest) -> HttpResponse:
    """A practitioner opens a client file and invites the client to the portal."""
    return _invite(request, Role.CLIENT)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.OWNER)
def invite_practitioner(request: HttpRequest) -> HttpResponse:
    """The owner invites a practitioner to the practice."""
    return _invite(request, Role.PRACTITIONER)


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "clients/invitation_invalid.html", status=404)


@login_not_required
@require_safe
def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail: check the token, keep the invitation in the session, and move
    to a URL without the token (it must not linger in history or Referer headers)."""
    invitation = Invitation.objects.usable().filter(token_hash=hash_token(token)).first()
    if invitation is None:
        return _invalid(request)
    if request.user.is_authenticated:
        logout(request)
    request.session[SESSION_INVITATION] = invitation.pk
    return redirect("invitation_accept")


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request: HttpRequest) -> HttpResponseBase:
    """Choose a password; creates the account, links the client file, and signs in."""
    pk = request.session.get(SESSION_INVITATION)
    invitation = (
        Invitation.objects.usable().select_related("practice", "client").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if invitation is None:
        return _invalid(request)
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        with transaction.atomic():
            # single use, even under a race: only one request can flip accepted_at
            won = Invitation.objects.usable().filter(pk=invitation.pk).update(accepted_at=now)
            if won != 1 or User.objects.filter(email__iexact=invitation.email).exists():
                transaction.set_rollback(True)
                return _invalid(request)
            user = create_account(
                invitation.email,
                form.cleaned_data["password1"],
                role=Role(invitation.role),
                practice=invitation.practice,
                full_name=invitation.full_name,
            )
            Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
            if invitation.client is not None:
                client = invitation.client
                client.user = user
                client.consent_at = now
                client.save(update_fields=["user", "consent_at"])
        request.session.pop(SESSION_INVITATION, None)
        messages.success(request, f"Welcome to {invitation.practice.name}.")
        response: HttpResponseBase = perform_login(
            request, user, email_verification="none", redirect_url=reverse("dashboard")
        )
        return response
    return render(request, "clients/accept.html", {"form": form, "invitation": invitation})
