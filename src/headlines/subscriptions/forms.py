"""The preferences form: editions, marketing, delivery time zone and hour."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms

from headlines.core.models import Edition
from headlines.subscriptions import wording


@cache
def _zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z)
    return [("", "The edition's own time zone"), *((z, z.replace("_", " ")) for z in zones)]


HOUR_CHOICES = [("", "The edition's send time"), *((str(h), f"{h:02d}:00") for h in range(24))]


class PreferencesForm(forms.Form):
    editions = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Newsletters"
    )
    marketing = forms.BooleanField(required=False, label=wording.MARKETING)
    timezone = forms.ChoiceField(required=False, label="Delivery time zone")
    send_hour = forms.TypedChoiceField(
        required=False,
        choices=HOUR_CHOICES,
        coerce=int,
        empty_value=None,
        label="Delivery hour",
    )

    def __init__(self, *args: Any, editions: list[Edition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["editions"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(e.pk), wording.preferences_newsletter(e)) for e in editions]
        zone = self.fields["timezone"]
        assert isinstance(zone, forms.ChoiceField)
        zone.choices = _zone_choices()

    def edition_ids(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data["editions"]}
