"""Which scrubbing rule costs or earns what on extraction-dev: each rule is switched off in turn
and the pages are scored again, per origin set, against the run with every rule on.

A rule's row says, per set, how many gold words (characters for zh/ja/th) it removes that the
gold keeps (`lost`: recall it costs), how many words it removes that the gold does not keep
(`furniture`: precision it earns), and the set's F1 with the rule minus F1 without it (`gain`;
negative: the rule hurts that set on balance). Rules are tried in order and the first that
matches decides, so a segment one rule no longer takes may fall to the next: each row is that
rule's marginal effect, not a partition. Extraction runs once per page (cached); only the
scrubbing is repeated. The pages where a rule costs the most gold words are listed with it.

Run: `HEADLINES_SHARED_DATA=/work/shared/data python -m benchmarks.extraction_rules`
(`HEADLINES_BENCH_RULES=name,name` limits the rules tried; `HEADLINES_BENCH_HALF` as in
bench_extraction_real).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import django_setup
from benchmarks.bench_extraction_real import (
    CRASHED,
    Score,
    extractors,
    records,
    tokens,
)
from benchmarks.shared_data import data_dir

TOP_PAGES = 3


@dataclass
class Tally:
    """One set's scores with every rule on (`base`) and with one rule off (`off`)."""

    base: Score = field(default_factory=Score)
    off: Score = field(default_factory=Score)


@contextmanager
def _patched(target: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, old)


def switches() -> dict[str, Callable[[], Any]]:
    """Each rule by name, and a context manager that switches it off."""
    from headlines.intake.scrubbing import rules, scrub, structure

    found: dict[str, Callable[[], Any]] = {}

    def without(rule: Any) -> Callable[[], Any]:
        # Out of both lists classify() reads (a rule's name may also be another's reason).
        @contextmanager
        def off() -> Iterator[None]:
            every = [r for r in rules.RULES if r is not rule]
            blind = [r for r in rules._REPORT_BLIND if r is not rule]
            with _patched(rules, "RULES", every), _patched(rules, "_REPORT_BLIND", blind):
                yield

        return off

    for rule in rules.RULES:
        found[rule.name] = without(rule)
    for family in ("navigation", "related", "tagline"):
        found[f"{family} (structure)"] = _family_off(structure, family)
    found["repeated short lines"] = lambda: _patched(
        structure, "_without_repeated_short_lines", lambda kept, removed, links: kept
    )
    found["inline credit"] = lambda: _patched(scrub, "_without_credits", lambda s, removed: s)
    found["caption paragraph"] = lambda: _patched(scrub, "_is_caption", lambda parts: False)
    found["learned lines"] = lambda: _patched(scrub, "_is_learned", lambda line, memory: False)
    found["title"] = lambda: _patched(
        sys.modules["headlines.intake.extraction.cleaning"],
        "_without_title",
        lambda extracted: (extracted.paragraphs, []),
    )
    found["keep-most fallback"] = lambda: _patched(scrub, "MAX_REMOVED_SHARE", 10.0)
    return found


def _family_off(structure: Any, family: str) -> Callable[[], Any]:
    """Switches off one family of the rules about runs of lines (menus, related, taglines)."""
    lists = structure.lists_and_taglines

    def off(
        kept: list[str],
        removed: list[tuple[str, str]],
        skip: frozenset[str] = frozenset(),
        links: Any = None,
    ) -> Any:
        return lists(kept, removed, skip | {family}, links)

    return lambda: _patched(structure, "lists_and_taglines", off)


def cached_extraction() -> None:
    """trafilatura runs once per page: the scrubbing is what changes between runs."""
    from headlines.intake.extraction import cleaning

    extract = cleaning._extract
    cache: dict[str, Any] = {}

    def once(item: Any) -> Any:
        if item.input not in cache:
            cache[item.input] = extract(item)
        return cache[item.input]

    cleaning._extract = once


def run(folder: Path, wanted: str) -> list[tuple[dict[str, Any], bytes]]:
    return [
        (record, (folder / "pages" / f"{record['id']}.html").read_bytes())
        for record in records(folder, "expected.jsonl", wanted)
    ]


def texts(pages: list[tuple[dict[str, Any], bytes]]) -> list[str]:
    ours, _ = extractors()  # a fresh per-site memory for every run
    return [ours(content, record) for record, content in pages]


def origin(record: dict[str, Any]) -> str:
    kind = "human" if record["gold"] == "human" else "tool"
    return f"{record['origin']} ({kind})"


def main() -> None:
    folder = data_dir() / "extraction-dev"
    if not (folder / "expected.jsonl").is_file():
        print(f"skipped: {folder} not found (set HEADLINES_SHARED_DATA)")
        return
    django_setup()
    cached_extraction()
    pages = run(folder, os.environ.get("HEADLINES_BENCH_HALF", ""))
    base = texts(pages)
    available = switches()
    chosen = [n for n in os.environ.get("HEADLINES_BENCH_RULES", "").split(",") if n]
    unknown = [n for n in chosen if n not in available]
    if unknown:
        sys.exit(f"unknown rules: {', '.join(unknown)}; known: {', '.join(available)}")
    print(f"data: {folder}  pages: {len(pages)}")
    print(f"{'rule':28} {'set':30} {'lost':>6} {'furniture':>9} {'gain':>8}")
    for name in chosen or available:
        with available[name]():
            other = texts(pages)
        tallies: dict[str, Tally] = {}
        worst: list[tuple[int, str]] = []
        for (record, _), mine, without in zip(pages, base, other, strict=True):
            if mine == without:
                continue
            language, expected = record["lang"], record["text"]
            for group in (origin(record), "all"):
                tally = tallies.setdefault(group, Tally())
                tally.base.add(mine, expected, language)
                tally.off.add(without, expected, language)
            gold = tokens(expected, language)
            lost = sum((tokens(without, language) & gold).values()) - sum(
                (tokens(mine, language) & gold).values()
            )
            worst.append((lost, record["id"]))
        if not tallies:
            print(f"{name:28} {'(changes no page)':30}")
            continue
        for group, tally in sorted(tallies.items(), key=lambda kv: kv[0] == "all"):
            lost = tally.off.hit - tally.base.hit
            furniture = (tally.off.got - tally.base.got) - lost
            gain = _f1_change(group, pages, base, other, tally)
            print(f"{name:28} {group:30} {lost:6} {furniture:9} {gain:+8.4f}")
        for lost, page_id in sorted(worst, reverse=True)[:TOP_PAGES]:
            if lost > 0:
                print(f"{'':28}   costs {lost} gold words on {page_id}")
    if CRASHED:
        print("crashed:", *CRASHED, sep="\n  ")


def _f1_change(
    group: str,
    pages: list[tuple[dict[str, Any], bytes]],
    base: list[str],
    other: list[str],
    tally: Tally,
) -> float:
    """The whole set's pooled F1 with the rule minus without it (unchanged pages included)."""
    on, off = Score(), Score()
    for (record, _), mine, without in zip(pages, base, other, strict=True):
        if group != "all" and origin(record) != group:
            continue
        on.add(mine, record["text"], record["lang"])
        off.add(without, record["text"], record["lang"])
    return on.row()[2] - off.row()[2]


if __name__ == "__main__":
    main()
