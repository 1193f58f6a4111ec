"""`{% edition_clicks edition %}`: the dashboard's clicks panel for one edition."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from headlines.core.models import Edition
from headlines.engagement import charts, selectors

register = template.Library()


@register.simple_tag
def edition_clicks(edition: Edition) -> SafeString:
    trend = selectors.clicks_trend(edition_id=edition.pk)
    context = {
        "chart": charts.trend_bars(trend, label=f"{edition.name}: clicks per digest"),
        "digests": selectors.digests_with_clicks(edition_id=edition.pk),
    }
    return mark_safe(render_to_string("engagement/edition_clicks.html", context))  # noqa: S308
