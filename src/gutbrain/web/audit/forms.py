"""Filters of the audit log page (GET): client, actor, action and a date range."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django import forms

__all__ = ["AuditFilterForm"]

ACTIONS = [("", "any"), *((str(value), str(label)) for value, label in LogEntry.Action.choices)]


class AuditFilterForm(forms.Form):
    client = forms.ChoiceField(required=False, label="Client")
    actor = forms.ChoiceField(required=False, label="Who")
    action = forms.ChoiceField(required=False, choices=ACTIONS, label="Action")
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="Until", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        clients: list[tuple[str, str]],
        actors: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["client"]
        actor_field = self.fields["actor"]
        assert isinstance(client_field, forms.ChoiceField)
        assert isinstance(actor_field, forms.ChoiceField)
        client_field.choices = [("", "all"), *clients]
        actor_field.choices = [("", "anyone"), *actors]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("“From” must not be after “Until”.")
        return data
