"""A window of look-alike events for the clustering tests: three kinds of event (a storm, a
council's budget, a warehouse fire) in fifty towns, four reports each."""

from __future__ import annotations

from headlines.stories.parts import Doc

TOWNS = [
    a + b
    for a in ("Brack", "Pine", "Dun", "Holt", "Carrow", "Easter", "Fallow", "Grey", "Ash", "Linden")
    for b in ("water", "wick", "mere", "by", "field")
]
NAMES = [a + b for a in ("Aur", "Cord", "Imo", "Pet", "Ros", "Mar") for b in ("elia", "ina", "ara")]
EVENTS = [
    ("Storm {s} floods {t}", "Storm {s} flooded {t} and residents fled rising water overnight."),
    ("{t} council approves budget", "{t} council approved its budget after a debate on taxes."),
    ("Fire destroys {t} warehouse", "A fire destroyed a warehouse in {t}; firefighters fought it."),
]


def look_alike_window() -> tuple[list[Doc], list[int]]:
    """200 reports of 50 events: three kinds of event in many towns, four reports each."""
    docs, truth = [], []
    for e, town in enumerate(TOWNS):
        title, text = EVENTS[e % 3]
        name = NAMES[e // 3]
        for r in range(4):
            extra = f" Reporter {r} spoke to {town} witnesses, {name} said. Report {r}."
            docs.append(Doc(title.format(s=name, t=town), text.format(s=name, t=town) + extra))
            truth.append(e)
    return docs, truth
