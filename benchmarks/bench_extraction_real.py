"""Extraction on real pages nobody here wrote: ours (extraction + scrubbing) beside bare
`trafilatura.extract`, on ../shared/data/extraction-dev, read at run time and never copied.

Scoring follows the data's README: word-level bag-of-words precision, recall and F1 (tokens are
whitespace-split words, surrounding punctuation stripped, lower-cased; characters for zh/ja/th),
pooled per origin with `gold: human` apart from `tool-*`; snippets: share of `with` strings
found, of `without` strings absent, and whether the first eight words of the expected start
are found. "Ours" is the article's text, preceded by its title when the page repeated the
headline above the text (trafilatura keeps that heading in its text; we store it as the
title). Pages are split by a hash of their id into a tuning half and a checking half, so a rule
tuned on one half can be checked on the other.

Run: `HEADLINES_SHARED_DATA=/work/shared/data python -m benchmarks bench_extraction_real`
(default: ../shared/data relative to the repository root). `HEADLINES_BENCH_HALF=tune|check`
scores one half only.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks import django_setup
from benchmarks.shared_data import data_dir

ROOT = Path(__file__).resolve().parent.parent
CHARACTER_LANGUAGES = {"zh", "ja", "th"}
# A page counts as lost when ours scores this far below bare trafilatura.
LOSS = 0.15
START_WORDS = 8
CRASHED: list[str] = []


def half_of(page_id: str) -> str:
    return "tune" if zlib.crc32(page_id.encode()) % 2 == 0 else "check"


def _strip(token: str) -> str:
    start, end = 0, len(token)
    while start < end and unicodedata.category(token[start])[0] in "PS":
        start += 1
    while end > start and unicodedata.category(token[end - 1])[0] in "PS":
        end -= 1
    return token[start:end]


def tokens(text: str, language: str) -> Counter[str]:
    if language in CHARACTER_LANGUAGES:
        return Counter(
            c.lower() for c in text if not c.isspace() and unicodedata.category(c)[0] not in "PZ"
        )
    return Counter(t for t in (_strip(w).lower() for w in text.split()) if t)


@dataclass
class Score:
    hit: int = 0
    got: int = 0
    want: int = 0
    pages: int = 0

    def add(self, produced: str, expected: str, language: str) -> float:
        p, e = tokens(produced, language), tokens(expected, language)
        hit, got, want = sum((p & e).values()), sum(p.values()), sum(e.values())
        self.hit, self.got, self.want = self.hit + hit, self.got + got, self.want + want
        self.pages += 1
        return f1(hit, got, want)

    def row(self) -> tuple[float, float, float]:
        precision = self.hit / self.got if self.got else 0.0
        recall = self.hit / self.want if self.want else 0.0
        return precision, recall, f1(self.hit, self.got, self.want)


def f1(hit: int, got: int, want: int) -> float:
    precision = hit / got if got else 0.0
    recall = hit / want if want else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class Snippets:
    with_found: int = 0
    with_total: int = 0
    without_absent: int = 0
    without_total: int = 0
    start_found: int = 0
    start_total: int = 0
    pages: int = 0

    def add(self, text: str, record: dict[str, Any]) -> float:
        """Adds one page; returns its own score (the mean of the checks it has)."""
        flat = " ".join(text.split())
        found = [" ".join(s.split()) in flat for s in record.get("with") or []]
        absent = [" ".join(s.split()) not in flat for s in record.get("without") or []]
        start = record.get("prefix") or record.get("content_start") or ""
        starts = [" ".join(start.split()[:START_WORDS]) in flat] if start.strip() else []
        self.with_found += sum(found)
        self.with_total += len(found)
        self.without_absent += sum(absent)
        self.without_total += len(absent)
        self.start_found += sum(starts)
        self.start_total += len(starts)
        self.pages += 1
        parts = [sum(c) / len(c) for c in (found, absent, starts) if c]
        return sum(parts) / len(parts) if parts else 1.0

    def row(self) -> str:
        return (
            f"with {self.with_found}/{self.with_total}  without {self.without_absent}/"
            f"{self.without_total}  start {self.start_found}/{self.start_total}"
        )


class CountingMemory:
    """Per-site line memory without a database (the same rule as the stored memory)."""

    def __init__(self, threshold: int) -> None:
        self.counts: Counter[str] = Counter()
        self.threshold = threshold

    def prefetch(self, keys: Any) -> None:
        return None

    def is_repeated(self, key: str) -> bool:
        return self.counts[key] >= self.threshold

    def record(self, keys: Iterable[str], examples: Any) -> None:
        self.counts.update(set(keys))


@dataclass
class Results:
    words: dict[tuple[str, str], dict[str, Score]] = field(default_factory=dict)
    snippets: dict[str, dict[str, Snippets]] = field(default_factory=dict)
    lost: list[tuple[str, str, float, float]] = field(default_factory=list)

    def score(self, group: tuple[str, str], who: str) -> Score:
        return self.words.setdefault(group, {}).setdefault(who, Score())

    def snippet(self, origin: str, who: str) -> Snippets:
        return self.snippets.setdefault(origin, {}).setdefault(who, Snippets())


def records(folder: Path, name: str, wanted: str) -> Iterator[dict[str, Any]]:
    with (folder / name).open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if wanted in ("", half_of(record["id"])):
                yield record


def extractors() -> tuple[Any, Any]:
    import trafilatura

    from headlines.intake.errors import IntakeError
    from headlines.intake.extraction.cleaning import clean
    from headlines.intake.reading.inputs import RawItem, items_from_bytes

    memories: dict[str, CountingMemory] = {}
    crashed = CRASHED

    def ours(content: bytes, record: dict[str, Any]) -> str:
        site = urlsplit(record.get("url") or "").hostname or record["id"]
        memory = memories.setdefault(site, CountingMemory(3))
        try:
            items = items_from_bytes(content, input=record["id"], url=record.get("url") or "")
            item = items[0]
            if not isinstance(item, RawItem):
                return ""
            article = clean(item, memory=memory)
            # The headline trafilatura keeps in its text is ours too, stored as the title.
            heading = any(r.reason == "title" for r in article.removed)
            return f"{article.title}\n{article.text}" if heading else article.text
        except IntakeError:
            return ""
        except Exception as exc:  # a crash is a lost page, and is listed
            crashed.append(f"{record['id']}: {type(exc).__name__}: {exc}")
            return ""

    def bare(content: bytes, record: dict[str, Any]) -> str:
        return trafilatura.extract(content, include_comments=False, include_tables=False) or ""

    return ours, bare


def evaluate(folder: Path, wanted: str) -> Results:
    ours, bare = extractors()
    results = Results()
    for record in records(folder, "expected.jsonl", wanted):
        content = (folder / "pages" / f"{record['id']}.html").read_bytes()
        language, expected = record["lang"], record["text"]
        kind = "human" if record["gold"] == "human" else "tool"
        texts = {"ours": ours(content, record), "bare": bare(content, record)}
        page: dict[str, float] = {}
        for group in (
            ("origin", f"{record['origin']} ({kind})"),
            ("language", f"{language} ({kind})"),
            ("all", f"all {kind}"),
            ("half", f"{half_of(record['id'])} {kind}"),
        ):
            for who, text in texts.items():
                page[who] = results.score(group, who).add(text, expected, language)
        if page["ours"] < page["bare"] - LOSS:
            results.lost.append((record["id"], language, page["ours"], page["bare"]))
    for record in records(folder, "snippets.jsonl", wanted):
        content = (folder / "pages" / f"{record['id']}.html").read_bytes()
        page = {}
        for who, text in (("ours", ours(content, record)), ("bare", bare(content, record))):
            page[who] = results.snippet(record["origin"], who).add(text, record)
            results.snippet(f"language {record['lang']}", who).add(text, record)
            results.snippet(f"{half_of(record['id'])} half", who).add(text, record)
        if page["ours"] < page["bare"] - LOSS:
            results.lost.append((record["id"], record["lang"], page["ours"], page["bare"]))
    return results


def report(results: Results) -> None:
    head = f"{'group':34} {'pages':>5}  {'ours P':>6} {'R':>5} {'F1':>6}   {'bare P':>6} {'R':>5}"
    print(f"{head} {'F1':>6}  {'diff':>7}")
    for (kind, name), rows in sorted(results.words.items()):
        ours, bare = rows["ours"], rows["bare"]
        (op, orr, of), (bp, br, bf) = ours.row(), bare.row()
        print(
            f"{kind + ': ' + name:34} {ours.pages:5}  {op:6.3f} {orr:5.3f} {of:6.4f}   "
            f"{bp:6.3f} {br:5.3f} {bf:6.4f}  {of - bf:+7.4f}"
        )
    print("\nsnippets (found / absent / start found):")
    for name, snippet_rows in sorted(results.snippets.items()):
        pages = snippet_rows["ours"].pages
        print(f"  {name:26} {pages:4}  ours {snippet_rows['ours'].row()}")
        print(f"  {'':26} {'':4}  bare {snippet_rows['bare'].row()}")
    print(f"\npages where ours is more than {LOSS} below bare trafilatura: {len(results.lost)}")
    for page_id, language, ours_score, bare_score in sorted(results.lost):
        print(f"  {page_id:50} {language:3} ours {ours_score:.3f}  bare {bare_score:.3f}")
    print(f"pages where ours raised an exception: {len(CRASHED)}")
    for line in CRASHED:
        print(f"  {line}")


def main() -> None:
    folder = data_dir() / "extraction-dev"
    if not (folder / "expected.jsonl").is_file():
        print(
            f"skipped: {folder} not found (set HEADLINES_SHARED_DATA to the folder that holds "
            "extraction-dev/)"
        )
        return
    wanted = os.environ.get("HEADLINES_BENCH_HALF", "")
    if wanted not in ("", "tune", "check"):
        sys.exit("HEADLINES_BENCH_HALF must be tune, check or unset")
    django_setup()
    print(f"data: {folder}  half: {wanted or 'both'}")
    report(evaluate(folder, wanted))


if __name__ == "__main__":
    main()
