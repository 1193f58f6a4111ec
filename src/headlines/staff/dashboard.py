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

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from headlines.core import clock
from headlines.core.models import Edition
from headlines.core.names import escaped_cut
from headlines.delivery.selectors import deliveries_held_back, ledger_counts
from headlines.digests.models import Digest
from headlines.intake.models import Source
from headlines.subscriptions.models import Subscription, Suppression

DELIVERY_STATES = ("sent", "queued", "sending", "deferred", "failed", "suppressed", "skipped")


@dataclass(frozen=True)
class DigestRow:
    digest: Digest
    outcome: str  # "—" until the delivery app reports progress
    held_back: str = ""  # the relay's reply its deferred readers wait on (a refusal of us)

    @property
    def problem(self) -> str:
        """The reply as the panel shows it: escaped, cut on a whole escape."""
        return escaped_cut(self.held_back, 299)


@dataclass(frozen=True)
class SourceRow:
    source: Source
    status: str  # ok, failing, never fetched, disabled

    @property
    def error(self) -> str:
        """The source's last error as the panel shows it: escaped, cut on a whole escape."""
        return escaped_cut(self.source.last_error, 299)


@dataclass(frozen=True)
class EditionPanel:
    edition: Edition
    readers: int
    pending: int
    series: list[tuple[dt.date, int]]
    chart: SafeString
    unsubscribes_7d: int
    unsubscribes_30d: int
    digests: list[DigestRow]
    sources: list[SourceRow]


@dataclass(frozen=True)
class Dashboard:
    panels: list[EditionPanel]
    suppressions: list[tuple[str, int]]  # every edition's: a suppression holds for them all
    generated_at: dt.datetime


def staff_dashboard(*, days: int = 30, digests: int = 5) -> Dashboard:
    today = clock.now().date()
    panels = [
        _panel(edition, today=today, days=days, digests=digests)
        for edition in Edition.objects.order_by("name")
    ]
    return Dashboard(panels=panels, suppressions=_suppression_counts(), generated_at=clock.now())


def _panel(
    edition: Edition,
    *,
    today: dt.date,
    days: int,
    digests: int,
) -> EditionPanel:
    statuses = _status_counts(edition.pk)
    readers = statuses[Subscription.Status.CONFIRMED]
    series = readers_series(edition_id=edition.pk, today=today, days=days, readers=readers)
    unsubscribes_7d, unsubscribes_30d = _unsubscribes(edition.pk, now=clock.now())
    recent = list(Digest.objects.filter(edition=edition).order_by("-date")[:digests])
    sending = [d.pk for d in recent if d.state not in (Digest.State.DRAFT, Digest.State.APPROVED)]
    ledgers = ledger_counts(digest_ids=sending)
    held = deliveries_held_back(digest_ids=[d for d in sending if ledgers[d]["deferred"]])
    return EditionPanel(
        edition=edition,
        readers=readers,
        pending=statuses[Subscription.Status.PENDING],
        series=series,
        chart=readers_chart(series, label=f"{edition.name}: confirmed readers"),
        unsubscribes_7d=unsubscribes_7d,
        unsubscribes_30d=unsubscribes_30d,
        digests=[DigestRow(d, _outcome(ledgers.get(d.pk)), held.get(d.pk, "")) for d in recent],
        sources=[SourceRow(s, _source_status(s)) for s in edition.sources.order_by("name")],
    )


def _status_counts(edition_id: int) -> dict[str, int]:
    """The edition's subscriptions per status, exact: one GROUP BY over its entries of the
    (edition, status, …) index, read alone (COUNT(*), no column of the table)."""
    counts = dict.fromkeys(Subscription.Status.values, 0)
    rows = (
        Subscription.objects.filter(edition_id=edition_id)
        .values("status")
        .annotate(n=Count("*"))
        .order_by()
    )
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def _unsubscribes(edition_id: int, *, now: dt.datetime) -> tuple[int, int]:
    """Unsubscribes over the last 7 and 30 days: one range of the (edition, unsubscribed_at)
    index, as long as the month's unsubscribes."""
    week, month = now - dt.timedelta(days=7), now - dt.timedelta(days=30)
    counts = Subscription.objects.filter(
        edition_id=edition_id, unsubscribed_at__gte=month
    ).aggregate(
        # Of a column the index holds (Star takes no filter), so the index is still read alone.
        week=Count("unsubscribed_at", filter=Q(unsubscribed_at__gte=week)),
        month=Count("*"),
    )
    return counts["week"], counts["month"]


def readers_series(
    *, edition_id: int, today: dt.date, days: int, readers: int | None = None
) -> list[tuple[dt.date, int]]:
    """Confirmed readers at the end of each of the last `days` days (UTC), oldest first.

    Counted back from the confirmed readers now (`readers`, counted here if not given): a day
    ends with them, less those confirmed after it, plus those who left after it. So only the
    joins and leaves since the first day are read, each a range of the (edition, confirmed_at)
    or (edition, unsubscribed_at) index, never the readers who came before. A reader who left
    and signed up again (a new confirmed_at, the old unsubscribed_at kept) is away in between.
    """
    if readers is None:
        readers = _status_counts(edition_id)[Subscription.Status.CONFIRMED]
    start = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    subs = Subscription.objects.filter(edition_id=edition_id)
    joins = _per_day(subs.filter(confirmed_at__gte=since), "confirmed_at")
    leaves = _per_day(
        subs.filter(confirmed_at__isnull=False, unsubscribed_at__gte=since), "unsubscribed_at"
    )
    # Readers as the first day began: those now, before every join and leave since.
    running = readers - sum(joins.values()) + sum(leaves.values())
    series = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        running += joins.get(day, 0) - leaves.get(day, 0)
        series.append((day, running))
    return series


def _per_day(queryset: Any, field: str) -> dict[dt.date, int]:
    rows = (
        queryset.annotate(day=TruncDate(field, tzinfo=dt.UTC))
        .values("day")
        .annotate(n=Count("*"))
        .order_by()
    )
    return {row["day"]: row["n"] for row in rows}


def _suppression_counts() -> list[tuple[str, int]]:
    """Suppressed addresses by reason, for the whole installation, as a suppression holds.

    Not per edition: a suppression keeps only the address's keyed hash, no edition, so the
    suppressed among one edition's readers is a join of every suppressed hash against the
    edition's subscribers (0.3-0.8 s at a million readers and 40,000 suppressions). One
    GROUP BY over the suppressions alone instead; a digest's delivery line on each panel
    counts the readers its send left out ("suppressed")."""
    counts = dict(Suppression.objects.values_list("reason").annotate(n=Count("*")).order_by())
    labels = dict(Suppression.Reason.choices)
    return [(labels[reason], counts[reason]) for reason in labels if counts.get(reason)]


def _outcome(counts: dict[str, int] | None) -> str:
    """A digest's ledger in a line: "—" before it has one (a draft or approved digest)."""
    if counts is None:
        return "—"
    parts = [f"sent {counts['sent']} of {sum(counts.values())}"]
    parts += [f"{state} {counts[state]}" for state in DELIVERY_STATES[1:] if counts[state]]
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
