"""Forms: invite someone, and accept an invitation by choosing a password."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from gutbrain.web.accounts.models import Practice, Role, User
from gutbrain.web.clients.models import Invitation

__all__ = ["AcceptInvitationForm", "InviteForm"]


class InviteForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="E-mail address")

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.practice = practice

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("Someone already has an account with this e-mail address.")
        if Invitation.objects.usable().filter(practice=self.practice, email=email).exists():
            raise ValidationError("An open invitation for this e-mail address exists already.")
        return email


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; a long phrase is easiest to remember.",
    )
    password2 = forms.CharField(
        label="The same password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        if invitation.role == Role.CLIENT:
            self.fields["consent"] = forms.BooleanField(
                label=(
                    "I agree that my practice stores the health information I give and the "
                    "results of my tests to advise me, as described in its privacy notice."
                ),
                required=True,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            candidate = User(
                email=self.invitation.email,
                full_name=self.invitation.full_name,
                role=self.invitation.role,
            )
            try:
                password_validation.validate_password(p1, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data
