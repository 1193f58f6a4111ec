"""Server-drawn SVG charts of clicks: no script, no external asset, no reader data."""

from __future__ import annotations

import datetime as dt

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from headlines.engagement.selectors import StoryClicks


def story_bars(rows: list[StoryClicks], *, label: str, width: int = 560) -> SafeString:
    """Horizontal bars, one per story, longest for the most-clicked."""
    if not rows:
        return format_html("<p>{}</p>", "No stories in this digest.")
    top = max(max(r.clicks for r in rows), 1)
    bar_h, gap, text_w = 18, 6, 260
    height = len(rows) * (bar_h + gap)
    bars = format_html_join(
        "",
        '<g><text x="0" y="{ty}" font-size="11" fill="#333">{n}. {headline}</text>'
        '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#417690">'
        "<title>{headline}: {clicks} clicks</title></rect>"
        '<text x="{tx}" y="{ty}" font-size="11" fill="#333">{clicks}</text></g>',
        (
            {
                "n": r.position,
                "headline": r.headline[:42] + ("…" if len(r.headline) > 42 else ""),
                "x": text_w,
                "y": i * (bar_h + gap),
                "w": f"{(width - text_w - 40) * r.clicks / top:.1f}",
                "h": bar_h,
                "tx": text_w + (width - text_w - 40) * r.clicks / top + 4,
                "ty": i * (bar_h + gap) + 13,
                "clicks": r.clicks,
            }
            for i, r in enumerate(rows)
        ),
    )
    return format_html(
        '<svg class="clicks-chart" role="img" aria-label="{label}" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{bars}'
        "</svg>",
        label=label,
        w=width,
        h=height,
        bars=bars,
    )


def trend_bars(series: list[tuple[dt.date, int]], *, label: str, width: int = 360) -> SafeString:
    """Vertical bars, one per digest, oldest on the left."""
    if not series:
        return format_html("<p>{}</p>", "No digest has gone out yet.")
    if not any(n for _, n in series):
        # Bars of height zero under a "1" scale read as a broken chart: say it in words.
        if len(series) == 1:
            return format_html("<p>{}</p>", "No clicks yet on the last digest sent.")
        return format_html("<p>No clicks yet on the last {} digests sent.</p>", len(series))
    height, top = 90, max(max(n for _, n in series), 1)
    step = min((width - 8) / len(series), 40.0)  # one digest is a bar, not a block
    bars = format_html_join(
        "",
        '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#417690">'
        "<title>{day}: {n} clicks</title></rect>",
        (
            {
                "x": f"{4 + i * step:.1f}",
                "y": f"{height - 18 - (n / top) * (height - 30):.1f}",
                "w": f"{max(step - 3, 1):.1f}",
                "h": f"{(n / top) * (height - 30):.1f}",
                "day": day.isoformat(),
                "n": n,
            }
            for i, (day, n) in enumerate(series)
        ),
    )
    return format_html(
        '<svg class="clicks-trend" role="img" aria-label="{label}" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{bars}'
        '<text x="{w2}" y="10" font-size="10" fill="#666" text-anchor="end">{top}</text></svg>',
        label=label,
        w=width,
        h=height,
        bars=bars,
        w2=width - 4,
        top=f"{top:,}",
    )
