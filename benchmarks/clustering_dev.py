"""Clustering on real, public, labelled news (clustering-dev in the shared development data).

Nothing of it is in the repository: it is read at run time from `$HEADLINES_SHARED_DATA`
(default `../shared/data` beside the repository root) and the benchmark says so and skips when
it is absent. Three sets (see its README): NeuS (AllSides three-outlet roundups, title + lead),
BASIL (Fox / NYT / HuffPost full articles) and ECB+ (43 topics, each two look-alike events).

Windows as a digest sees them, clustered at the shipped defaults through the digest build's own
call (`planning.cluster_rows`):
- daily: a few of the set's stories mixed into several hundred articles of unrelated NeuS
  stories (as a real day has), ~450 articles in all;
- weekly: seven days' worth, ~3,000 articles;
- small (`small_windows`): what a small newsroom's day or one subject's reports hold, 14-160
  articles, no filler: one ECB+ topic alone, ten BASIL stories, 10 or 40 NeuS stories (each
  with another NeuS story told once), an ECB+ topic among 10 NeuS stories and 10 told once;
  clustered as a newsroom's first day, and after days of the same kind of news
  (`earlier_days`, counted in the window's IDF as a digest's build counts its history);
- a real day (`told_once_windows`): daily windows where most stories are told once, ~450;
- NeuS's splits each clustered whole (`whole_splits`): train 6,378 articles, val and test ~820.
Scores count the set's own articles (filler joined to them costs precision): pairwise precision
and recall over pairs with at least one of them, and BCubed. Stories are split in two halves by
a hash of their id: `tune` (looked at while choosing the method) and `report` (never looked at;
the figures to read). ECB+ also counts how many of its look-alike event pairs were joined.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.shared_data import data_dir

ROOT = Path(__file__).resolve().parent.parent
SETS = ("neus", "basil", "ecbplus")
DAILY_ARTICLES = 450
WEEK_DAYS = 7


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str
    story: str
    set: str
    topic: str = ""
    date: str = ""  # YYYY-MM-DD where the set gives it (BASIL); the windows above ignore it
    split: str = ""  # NeuS's own split (train, val, test): `whole_splits`

    @property
    def half(self) -> str:
        # By topic where there is one, so both look-alike events land in the same half.
        digest = hashlib.sha256((self.topic or self.story).encode()).digest()
        return "tune" if digest[0] % 2 == 0 else "report"


def load(name: str) -> list[Article]:
    """Set `name`'s articles (read once a process: `bench_clustering` asks for each set in
    every group of windows)."""
    return list(_read(name))


@functools.cache
def _read(name: str) -> tuple[Article, ...]:
    path = data_dir() / "clustering-dev" / name / "articles.jsonl"
    out = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            r = json.loads(line)
            out.append(
                Article(
                    id=r["id"],
                    title=r.get("title") or "",
                    text=r.get("text") or "",
                    story=r["story"],
                    set=name,
                    topic=r.get("topic") or "",
                    date=r.get("date") or "",
                    split=r.get("split") or "",
                )
            )
    return tuple(out)


def stories(articles: Sequence[Article]) -> dict[str, list[Article]]:
    grouped: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        grouped[a.story].append(a)
    return dict(grouped)


@dataclass
class Window:
    name: str
    articles: list[Article]
    target: str  # the set scored in this window


def windows(
    target: str, pool: dict[str, list[Article]], filler: dict[str, list[Article]], *, week: bool
) -> list[Window]:
    """Windows of `target`'s stories (`pool`), each filled up with unrelated `filler` stories."""
    rng = random.Random(f"{target}-{week}")
    keys = sorted(pool)
    rng.shuffle(keys)
    if target == "ecbplus":
        # A topic's two look-alike events always share a window: that is the hard case.
        by_topic: dict[str, list[str]] = defaultdict(list)
        for k in keys:
            by_topic[pool[k][0].topic].append(k)
        groups = [by_topic[t] for t in sorted(by_topic, key=lambda t: rng.random())]
        per = 16 if week else 3
    else:
        groups = [[k] for k in keys]
        per = {"neus": 150, "basil": 5}[target] * (WEEK_DAYS if week else 1)
    size = DAILY_ARTICLES * (WEEK_DAYS if week else 1)
    filler_keys = sorted(filler)
    out = []
    for n, start in enumerate(range(0, len(groups), per)):
        chosen = [a for g in groups[start : start + per] for k in g for a in pool[k]]
        rng.shuffle(filler_keys)
        for k in filler_keys:
            if len(chosen) >= size:
                break
            chosen.extend(filler[k])
        rng.shuffle(chosen)
        out.append(Window(f"{target} {'week' if week else 'day'} {n}", chosen, target))
    return out


@dataclass
class Score:
    pairs_tp: int = 0
    pairs_fp: int = 0
    pairs_fn: int = 0
    b_precision: float = 0.0
    b_recall: float = 0.0
    articles: int = 0
    lookalike_joined: int = 0
    lookalike_pairs: int = 0

    def add(self, window: Window, labels: Sequence[int], half: str) -> None:
        arts = window.articles
        size = Counter(labels)
        story_size = Counter(a.story for a in arts)
        scored = {i for i, a in enumerate(arts) if a.set == window.target and a.half == half}
        members: dict[int, list[int]] = defaultdict(list)
        for i, label in enumerate(labels):
            members[label].append(i)
        for i in sorted(scored):
            a, label = arts[i], labels[i]
            same = sum(1 for j in members[label] if arts[j].story == a.story)
            self.b_precision += same / size[label]
            self.b_recall += same / story_size[a.story]
            self.articles += 1
            for j in members[label]:
                if j == i or (j in scored and j < i):
                    continue  # each pair once
                if arts[j].story == a.story:
                    self.pairs_tp += 1
                else:
                    self.pairs_fp += 1
            # Story mates are all in the window and in the same half: count each pair once.
            self.pairs_fn += sum(
                1
                for j in range(i + 1, len(arts))
                if arts[j].story == a.story and labels[j] != label
            )
            if a.topic:
                for j in range(i + 1, len(arts)):
                    if arts[j].topic == a.topic and arts[j].story != a.story:
                        self.lookalike_pairs += 1
                        self.lookalike_joined += labels[j] == label

    def figures(self) -> tuple[float, float, float, float, float]:
        """Pairwise precision and recall, BCubed precision, recall and F1."""
        tp, fp, fn = self.pairs_tp, self.pairs_fp, self.pairs_fn
        pp = tp / (tp + fp) if tp + fp else 1.0
        pr = tp / (tp + fn) if tp + fn else 1.0
        n = self.articles or 1
        bp, br = self.b_precision / n, self.b_recall / n
        bf = 2 * bp * br / (bp + br) if bp + br else 0.0
        return pp, pr, bp, br, bf

    def line(self) -> str:
        pp, pr, bp, br, bf = self.figures()
        text = (
            f"{self.articles:>5} articles  pairwise P {pp:.3f} R {pr:.3f}  "
            f"BCubed P {bp:.3f} R {br:.3f} F1 {bf:.3f}"
        )
        if self.lookalike_pairs:
            text += f"  look-alike pairs joined {self.lookalike_joined / self.lookalike_pairs:.3f}"
        return text


Clusterer = Callable[[Sequence[Article]], list[int]]


def small_windows() -> dict[str, list[Window]]:
    """Windows under `scorers.SCORER_MIN_WINDOW` articles, by kind: each ECB+
    topic alone (both look-alike events, 14-39 reports), BASIL's stories ten at a time (30),
    NeuS's 10 (40) and 40 (160) at a time, and each ECB+ topic among 10 NeuS stories (~60),
    each NeuS story told in full with another told once; then 5 NeuS stories told in full among
    30 told once (45), as a small day of headlines mostly is. No filler to fill them up: the
    window is what there is."""
    rng = random.Random("small")
    ecb, basil, neus = (stories(load(name)) for name in ("ecbplus", "basil", "neus"))
    by_topic: dict[str, list[Article]] = defaultdict(list)
    for arts in ecb.values():
        by_topic[arts[0].topic].extend(arts)
    topics = sorted(by_topic)
    out: dict[str, list[Window]] = defaultdict(list)
    out["ecbplus topic"] = [Window(f"ecbplus {t}", by_topic[t], "ecbplus") for t in topics]
    keys = sorted(basil)
    rng.shuffle(keys)
    out["basil 10 stories"] = [
        Window("basil small", [a for k in keys[i : i + 10] for a in basil[k]], "basil")
        for i in range(0, len(keys), 10)
    ]
    keys = sorted(neus)
    rng.shuffle(keys)
    # Most stories of a real small day are told once: each NeuS story told in full comes with
    # one report of another NeuS story (`keys` from 1,130 on), alone in the window.
    singles = iter(keys[1130:])

    def told_once(count: int) -> list[Article]:
        return [neus[next(singles)][0] for _ in range(count)]

    for group, (start, stop, per) in (
        ("neus 10 stories", (0, 300, 10)),
        ("neus 40 stories", (300, 700, 40)),
    ):
        for i in range(start, stop, per):
            arts = [a for k in keys[i : i + per] for a in neus[k]] + told_once(per)
            rng.shuffle(arts)
            out[group].append(Window("neus small", arts, "neus"))
    for n, t in enumerate(topics):
        arts = list(by_topic[t]) + told_once(10)
        arts += [a for k in keys[700 + 10 * n : 710 + 10 * n] for a in neus[k]]
        rng.shuffle(arts)
        out["ecbplus topic + neus 10 stories"].append(Window(f"mix {t}", arts, "ecbplus"))
    # A small day where most stories are told once: 5 told in full among 30 told once.
    for _ in range(10):
        arts = [a for _ in range(5) for a in neus[next(singles)]] + told_once(30)
        rng.shuffle(arts)
        out["neus 5 stories, 30 told once"].append(Window("neus mostly once", arts, "neus"))
    return dict(out)


BIG_LINES = 2  # of each article's text, told as headlines besides its title
BIG_WORDS = 16  # a headline's words at most
BIG_FILLER = 300  # NeuS stories (900 headlines) around each topic


TAGS = (" - Reuters", " | Fox News", " - The Guardian", " (AP)", " - BBC News", ": report")


def big_story_windows(lines: int = BIG_LINES, copies: int = 1) -> list[Window]:
    """Windows of headlines where one subject's events are told by many more outlets than
    any set's stories are (a news aggregator's day: one event in 50-300 headlines; clustering-dev's
    largest story has 22 reports): each ECB+ topic, its two look-alike events each told as the
    headlines of its articles' titles and of the first `lines` sentences of each text (cut to
    BIG_WORDS words, as a headline is short), 15-66 headlines a story at the default, among
    BIG_FILLER NeuS stories' titles. A stand-in, said plainly: the extra headlines are the
    reports' own sentences, other words for one event, not headlines other outlets wrote.
    With `copies`, each headline is told that many times, as syndication does: each copy with
    one word dropped (of seven or more) half the time and an outlet's tag added (TAGS)."""
    rng = random.Random("big")
    neus = stories(load("neus"))
    keys = sorted(neus)
    by_topic: dict[str, list[Article]] = defaultdict(list)
    for a in load("ecbplus"):
        by_topic[a.topic].append(a)
    out = []
    for topic in sorted(by_topic):
        told = []
        for a in by_topic[topic]:
            sentences = [line for line in a.text.split("\n") if len(line.split()) >= 6]
            for n, line in enumerate([a.title, *sentences[:lines]]):
                words = line.split()[:BIG_WORDS]
                told.append(replace(a, id=f"{a.id}-{n}", title=" ".join(words), text=""))
                for c in range(1, copies):
                    copy = list(words)
                    if len(copy) >= 7 and rng.random() < 0.5:
                        del copy[rng.randrange(1, len(copy))]
                    title = " ".join(copy) + rng.choice(TAGS)
                    told.append(replace(a, id=f"{a.id}-{n}-{c}", title=title, text=""))
        rng.shuffle(keys)
        told += [replace(a, text="") for k in keys[:BIG_FILLER] for a in neus[k]]
        rng.shuffle(told)
        out.append(Window(f"ecbplus {topic} told widely", told, "ecbplus"))
    return out


def evaluate_big(cluster: Clusterer) -> None:
    """The same for `big_story_windows`: as fitted on (titles and two sentences), and the
    titles alone, each told once and four times."""
    for what, lines, copies in (
        ("titles and two sentences", BIG_LINES, 1),
        ("titles", 0, 1),
        ("titles, each told four times", 0, 4),
    ):
        wins = big_story_windows(lines, copies)
        _report(f"{what}: {len(wins)} windows", cluster, wins)


def set_windows(
    *, sets: Sequence[str] = SETS, weekly: bool = True
) -> Iterator[tuple[str, bool, list[Window]]]:
    """Each set's daily (and weekly) windows, as `evaluate` scores them: (set, weekly, windows)."""
    loaded = {name: load(name) for name in sets if name != "neus"}
    neus_stories = stories(load("neus"))
    for target in sets:
        pool = neus_stories if target == "neus" else stories(loaded[target])
        # NeuS fills every window; in NeuS's own windows its other stories are the filler.
        for week in (False, True) if weekly else (False,):
            wins = windows(target, pool, neus_stories if target != "neus" else {}, week=week)
            if target == "neus":
                wins = wins[: 3 if week else 6]
            yield target, week, wins


def evaluate(cluster: Clusterer, *, sets: Sequence[str] = SETS, weekly: bool = True) -> None:
    """Print per set, per window kind, the scores of both halves and of the report half."""
    for target, week, wins in set_windows(sets=sets, weekly=weekly):
        kind = "weekly" if week else "daily"
        _report(f"{target:<8} {kind:<6} {len(wins):>2} windows", cluster, wins)


def whole_splits() -> list[Window]:
    """NeuS's splits, each clustered whole (the set's README names this beside random windows
    of a few hundred stories): train 2,126 stories at once (6,378 articles: years of sagas, no
    dates), val and test 273 and 274; no filler, in the file's order, as a file is fed whole."""
    by_split: dict[str, list[Article]] = defaultdict(list)
    for a in load("neus"):
        by_split[a.split].append(a)
    return [Window(f"neus {name}", by_split[name], "neus") for name in ("train", "val", "test")]


def evaluate_whole(cluster: Clusterer) -> None:
    """The same for `whole_splits`, a split at a time."""
    for window in whole_splits():
        _report(f"{window.name} split: 1 window", cluster, [window])


def evaluate_small(cluster: Clusterer) -> None:
    """The same for `small_windows`, by kind."""
    for group, wins in small_windows().items():
        _report(f"{group}: {len(wins)} windows", cluster, wins)


HISTORY_ARTICLES = 500  # as `planning.HISTORY_ARTICLES` reads a newsroom's earlier days

# Clusters a window's articles with earlier articles counted in its IDF (`planning.history_docs`).
HistoryClusterer = Callable[[Sequence[Article], Sequence[Article]], list[int]]


def earlier_days(window: Window, count: int = HISTORY_ARTICLES) -> list[Article]:
    """What a newsroom that publishes the window's kind of news stored on the days before it:
    `count` of the window's set's articles of other stories (for ECB+, of other topics, as a
    subject's look-alike event is not yesterday's news), drawn with a seed of the window's."""
    topics = {a.topic for a in window.articles if a.topic}
    told = {a.story for a in window.articles}
    pool = [
        a
        for a in load(window.target)
        if a.story not in told and not (a.topic and a.topic in topics)
    ]
    rng = random.Random(f"earlier {window.name} {len(window.articles)}")
    return rng.sample(pool, min(count, len(pool)))


def evaluate_small_after_days(cluster: HistoryClusterer, headlines: bool = False) -> None:
    """`small_windows` again, each clustered with `earlier_days` counted in its IDF (as
    headlines alone where `headlines`, the window and its days alike)."""

    def told(articles: Sequence[Article]) -> list[Article]:
        return [replace(a, text="") for a in articles] if headlines else list(articles)

    for group, wins in small_windows().items():
        wins = [replace(w, articles=told(w.articles)) for w in wins]
        histories = {id(w.articles): told(earlier_days(w)) for w in wins}
        after = functools.partial(_after, cluster, histories)
        _report(f"{group}: {len(wins)} windows", after, wins)


def _after(
    cluster: HistoryClusterer, histories: dict[int, list[Article]], articles: Sequence[Article]
) -> list[int]:
    return cluster(articles, histories[id(articles)])


def dated_windows() -> dict[str, list[Window]]:
    """BASIL at its own dates, the one set that gives them: each year's 30 articles (ten of one
    subject's stories months apart, as a search over a year finds them) and all ten years at
    once. The clusterer is given each article's date (`Article.date`)."""
    basil = load("basil")
    years: dict[str, list[Article]] = defaultdict(list)
    for a in basil:
        years[a.date[:4]].append(a)
    return {
        "basil, a year at once": [
            Window(f"basil {year}", arts, "basil") for year, arts in sorted(years.items())
        ],
        "basil, ten years at once": [Window("basil 2010-2019", basil, "basil")],
    }


def evaluate_dated(cluster: Clusterer) -> None:
    """The same for `dated_windows`, by kind."""
    for group, wins in dated_windows().items():
        _report(f"{group}: {len(wins)} windows", cluster, wins)


def _report(name: str, cluster: Clusterer, wins: Sequence[Window]) -> None:
    """Cluster each window and print both halves' scores under `name`."""
    results = {half: Score() for half in ("tune", "report")}
    for window in wins:
        labels = cluster(window.articles)
        for half, score in results.items():
            score.add(window, labels, half)
    size = sum(len(w.articles) for w in wins) // max(len(wins), 1)
    print(f"  {name} of ~{size} articles")
    for half, score in results.items():
        print(f"    {half:<6} {score.line()}")


def told_once_windows(target: str) -> list[Window]:
    """Daily windows as a real day holds them, most of its stories told once: NeuS's own, 75
    stories told in full among 225 others told once (one report each, whose story has no other
    report in the window); the other sets', their daily windows (`windows`) filled up to
    DAILY_ARTICLES with NeuS stories told once and told in full by turns. A report told once
    joined to a story costs precision like any false pair (in NeuS's windows every report is
    scored; in the others', filler joined to the set's reports)."""
    rng = random.Random(f"once-{target}")
    neus = stories(load("neus"))
    keys = sorted(neus)
    rng.shuffle(keys)
    out = []
    if target == "neus":
        for n in range(6):
            block = keys[n * 300 : (n + 1) * 300]
            arts = [a for k in block[:75] for a in neus[k]] + [neus[k][0] for k in block[75:]]
            rng.shuffle(arts)
            out.append(Window(f"neus once {n}", arts, "neus"))
        return out
    filler = itertools.cycle(keys)
    for n, window in enumerate(windows(target, stories(load(target)), {}, week=False)):
        arts = list(window.articles)
        told_once = True
        while len(arts) < DAILY_ARTICLES:
            told = neus[next(filler)]
            arts.extend(told[:1] if told_once else told)
            told_once = not told_once
        rng.shuffle(arts)
        out.append(Window(f"{target} once {n}", arts, target))
    return out


def evaluate_told_once(cluster: Clusterer) -> None:
    """The same for `told_once_windows`, per set."""
    for target in SETS:
        wins = told_once_windows(target)
        _report(f"{target:<8} {len(wins):>2} windows", cluster, wins)
