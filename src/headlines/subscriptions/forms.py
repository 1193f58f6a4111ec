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

    topics = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Topics (none ticked: the whole digest)",
    )

    def __init__(
        self,
        *args: Any,
        editions: list[Edition],
        topics: list[tuple[int, str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        names = {e.pk: e.name for e in editions}
        self.topic_choices = topics or []
        chosen = self.fields["topics"]
        assert isinstance(chosen, forms.MultipleChoiceField)
        chosen.choices = [(f"{e}:{slug}", f"{names[e]}: {name}") for e, slug, name in topics or []]
        field = self.fields["editions"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(e.pk), wording.preferences_newsletter(e)) for e in editions]
        zone = self.fields["timezone"]
        assert isinstance(zone, forms.ChoiceField)
        zone.choices = _zone_choices()

    def edition_ids(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data["editions"]}

    def topics_by_edition(self, edition_ids: list[int]) -> dict[int, list[str]]:
        """Each edition's ticked topic slugs (an edition with none ticked: the whole digest)."""
        chosen: dict[int, list[str]] = {e: [] for e in edition_ids}
        for value in self.cleaned_data.get("topics") or []:
            edition, _, slug = value.partition(":")
            chosen.setdefault(int(edition), []).append(slug)
        return chosen
