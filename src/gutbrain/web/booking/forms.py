"""Forms: the booker's name and e-mail, the practitioner's availability and weekly rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

from gutbrain.web.booking.models import Availability, WeeklyRule

__all__ = ["AvailabilityForm", "BookerForm", "RuleForm"]

if TYPE_CHECKING:
    _AvailabilityBase = forms.ModelForm[Availability]
    _RuleBase = forms.ModelForm[WeeklyRule]
else:  # ModelForm is not subscriptable at run time
    _AvailabilityBase = _RuleBase = forms.ModelForm


class BookerForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=200)
    email = forms.EmailField(label="Your e-mail address")


class AvailabilityForm(_AvailabilityBase):
    class Meta:
        model = Availability
        fields = (
            "published",
            "time_zone",
            "slot_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "min_notice_hours",
            "horizon_days",
            "daily_cap",
            "cancel_notice_hours",
        )


class RuleForm(_RuleBase):
    class Meta:
        model = WeeklyRule
        fields = ("weekday", "start", "end")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and end <= start:
            self.add_error("end", "The end must be after the start.")
        return data
