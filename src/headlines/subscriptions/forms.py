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


HOURS = [(str(h), f"{h:02d}:00") for h in range(24)]


class PreferencesForm(forms.Form):
    editions = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Newsletters"
    )
    marketing = forms.BooleanField(required=False, label=wording.MARKETING)
    timezone = ZoneField(required=False, label="Delivery time zone")
    send_hour = forms.TypedChoiceField(
        required=False,
        choices=[("", "Each newsletter's own send time"), *HOURS],
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
        current = str(self.data.get("timezone") or self.initial.get("timezone") or "")
        own = editions[0].timezone if len({e.timezone for e in editions}) == 1 else ""
        zone.choices = timezones.zone_choices(
            extra=current if zone.valid_value(current) else "",
            empty_label=f"The newsletter's own ({timezones.place(own)})"
            if own
            else "Each newsletter's own time zone",
        )

        hour = self.fields["send_hour"]
        assert isinstance(hour, forms.ChoiceField)
        # In the reader's words, as the zone's: the hour a blank choice leaves them, when the
        # newsletters share one.
        times = {e.send_at for e in editions}
        if len(times) == 1:
            hour.choices = [("", f"The newsletter's own ({next(iter(times)):%H:%M})"), *HOURS]

    def edition_ids(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data["editions"]}

    def topics_by_edition(self, edition_ids: list[int]) -> dict[int, list[str]]:
        """Each edition's ticked topic slugs (an edition with none ticked: the whole digest)."""
        chosen: dict[int, list[str]] = {e: [] for e in edition_ids}
        for value in self.cleaned_data.get("topics") or []:
            edition, _, slug = value.partition(":")
            chosen.setdefault(int(edition), []).append(slug)
        return chosen
