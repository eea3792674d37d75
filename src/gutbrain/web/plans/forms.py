"""Forms for plan edits (add, remove, move, update) and the client's weekly check-in.

Every edit form asks for the reason (kept with the version). Every text a practitioner writes
is checked by :func:`gutbrain.knowledge.wording.find_forbidden`: a plan uses wellness
language and never makes a diagnosis or a medical claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from gutbrain.plan import PlanItem
from gutbrain.web.plans.models import RATINGS, CheckIn
from gutbrain.web.plans.services import catalogue, forbidden_wording

__all__ = [
    "AddItemForm",
    "CheckInForm",
    "MoveItemForm",
    "RemoveItemForm",
    "UpdateItemForm",
    "parse_weekly",
]

WORDING_ERROR = (
    "This wording reads as a diagnosis or a medical claim ({ids}). Plans use wellness "
    "language: describe what to do and how it may help, without naming or promising to treat "
    "a condition."
)


def _check_wording(value: str) -> str:
    found = forbidden_wording(value)
    if found:
        raise ValidationError(WORDING_ERROR.format(ids=", ".join(found)), code="wording")
    return value


class _EditForm(forms.Form):
    """Common to every edit: the reason (required, kept with the version)."""

    text_fields: tuple[str, ...] = ()

    reason = forms.CharField(
        label="Reason for the change",
        max_length=500,
        help_text="Kept with the new version (who, when and why).",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in (*self.text_fields, "reason"):
            value = data.get(name)
            if isinstance(value, str) and value:
                try:
                    _check_wording(value)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data


def _item_choices(items: Sequence[PlanItem]) -> list[tuple[str, str]]:
    return [(i.id, f"{n}. {i.title}") for n, i in enumerate(items, start=1)]


class AddItemForm(_EditForm):
    text_fields = ("title", "what", "amount", "frequency")

    rule = forms.ChoiceField(
        label="Recommendation from the catalogue",
        required=False,
        help_text="Or leave this empty and write your own below.",
    )
    title = forms.CharField(label="Title (own recommendation)", max_length=200, required=False)
    what = forms.CharField(
        label="What to do (own recommendation)", widget=forms.Textarea, required=False
    )
    amount = forms.CharField(label="How much", max_length=300, required=False)
    frequency = forms.CharField(label="How often", max_length=200, required=False)
    position = forms.IntegerField(
        label="Position", min_value=1, required=False, help_text="Empty: at the end."
    )

    def __init__(self, *args: Any, n_items: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rule = self.fields["rule"]
        assert isinstance(rule, forms.ChoiceField)
        rule.choices = [("", "— my own recommendation —")] + [
            (e.id, f"{e.title} ({e.family}, evidence {e.evidence_grade})") for e in catalogue()
        ]
        position = self.fields["position"]
        assert isinstance(position, forms.IntegerField)
        position.max_value = n_items + 1
        position.widget.attrs["max"] = n_items + 1

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("rule"):
            for name in ("title", "what"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Needed for your own recommendation.")
        return data


class RemoveItemForm(_EditForm):
    item = forms.ChoiceField(label="Recommendation")

    def __init__(self, *args: Any, items: Sequence[PlanItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _item_choices(items)


class MoveItemForm(RemoveItemForm):
    position = forms.IntegerField(label="New position", min_value=1)

    def __init__(self, *args: Any, items: Sequence[PlanItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, items=items, **kwargs)
        self.n_items = len(items)
        self.fields["position"].widget.attrs["max"] = max(self.n_items, 1)

    def clean_position(self) -> int:
        position = int(self.cleaned_data["position"])
        if position > self.n_items:
            raise ValidationError(f"Choose a position from 1 to {self.n_items}.")
        return position


def parse_weekly(text: str) -> list[float]:
    """``"10, 20 ,30"`` → ``[10.0, 20.0, 30.0]`` (:class:`ValidationError` otherwise).

    >>> parse_weekly("10, 20,30")
    [10.0, 20.0, 30.0]
    """
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValidationError("Give numbers separated by commas, e.g. 10, 15, 20.") from None
    if not values or len(values) > 52 or any(v < 0 or v != v or v == float("inf") for v in values):
        raise ValidationError("Give 1 to 52 numbers of 0 or more, separated by commas.")
    return values


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class UpdateItemForm(_EditForm):
    """Change an item's text and its weekly targets; only what changed is sent to the engine."""

    text_fields = ("title", "what", "amount", "frequency")

    title = forms.CharField(label="Title", max_length=200)
    what = forms.CharField(label="What to do", widget=forms.Textarea)
    amount = forms.CharField(label="How much", max_length=300, required=False)
    frequency = forms.CharField(label="How often", max_length=200, required=False)

    def __init__(self, *args: Any, item: PlanItem, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": item.title,
                "what": item.what,
                "amount": item.amount,
                "frequency": item.frequency,
            },
        )
        super().__init__(*args, **kwargs)
        self.item = item
        for k, target in enumerate(item.targets):
            self.fields[f"target_{k}_weekly"] = forms.CharField(
                label=f"{target.label} ({target.unit}): week by week",
                initial=", ".join(_number(v) for v in target.values),
                help_text="Numbers separated by commas, week 1 first.",
            )
            self.fields[f"target_{k}_goal"] = forms.FloatField(
                label=f"{target.label}: goal", min_value=0, initial=target.goal
            )

    def target_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"target_{k}_weekly"], self[f"target_{k}_goal"])
            for k in range(len(self.item.targets))
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for k in range(len(self.item.targets)):
            name = f"target_{k}_weekly"
            if isinstance(data.get(name), str):
                try:
                    data[name] = parse_weekly(data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        for name in ("amount", "frequency"):
            if getattr(self.item, name) and not data.get(name) and name not in self.errors:
                self.add_error(name, "This cannot be left empty.")
        return data

    def changes(self) -> dict[str, Any]:
        """The fields of the ``update`` edit: only those that differ from the item."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for name in ("title", "what", "amount", "frequency"):
            value = (data.get(name) or "").strip()
            if value and value != getattr(self.item, name):
                out[name] = value
        targets = []
        changed = False
        for k, t in enumerate(self.item.targets):
            weekly = data[f"target_{k}_weekly"]
            goal = float(data[f"target_{k}_goal"])
            changed |= tuple(weekly) != tuple(t.values) or goal != t.goal
            targets.append(
                {
                    "metric": t.metric,
                    "label": t.label,
                    "unit": t.unit,
                    "weekly": weekly,
                    "goal": goal,
                }
            )
        if changed:
            out["targets"] = targets
        return out


class CheckInForm(forms.ModelForm[CheckIn]):
    """The client's weekly check-in: five 0–10 ratings and the plan items done."""

    items_done = forms.MultipleChoiceField(
        label="Which parts of your plan did you do this week?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CheckIn
        fields = ("date", *(name for name, _ in RATINGS))
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "date": forms.DateInput(attrs={"type": "date"}),
            **{
                name: forms.NumberInput(attrs={"min": 0, "max": 10, "step": 1})
                for name, _ in RATINGS
            },
        }

    def __init__(
        self, *args: Any, client: Any, items: Sequence[PlanItem] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        field = self.fields["items_done"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(i.id, i.title) for i in items]
        if not items:
            del self.fields["items_done"]

    def clean_date(self) -> Any:
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise ValidationError("The date cannot be in the future.")
        if CheckIn.objects.filter(client=self.client, date=day).exists():
            raise ValidationError("You have already checked in for this date.")
        return day
