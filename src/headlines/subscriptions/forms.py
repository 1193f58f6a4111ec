"""The preferences form: editions, marketing, delivery time zone and hour."""

from __future__ import annotations

from typing import Any

from django import forms

from headlines.core.errors import InvalidInput
from headlines.core.models import Edition
from headlines.core.services import parse_timezone
from headlines.subscriptions import timezones, wording


class ZoneField(forms.ChoiceField):
    """The common zones by region on the page; any valid IANA zone accepted (the browser's)."""

    def valid_value(self, value: Any) -> bool:
        if value in ("", None):
            return True
        try:
            parse_timezone(str(value))
        except InvalidInput:
            return False
        return True


HOUR_CHOICES = [("", "The edition's send time"), *((str(h), f"{h:02d}:00") for h in range(24))]


class PreferencesForm(forms.Form):
    editions = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Newsletters"
    )
    marketing = forms.BooleanField(required=False, label=wording.MARKETING)
    timezone = ZoneField(required=False, label="Delivery time zone")
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
        current = str(self.data.get("timezone") or self.initial.get("timezone") or "")
        own = editions[0].timezone if len({e.timezone for e in editions}) == 1 else ""
        zone.choices = timezones.zone_choices(
            extra=current if zone.valid_value(current) else "",
            empty_label=f"The newsletter's own ({timezones.place(own)})"
            if own
            else "Each newsletter's own time zone",
        )

    def edition_ids(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data["editions"]}
