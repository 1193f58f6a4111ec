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
    # One read for both: the chart's last 14 digests, newest first; the links name 5 of them.
    recent = selectors.last_digests_clicks(edition_id=edition.pk, digests=14)
    context = {
        "chart": charts.trend_bars(
            selectors.as_trend(recent), label=f"{edition.name}: clicks per digest"
        ),
        "digests": recent[:5],
    }
    return mark_safe(render_to_string("engagement/edition_clicks.html", context))  # noqa: S308
