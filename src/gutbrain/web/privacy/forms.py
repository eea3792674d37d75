"""The typed confirmation of an erasure."""

from __future__ import annotations

from typing import Any

from django import forms

__all__ = ["ConfirmErasureForm", "same_name"]


def same_name(typed: str, expected: str) -> bool:
    """Case and runs of spaces do not matter.

    >>> same_name("  alice   OWN ", "Alice Own"), same_name("Alice", "Alice Own")
    (True, False)
    """
    return " ".join(typed.split()).casefold() == " ".join(expected.split()).casefold()


class ConfirmErasureForm(forms.Form):
    name = forms.CharField(
        label="Type the client's name to confirm",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    exported = forms.BooleanField(
        label="I have exported the file, or the client does not want a copy.", required=True
    )

    def __init__(self, *args: Any, expected: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_name(self) -> str:
        typed = str(self.cleaned_data["name"])
        if not same_name(typed, self.expected):
            raise forms.ValidationError("This is not the client's name; nothing was erased.")
        return typed
