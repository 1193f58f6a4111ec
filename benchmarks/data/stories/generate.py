# ruff: noqa: E501  (sentence templates read best one per line)
"""Write the labelled clustering set `stories.jsonl`, deterministically (seeded).

Every article is invented: invented sources, towns, people and companies. Twelve kinds of event,
six events of each kind, so events of one kind share most of their words (two storms, two
council budgets) and only names, places and numbers tell them apart. Each event is told by 3 to 8
articles: rewrites from different title and sentence templates, words swapped for synonyms,
sentences reordered, site suffixes, datelines, newsletter boilerplate, some untitled text dumps
and some near-verbatim syndicated copies.

    python benchmarks/data/stories/generate.py    # rewrites stories.jsonl next to this file
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SEED = 20261125
HERE = Path(__file__).parent

SOURCES = [
    "Harbor Ledger",
    "Northfield Courier",
    "The Daily Lantern",
    "Metro Wire Service",
    "Valley Post",
    "Coastline Herald",
    "The Civic Bulletin",
    "Riverbend Times",
    "Capital Dispatch",
    "Evening Compass",
    "Lakeside Chronicle",
    "Summit Gazette",
]
TOWNS = [
    "Brackwater",
    "Elmsford",
    "Caddington",
    "Marrowvale",
    "Pellston",
    "Quarryhill",
    "Ashbury",
    "Dunmere",
    "Fenwick",
    "Galloway Cross",
    "Holtby",
    "Ivesham",
    "Kestrel Bay",
    "Lorring",
    "Millbrook",
    "Norcastle",
    "Orrin Falls",
    "Pinewick",
    "Rosslare",
    "Stanmoor",
    "Tarrow",
    "Upwell",
    "Varden",
    "Westerby",
    "Yarrowford",
    "Zellham",
    "Bramcote",
    "Corrib",
    "Duxley",
    "Edgecombe",
]
PEOPLE = [
    "Maria Okafor",
    "Daniel Whitcombe",
    "Priya Raman",
    "Tomasz Kowal",
    "Elena Duarte",
    "Samuel Achebe",
    "Hannah Lindqvist",
    "Jorge Ibarra",
    "Aiko Tanabe",
    "Liam Fairbanks",
    "Nadia Haddad",
    "Oskar Brandt",
    "Grace Mbeki",
    "Victor Alvarado",
    "Ruth Castellan",
    "Felix Moreau",
    "Ines Carvalho",
    "Marcus Delaney",
    "Sofia Lindgren",
    "Kwame Boateng",
]
ORGS = [
    "Ferrowind Industries",
    "Calder Foods",
    "Norwick Rail",
    "Bluepeak Energy",
    "Halden Motors",
    "Orion Textiles",
    "Stellar Freight",
    "Granite Pharma",
    "Verdant Paper",
    "Quayside Steel",
    "Meridian Telecom",
    "Ashgrove Dairies",
]
TEAMS = [
    "Brackwater Rovers",
    "Elmsford City",
    "Pellston Athletic",
    "Dunmere United",
    "Holtby Town",
    "Kestrel Bay Wanderers",
    "Lorring Rangers",
    "Millbrook Albion",
    "Norcastle FC",
    "Tarrow Celtic",
    "Upwell Harriers",
    "Varden County",
]
STORMS = ["Aurelia", "Bertram", "Cordelia", "Desmond", "Estella", "Fergus"]
DISEASES = [
    "measles",
    "norovirus",
    "whooping cough",
    "legionnaires' disease",
    "hepatitis A",
    "mumps",
]
FINDS = [
    "a Roman villa",
    "a new species of frog",
    "a bronze age hoard",
    "a dinosaur trackway",
    "a medieval shipwreck",
    "a colony of rare bats",
]
REASONS = [
    "a heating failure",
    "a burst water main",
    "a teachers' strike",
    "asbestos",
    "flooding",
    "a gas leak",
]

KINDS: dict[str, dict[str, list[str]]] = {
    "storm": {
        "titles": [
            "Storm {storm} floods {town} as hundreds flee their homes",
            "Hundreds evacuated as Storm {storm} batters {town}",
            "{town} under water after Storm {storm} hits",
            "Storm {storm}: floods force evacuations in {town}",
            "Flooding in {town} as Storm {storm} brings record rain",
        ],
        "leads": [
            "Storm {storm} flooded {town} on {day}, forcing {n} residents to leave their homes as the river burst its banks.",
            "Around {n} people were evacuated from {town} on {day} after Storm {storm} brought record rainfall and the river overflowed.",
            "Floodwater poured into {town} on {day} as Storm {storm} swept in, and {n} residents fled.",
        ],
        "details": [
            "Rescue crews used boats to reach people stranded in upstairs rooms.",
            "{person}, who leads the local emergency team, said the water rose faster than forecast.",
            "Schools in {town} will stay closed until the water recedes.",
            "Forecasters said more rain is expected over the weekend.",
            "Power was cut to several streets near the river.",
        ],
    },
    "budget": {
        "titles": [
            "{town} council approves budget with cuts to libraries",
            "Library hours cut as {town} passes new budget",
            "{town} councillors vote through budget, raising parking fees",
            "Budget approved in {town} after heated meeting",
        ],
        "leads": [
            "{town} council approved its budget on {day}, cutting library hours and raising parking fees to close a gap of {n} thousand pounds.",
            "Councillors in {town} voted on {day} to pass a budget that trims library opening hours and lifts parking charges.",
            "A budget cutting library hours in {town} was approved on {day} after councillors voted {v} to {w}.",
        ],
        "details": [
            "Council leader {person} said the cuts were painful but unavoidable.",
            "Residents protested outside the town hall before the vote.",
            "Parking fees will rise from next month.",
            "The opposition said the plan hurts families most.",
            "Two libraries will close on Mondays.",
        ],
    },
    "fire": {
        "titles": [
            "Fire breaks out at {org} plant in {town}",
            "Huge blaze at {org} factory in {town}",
            "Firefighters tackle fire at {org} site in {town}",
            "{town}: {org} warehouse destroyed by fire",
        ],
        "leads": [
            "A large fire broke out at the {org} plant in {town} on {day}, sending thick smoke across the town.",
            "Firefighters battled a blaze at {org}'s factory in {town} on {day} as smoke drifted over nearby homes.",
            "Smoke from a fire at the {org} site in {town} could be seen for miles on {day}.",
        ],
        "details": [
            "{n} firefighters were sent to the scene.",
            "Residents were told to keep windows and doors shut.",
            "{org} said all staff had been accounted for.",
            "The cause of the fire is not yet known.",
            "Roads around the site were closed for several hours.",
        ],
    },
    "election": {
        "titles": [
            "{person} wins {town} mayoral election",
            "{town} elects {person} as mayor",
            "{person} is the new mayor of {town}",
            "Victory for {person} in {town} mayor race",
        ],
        "leads": [
            "{person} won the election for mayor of {town} on {day}, taking {v} percent of the vote.",
            "Voters in {town} chose {person} as their new mayor on {day} with {v} percent of the vote.",
            "{person} was elected mayor of {town} on {day} after a close race.",
        ],
        "details": [
            "Turnout was higher than at the last election.",
            "{person} promised to fix the roads and build more homes.",
            "The outgoing mayor congratulated the winner.",
            "The count finished shortly after midnight.",
        ],
    },
    "strike": {
        "titles": [
            "{org} workers walk out over pay",
            "Strike hits {org} as staff demand higher wages",
            "{org} staff strike in row over pay",
            "Pay dispute: workers at {org} begin strike",
        ],
        "leads": [
            "Workers at {org} went on strike on {day} after talks over a pay rise of {v} percent broke down.",
            "Staff at {org} walked out on {day} in a dispute over pay, their union said.",
            "Around {n} employees of {org} began a strike on {day}, demanding higher wages.",
        ],
        "details": [
            "Union official {person} said members had no choice.",
            "{org} said its offer was fair and final.",
            "The strike is expected to last three days.",
            "Picket lines formed outside the main gates at dawn.",
        ],
    },
    "court": {
        "titles": [
            "{person} jailed for fraud",
            "Former director {person} sentenced over fraud",
            "{person} gets prison term for defrauding investors",
            "Court jails {person} for investment fraud",
        ],
        "leads": [
            "{person} was jailed for {v} years on {day} for defrauding investors of {n} thousand pounds.",
            "A court sentenced {person} to {v} years in prison on {day} for an investment fraud.",
            "{person}, a former company director, was sent to prison on {day} after being found guilty of fraud.",
        ],
        "details": [
            "The judge said the scheme had ruined many lives.",
            "Investors were promised returns that never came.",
            "Prosecutors said the money was spent on cars and holidays.",
            "The defence said it would appeal.",
        ],
    },
    "final": {
        "titles": [
            "{team} beat {team2} to win the cup",
            "{team} lift the cup after beating {team2}",
            "Cup final: {team} defeat {team2}",
            "{team2} lose cup final to {team}",
        ],
        "leads": [
            "{team} won the cup final on {day}, beating {team2} {v}-{w} in front of a full stadium.",
            "{team} lifted the cup on {day} after a {v}-{w} win over {team2}.",
            "{team2} were beaten {v}-{w} by {team} in the cup final on {day}.",
        ],
        "details": [
            "The winning goal came in the last minute.",
            "Fans celebrated in the streets late into the night.",
            "The manager said it was the proudest day of his career.",
            "The captain lifted the trophy to huge cheers.",
        ],
    },
    "jobs": {
        "titles": [
            "{org} to cut {n} jobs",
            "{n} jobs at risk as {org} restructures",
            "{org} announces {n} job losses",
            "Job cuts at {org}: {n} roles to go",
        ],
        "leads": [
            "{org} said on {day} it would cut {n} jobs as it closes its plant in {town}.",
            "{n} workers at {org} will lose their jobs, the company announced on {day}.",
            "{org} plans to shed {n} jobs, blaming falling demand, it said on {day}.",
        ],
        "details": [
            "Chief executive {person} said the decision was difficult.",
            "Unions called the cuts a betrayal.",
            "Shares in the company rose after the announcement.",
            "The cuts will happen over the next year.",
        ],
    },
    "train": {
        "titles": [
            "Train derails near {town}",
            "Passengers hurt as train comes off tracks near {town}",
            "Derailment near {town} halts rail services",
            "{org} train derails outside {town}",
        ],
        "leads": [
            "A passenger train derailed near {town} on {day}, injuring {v} people.",
            "{v} passengers were hurt when a train came off the tracks outside {town} on {day}.",
            "Rail services were halted after a train operated by {org} derailed near {town} on {day}.",
        ],
        "details": [
            "Investigators are examining the track.",
            "Buses replaced trains on the line.",
            "None of the injuries are thought to be life threatening.",
            "The operator apologised to passengers.",
        ],
    },
    "outbreak": {
        "titles": [
            "{disease} outbreak confirmed in {town}",
            "Health officials warn of {disease} cases in {town}",
            "{town} hit by {disease} outbreak",
            "Cases of {disease} rise in {town}",
        ],
        "leads": [
            "Health officials confirmed an outbreak of {disease} in {town} on {day}, with {v} cases so far.",
            "{v} cases of {disease} have been recorded in {town}, officials said on {day}.",
            "An outbreak of {disease} in {town} has led officials to urge residents to take care, they said on {day}.",
        ],
        "details": [
            "Doctors said most patients were recovering at home.",
            "Public health director {person} urged people to wash their hands.",
            "A clinic has been set up at the town hall.",
            "Officials are tracing contacts of those affected.",
        ],
    },
    "discovery": {
        "titles": [
            "Scientists find {find} near {town}",
            "{find} discovered near {town}",
            "Discovery of {find} excites researchers in {town}",
            "Researchers uncover {find} outside {town}",
        ],
        "leads": [
            "Researchers have discovered {find} near {town}, they announced on {day}.",
            "{find} has been found near {town}, a team led by {person} said on {day}.",
            "A team of scientists uncovered {find} outside {town}, it was announced on {day}.",
        ],
        "details": [
            "The find was made during work on a new road.",
            "{person} called it a once in a generation discovery.",
            "The site will be opened to visitors next summer.",
            "Experts will spend months studying the find.",
        ],
    },
    "schools": {
        "titles": [
            "{town} schools close because of {reason}",
            "Pupils sent home in {town} after {reason}",
            "{reason} shuts schools in {town}",
            "Schools in {town} closed over {reason}",
        ],
        "leads": [
            "All schools in {town} were closed on {day} because of {reason}, leaving {n} pupils at home.",
            "{n} pupils in {town} were sent home on {day} after {reason} forced schools to close.",
            "Schools across {town} shut their doors on {day} because of {reason}.",
        ],
        "details": [
            "Parents were told by text message early in the morning.",
            "Head teacher {person} said safety came first.",
            "Lessons will move online until further notice.",
            "Officials hope to reopen the schools next week.",
        ],
    },
}

SYNONYMS = {
    "said": ["said", "stated", "told reporters", "confirmed"],
    "residents": ["residents", "locals", "people"],
    "on {day}": ["on {day}"],
    "large": ["large", "big", "major"],
    "approved": ["approved", "passed", "backed"],
    "workers": ["workers", "employees", "staff"],
    "jailed": ["jailed", "imprisoned"],
    "discovered": ["discovered", "found", "unearthed"],
    "closed": ["closed", "shut"],
}
BOILERPLATE = [
    "Sign up for our free newsletter to get the latest news every evening.",
    "Follow us on social media for more updates.",
    "Copyright 2026 {source}. All rights reserved.",
    "Read more: our live coverage continues below.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _paraphrase(sentence: str, rng: random.Random) -> str:
    for word, options in SYNONYMS.items():
        if f" {word} " in f" {sentence} ":
            sentence = f" {sentence} ".replace(f" {word} ", f" {rng.choice(options)} ", 1).strip()
    return sentence


def _event(kind: str, k: int, rng: random.Random) -> dict[str, str]:
    team, team2 = rng.sample(TEAMS, 2)
    return {
        "town": rng.choice(TOWNS),
        "person": rng.choice(PEOPLE),
        "org": rng.choice(ORGS),
        "team": team,
        "team2": team2,
        "storm": STORMS[k % len(STORMS)],
        "disease": DISEASES[k % len(DISEASES)],
        "find": FINDS[k % len(FINDS)],
        "reason": REASONS[k % len(REASONS)],
        "n": str(rng.choice([40, 120, 300, 450, 800, 1200, 2000])),
        "v": str(rng.randint(2, 9)),
        "w": str(rng.randint(0, 1)),
        "day": rng.choice(DAYS),
    }


def _article(kind: str, slots: dict[str, str], source: str, rng: random.Random) -> dict[str, str]:
    spec = KINDS[kind]
    lead = _paraphrase(rng.choice(spec["leads"]), rng)
    details = rng.sample(spec["details"], k=min(len(spec["details"]), rng.randint(2, 4)))
    body = [lead, *(_paraphrase(d, rng) for d in details)]
    if rng.random() < 0.3:
        body.append(rng.choice(BOILERPLATE))
    text = " ".join(body).format(**slots, source=source)
    text = text[0].upper() + text[1:]
    if rng.random() < 0.25:
        text = f"{slots['town'].upper()} ({source}) — {text}"
    title = rng.choice(spec["titles"]).format(**slots)
    title = title[0].upper() + title[1:]
    roll = rng.random()
    if roll < 0.1:
        title = ""  # a text dump: no headline at all
    elif roll < 0.4:
        title = f"{title} | {source}"
    elif roll < 0.55:
        title = f"{title} - {source}"
    return {"source": source, "title": title, "text": text}


def generate() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    rows: list[dict[str, object]] = []
    for kind in KINDS:
        for k in range(6):
            story = f"{kind}-{k}"
            slots = _event(kind, k, rng)
            count = rng.randint(3, 8)
            sources = rng.sample(SOURCES, k=count)
            made: list[dict[str, str]] = []
            for source in sources:
                if made and rng.random() < 0.15:
                    # Syndicated copy: another outlet runs the same text, lightly edited.
                    copy = dict(rng.choice(made))
                    copy["source"] = source
                    copy["text"] = copy["text"].replace(" said", " says", 1)
                    made.append(copy)
                else:
                    made.append(_article(kind, slots, source, rng))
            for article in made:
                rows.append({"story": story, "part": "tune" if k < 3 else "held_out", **article})
    rng.shuffle(rows)
    return [{"id": i, **row} for i, row in enumerate(rows)]


def main() -> None:
    rows = generate()
    with (HERE / "stories.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    stories = {r["story"] for r in rows}
    print(f"wrote {len(rows)} articles in {len(stories)} stories to {HERE / 'stories.jsonl'}")


if __name__ == "__main__":
    main()
