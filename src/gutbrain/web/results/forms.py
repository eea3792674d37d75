"""The upload form: one file; the checks themselves live in :mod:`.checks`."""

from __future__ import annotations

from django import forms

from gutbrain.web.results.checks import ACCEPTED

__all__ = ["UploadForm"]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Stool-test file",
        help_text=f"Accepted: {ACCEPTED}.",
        widget=forms.ClearableFileInput(attrs={"accept": ".tsv,.txt,.csv,.biom,.gz,.zip"}),
    )
