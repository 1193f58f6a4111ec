"""The staff dashboard on the admin home: reads only, one panel per edition.

It is a read model across every app (readers, digests, deliveries, suppressions, sources), so it
aggregates their tables here instead of asking each app for a dashboard-shaped selector. The one
exception is delivery progress, which belongs to the delivery app and is read through its
selector when that app provides one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from headlines.core import clock
from headlines.core.models import Edition
from headlines.delivery.selectors import digest_progress
from headlines.digests.models import Digest
from headlines.intake.models import Source
from headlines.subscriptions.models import Subscriber, Subscription, Suppression

DELIVERY_STATES = ("sent", "queued", "sending", "deferred", "failed", "suppressed", "skipped")


@dataclass(frozen=True)
class DigestRow:
    digest: Digest
    outcome: str  # "—" until the delivery app reports progress


@dataclass(frozen=True)
class SourceRow:
    source: Source
    status: str  # ok, failing, never fetched, disabled


@dataclass(frozen=True)
class EditionPanel:
    edition: Edition
    readers: int
    pending: int
    series: list[tuple[dt.date, int]]
    chart: SafeString
    unsubscribes_7d: int
    unsubscribes_30d: int
    suppressed: list[tuple[str, int]]
    digests: list[DigestRow]
    sources: list[SourceRow]


@dataclass(frozen=True)
class Dashboard:
    panels: list[EditionPanel]
    suppressions: list[tuple[str, int]]
    generated_at: dt.datetime


def staff_dashboard(*, days: int = 30, digests: int = 5) -> Dashboard:
    today = clock.now().date()
    panels = [
        _panel(edition, today=today, days=days, digests=digests)
        for edition in Edition.objects.order_by("name")
    ]
    return Dashboard(
        panels=panels, suppressions=_suppression_counts(None), generated_at=clock.now()
    )


def _panel(
    edition: Edition,
    *,
    today: dt.date,
    days: int,
    digests: int,
) -> EditionPanel:
    subs = Subscription.objects.filter(edition=edition)
    series = readers_series(edition_id=edition.pk, today=today, days=days)
    now = clock.now()
    recent = Digest.objects.filter(edition=edition).order_by("-date")[:digests]
    return EditionPanel(
        edition=edition,
        readers=subs.filter(status=Subscription.Status.CONFIRMED).count(),
        pending=subs.filter(status=Subscription.Status.PENDING).count(),
        series=series,
        chart=readers_chart(series, label=f"{edition.name}: confirmed readers"),
        unsubscribes_7d=subs.filter(unsubscribed_at__gte=now - dt.timedelta(days=7)).count(),
        unsubscribes_30d=subs.filter(unsubscribed_at__gte=now - dt.timedelta(days=30)).count(),
        suppressed=_suppression_counts(edition),
        digests=[DigestRow(d, _outcome(d)) for d in recent],
        sources=[SourceRow(s, _source_status(s)) for s in edition.sources.order_by("name")],
    )


def readers_series(*, edition_id: int, today: dt.date, days: int) -> list[tuple[dt.date, int]]:
    """Confirmed readers at the end of each of the last `days` days (UTC), oldest first."""
    start = today - dt.timedelta(days=days - 1)
    confirmed = Subscription.objects.filter(edition_id=edition_id, confirmed_at__isnull=False)
    before = (
        confirmed.filter(confirmed_at__date__lt=start).count()
        - confirmed.filter(unsubscribed_at__date__lt=start).count()
    )
    joins = _per_day(confirmed.filter(confirmed_at__date__gte=start), "confirmed_at")
    leaves = _per_day(confirmed.filter(unsubscribed_at__date__gte=start), "unsubscribed_at")
    series, running = [], before
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        running += joins.get(day, 0) - leaves.get(day, 0)
        series.append((day, running))
    return series


def _per_day(queryset: Any, field: str) -> dict[dt.date, int]:
    rows = queryset.annotate(day=TruncDate(field)).values("day").annotate(n=Count("id"))
    return {row["day"]: row["n"] for row in rows}


def _suppression_counts(edition: Edition | None) -> list[tuple[str, int]]:
    """Suppressions by reason: all of them, or those of one edition's readers."""
    suppressions = Suppression.objects.all()
    if edition is not None:
        hashes = Subscriber.objects.filter(subscriptions__edition=edition).values("email_hash")
        suppressions = suppressions.filter(email_hash__in=hashes)
    counts = dict(suppressions.values_list("reason").annotate(n=Count("id")).order_by())
    labels = dict(Suppression.Reason.choices)
    return [(labels[reason], counts[reason]) for reason in labels if counts.get(reason)]


def _outcome(digest: Digest) -> str:
    if digest.state in (Digest.State.DRAFT, Digest.State.APPROVED):
        return "—"
    report = digest_progress(digest_id=digest.pk)
    parts = [f"sent {report.sent} of {report.total}"]
    parts += [
        f"{state} {getattr(report, state)}"
        for state in DELIVERY_STATES[1:]
        if getattr(report, state)
    ]
    return " · ".join(parts)


def _source_status(source: Source) -> str:
    if not source.enabled:
        return "disabled"
    if source.consecutive_failures:
        return "failing"
    if source.last_success_at is None:
        return "never fetched"
    return "ok"


def readers_chart(
    series: list[tuple[dt.date, int]], *, label: str, width: int = 360, height: int = 90
) -> SafeString:
    """An inline SVG line chart, drawn on the server: no script, no external asset."""
    if not series:
        return format_html("<p>{}</p>", "No readers yet.")
    top = max(max(n for _, n in series), 1)
    pad, step = 4, (width - 8) / max(len(series) - 1, 1)
    points = [
        (pad + i * step, height - 18 - (n / top) * (height - 30)) for i, (_, n) in enumerate(series)
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    area = f"{pad},{height - 18} {line} {points[-1][0]:.1f},{height - 18}"
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="1.6"><title>{}: {}</title></circle>',
        (
            (f"{x:.1f}", f"{y:.1f}", day.isoformat(), n)
            for (x, y), (day, n) in zip(points, series, strict=True)
        ),
    )
    return format_html(
        '<svg class="readers-chart" role="img" aria-label="{label}" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title>'
        '<polygon points="{area}" fill="#79aec8" opacity=".25"/>'
        '<polyline points="{line}" fill="none" stroke="#417690" stroke-width="2"/>'
        '<g fill="#417690">{dots}</g>'
        '<text x="{pad}" y="{ty}" font-size="10" fill="#666">{first}</text>'
        '<text x="{tx}" y="{ty}" font-size="10" fill="#666" text-anchor="end">{last}</text>'
        '<text x="{tx}" y="10" font-size="10" fill="#666" text-anchor="end">{top}</text>'
        "</svg>",
        label=label,
        w=width,
        h=height,
        area=area,
        line=line,
        dots=dots,
        pad=pad,
        tx=width - pad,
        ty=height - 4,
        first=f"{series[0][0]:%d %b}",
        last=f"{series[-1][0]:%d %b}",
        top=f"{top:,}",
    )
