"""Forms: send a questionnaire set, and answer it (one field per item, from the instruments)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from gutbrain.knowledge.instruments import Instrument, Item, get_instrument, load_instruments
from gutbrain.web.assessments.models import DEFAULT_INSTRUMENTS
from gutbrain.web.clients.models import Client

__all__ = ["AnswerForm", "SendForm", "field_name"]


def field_name(instrument_id: str, item_id: str) -> str:
    """The form field of one item: ``phq9__q9``."""
    return f"{instrument_id}__{item_id}"


class SendForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none(), label="Client")
    instruments = forms.MultipleChoiceField(
        label="Questionnaires",
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_INSTRUMENTS),
    )

    def __init__(self, *args: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["client"]
        assert isinstance(client_field, forms.ModelChoiceField)
        client_field.queryset = clients
        instrument_field = self.fields["instruments"]
        assert isinstance(instrument_field, forms.MultipleChoiceField)
        instrument_field.choices = [(i.id, f"{i.short_name}: {i.name}") for i in load_instruments()]

    def clean_instruments(self) -> list[str]:
        chosen = set(self.cleaned_data["instruments"])
        return [i.id for i in load_instruments() if i.id in chosen]


def _field(item: Item, required: bool) -> forms.Field:
    label = item.text or item.label
    if item.kind == "choice":
        return forms.TypedChoiceField(
            label=label,
            choices=[(o.value, o.label) for o in item.options],
            coerce=int,
            widget=forms.RadioSelect,
            required=required,
            help_text=item.note or "",
            error_messages={"required": "Please choose an answer."},
        )
    help_text = f"{item.unit}, from {item.minimum:g} to {item.maximum:g}"
    messages = {"required": "Please give a number."}
    if item.integer:
        return forms.IntegerField(
            label=label,
            min_value=int(item.minimum),
            max_value=int(item.maximum),
            required=required,
            help_text=help_text,
            error_messages=messages,
        )
    return forms.FloatField(
        label=label,
        min_value=item.minimum,
        max_value=item.maximum,
        required=required,
        help_text=help_text,
        error_messages=messages,
    )


class AnswerForm(forms.Form):
    """Every item of the requested instruments, in order; required unless the instrument marks
    it optional (or it is skipped because the item it depends on was answered 0)."""

    def __init__(self, *args: Any, instrument_ids: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instruments: list[Instrument] = [get_instrument(i) for i in instrument_ids]
        for instrument in self.instruments:
            for item in instrument.items:
                required = not item.optional and item.skipped_when_zero is None
                self.fields[field_name(instrument.id, item.id)] = _field(item, required)

    def sections(self) -> list[tuple[Instrument, list[forms.BoundField]]]:
        """(instrument, its bound fields) for the template."""
        return [
            (inst, [self[field_name(inst.id, item.id)] for item in inst.items])
            for inst in self.instruments
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for instrument in self.instruments:
            for item in instrument.items:
                name = field_name(instrument.id, item.id)
                depends = item.skipped_when_zero
                if depends is None or item.optional or data.get(name) is not None:
                    continue
                if name in self.errors:
                    continue
                if data.get(field_name(instrument.id, depends)) != 0:
                    self.add_error(name, ValidationError("Please give a number."))
        return data

    def answers(self) -> dict[str, dict[str, int | float]]:
        """The answers as the engine's mapping form (unanswered items left out)."""
        out: dict[str, dict[str, int | float]] = {}
        for instrument in self.instruments:
            values = {}
            for item in instrument.items:
                value = self.cleaned_data.get(field_name(instrument.id, item.id))
                if value is not None:
                    values[item.id] = value
            out[instrument.id] = values
        return out
