"""clustering-dev through the product's own commands, as a newsroom would run it.

`bench_clustering` scores the digest build's clustering call on rows it makes itself. This one
takes the path a user takes: each window is written as a JSONL dump (url, title, text, source,
published within the last day), `headlines import`ed into a fresh data dir (extraction of the
record, scrubbing, language, de-duplication, outlets), then `headlines stories --format json`
lists the window's stories; every article's story is read back by its url and scored against
the set's labels. Beside each window, the same articles through `bench_clustering`'s in-process
call, in the same run: the two should agree, and where they do not, intake changed what the
clustering sees.

Windows (the report half only, see clustering_dev): 150 NeuS stories (450 articles, a day's
worth), each outlet side its own source, and the same 150 stories as headlines alone (a news
aggregator's dump, stored as briefs); BASIL's report half with its own outlets; each ECB+
report topic alone (two look-alike events); and BASIL's report half again at each article's own
date (2010-2019), listed in one window of ten years. Nothing of the data is kept: the data dirs
are temporary.

Run: `HEADLINES_SHARED_DATA=/work/shared/data python -m benchmarks bench_stories_cli`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks import bench_clustering, clustering_dev, django_setup, shared_data

HEADLINES = str(Path(sys.executable).with_name("headlines"))
NEUS_STORIES = 150


def _commands(data: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    env = {**os.environ, "HEADLINES_DATA_DIR": str(data)}
    env.pop("HEADLINES_DATABASE_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [HEADLINES, *args], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise SystemExit(f"headlines {' '.join(args)} failed:\n{done.stderr[-2000:]}")
        return done

    return run


def through_cli(
    template: Path,
    articles: Sequence[clustering_dev.Article],
    source: Callable[[int], str],
    *,
    dated: bool = False,
) -> list[int]:
    """Each article's story number as `headlines stories` lists it (articles it leaves out
    count as stories of their own). Published within the last day or, where `dated`, in the
    morning of each article's own date, listed in one window from the first date to the last."""
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    rnd = random.Random(len(articles))
    window = ["--hours", "48"]
    if dated:
        first, last = min(a.date for a in articles), max(a.date for a in articles)
        span = dt.date.fromisoformat(last) - dt.date.fromisoformat(first)
        window = ["--date", last, "--hours", str(span.days * 24 + 48)]
    with tempfile.TemporaryDirectory(prefix="eh-stories-cli-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(template, data)
        dump = Path(tmp) / "window.jsonl"
        # By position: a set may give two articles one id (BASIL has several "basil-empty").
        urls = [f"https://news.example/{a.set}/{i}/{a.id}" for i, a in enumerate(articles)]
        with dump.open("w", encoding="utf-8") as out:
            for i, (a, url) in enumerate(zip(articles, urls, strict=True)):
                when = now - dt.timedelta(minutes=rnd.randrange(30, 23 * 60))
                if dated:
                    when = bench_clustering.published(a) - dt.timedelta(
                        minutes=rnd.randrange(0, 6 * 60)
                    )
                record = {"url": url, "title": a.title, "text": a.text}
                record |= {"source": source(i), "published": when.isoformat()}
                out.write(json.dumps(record) + "\n")
        run = _commands(data)
        run("import", str(dump), "--edition", "bench")
        # The digest's window ends at the edition's evening; 48 hours back from it covers the
        # day the records were dated in, at any hour this runs.
        listed = run("stories", "--edition", "bench", *window, "--format", "json")
    story_of: dict[str, int] = {}
    stories = json.loads(listed.stdout)["stories"]
    for number, story in enumerate(stories):
        for article in story["articles"]:
            story_of[article["url"]] = number
    labels, alone = [], len(stories)
    for url in urls:
        if url in story_of:
            labels.append(story_of[url])
        else:
            labels.append(alone)
            alone += 1
    return labels


def _line(name: str, truth: Sequence[str], labels: Sequence[int]) -> str:
    p, r, _ = bench_clustering.pairwise(truth, labels)
    bp, br, bf = bench_clustering.bcubed(truth, labels)
    return (
        f"  {name:28} {len(truth):>4} articles {len(set(truth)):>4} stories -> "
        f"{len(set(labels)):>4}  pairwise P {p:.3f} R {r:.3f}  BCubed P {bp:.3f} R {br:.3f} "
        f"F1 {bf:.3f}"
    )


def main() -> None:
    where = shared_data.folder("clustering-dev", "bench_stories_cli")
    if where is None:
        return
    django_setup()
    windows: list[tuple[str, list[clustering_dev.Article], Callable[[int], str], bool]] = []
    neus = [a for a in clustering_dev.load("neus") if a.half == "report"]
    grouped = clustering_dev.stories(neus)
    keys = sorted(grouped)
    random.Random(1).shuffle(keys)
    day = [a for k in keys[:NEUS_STORIES] for a in grouped[k]]
    windows.append(
        ("NeuS, 150 stories", day, lambda i: f"Outlet {day[i].id.rsplit('-', 1)[-1]}", False)
    )
    # The same day as a news aggregator's dump gives it: headlines, no texts (stored as briefs).
    heads = [dataclasses.replace(a, text="") for a in day]
    windows.append(("NeuS, headlines only", heads, lambda i: f"Outlet {i % 3}", False))
    basil = [a for a in clustering_dev.load("basil") if a.half == "report"]
    outlets = {
        json.loads(line)["id"]: json.loads(line).get("source") or "BASIL"
        for line in (where / "basil" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    }
    windows.append(("BASIL", basil, lambda i: outlets[basil[i].id], False))
    # The same articles at their own dates (2010-2019), listed in one window of ten years.
    windows.append(("BASIL, own dates", basil, lambda i: outlets[basil[i].id], True))
    ecb = [a for a in clustering_dev.load("ecbplus") if a.half == "report"]
    for topic in sorted({a.topic for a in ecb}, key=lambda t: int(t.rsplit("-", 1)[-1])):
        members = [a for a in ecb if a.topic == topic]
        windows.append((f"ECB+ {topic}", members, lambda i: f"Outlet {i % 7}", False))

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="eh-stories-template-") as tmp:
        template = Path(tmp) / "data"
        run = _commands(template)
        run("migrate", "-v", "0")
        run("edition", "add", "bench", "--name", "Bench", "--timezone", "UTC")
        print(f"clustering-dev ({where}) through `headlines import` and `headlines stories`:")
        # The ECB+ topics are scored pooled: each topic's labels are moved past the last
        # topic's, so no two topics share a story number.
        pooled: tuple[list[str], list[int], list[int]] = ([], [], [])
        for name, articles, source, dated in windows:
            truth = [a.story for a in articles]
            cli = through_cli(template, articles, source, dated=dated)
            direct = bench_clustering.cluster_dev(articles, dated=dated)
            if name.startswith("ECB+"):
                pooled[0].extend(truth)
                for labels, out in ((cli, pooled[1]), (direct, pooled[2])):
                    offset = max(out, default=-1) + 1
                    out.extend(offset + x for x in labels)
                continue
            print(_line(f"{name}, CLI", truth, cli))
            print(_line(f"{name}, in-process", truth, direct))
        topics = len({a.topic for a in ecb})
        print(_line(f"ECB+ {topics} topics, CLI", pooled[0], pooled[1]))
        print(_line(f"ECB+ {topics} topics, in-process", pooled[0], pooled[2]))
    print(f"  ({time.perf_counter() - started:.0f} s)")
