"""Intake quality: word-level precision, recall and F1 of our extraction + scrubbing against
bare trafilatura, on the labelled corpus in benchmarks/data/intake (train and held-out
publishers reported apart). Run: `python -m benchmarks bench_intake_quality`."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks import django_setup

DATA = Path(__file__).parent / "data" / "intake"


def load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("intake_corpus", DATA / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["intake_corpus"] = module
    spec.loader.exec_module(module)
    return module


def words(text: str) -> Counter[str]:
    return Counter(w.strip(".,;:!?\"'()").lower() for w in text.split() if w.strip(".,;:!?\"'()"))


class Score:
    def __init__(self) -> None:
        self.hit = self.got = self.want = 0

    def add(self, produced: str, expected: str) -> None:
        p, e = words(produced), words(expected)
        self.hit += sum((p & e).values())
        self.got += sum(p.values())
        self.want += sum(e.values())

    def row(self) -> tuple[float, float, float]:
        precision = self.hit / self.got if self.got else 0.0
        recall = self.hit / self.want if self.want else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


class CountingMemory:
    """Per-publisher line memory without a database (same rule as SourceLineMemory)."""

    def __init__(self, threshold: int) -> None:
        self.counts: Counter[str] = Counter()
        self.threshold = threshold

    def prefetch(self, keys: Any) -> None:
        return None

    def is_repeated(self, key: str) -> bool:
        return self.counts[key] >= self.threshold

    def record(self, keys: Any, examples: Any) -> None:
        self.counts.update(set(keys))


def evaluate() -> dict[str, dict[str, Score]]:
    import trafilatura

    from headlines.intake.errors import IntakeError
    from headlines.intake.extraction.cleaning import clean
    from headlines.intake.reading.inputs import RawItem, read_records

    manifest = json.loads((DATA / "manifest.json").read_text())
    scores: dict[str, dict[str, Score]] = {}

    def cell(kind: str, split: str, who: str) -> Score:
        return scores.setdefault(f"{kind} / {split}", {}).setdefault(who, Score())

    memories: dict[str, CountingMemory] = {}
    for entry in manifest["pages"]:
        page = (DATA / entry["html"]).read_text(encoding="utf-8")
        expected = (DATA / entry["expected"]).read_text(encoding="utf-8")
        memory = memories.setdefault(entry["publisher"], CountingMemory(3))
        try:
            ours = clean(RawItem(input=entry["html"], html=page), memory=memory).text
        except IntakeError:
            ours = ""
        bare = trafilatura.extract(page, include_comments=False, include_tables=False) or ""
        for split in (entry["split"], "all"):
            cell("pages", split, "ours").add(ours, expected)
            cell("pages", split, "trafilatura").add(bare, expected)
    for entry in manifest["records"]:
        expected_list = json.loads((DATA / entry["expected"]).read_text(encoding="utf-8"))
        memory = memories.setdefault(entry["publisher"], CountingMemory(3))
        records = [r for r in read_records(DATA / entry["dump"]) if isinstance(r, RawItem)]
        for record, expected in zip(records, expected_list, strict=True):
            ours = clean(record, memory=memory).text
            for split in (entry["split"], "all"):
                cell("records", split, "ours").add(ours, expected)
                # trafilatura takes HTML only; for text records "bare" is the record unscrubbed.
                cell("records", split, "unscrubbed").add(record.text, expected)
    return scores


def main() -> None:
    django_setup()
    manifest = json.loads((DATA / "manifest.json").read_text())
    print(
        f"corpus: {len(manifest['pages'])} pages, "
        f"{sum(1 for _ in manifest['records']) * 3} dump records"
    )
    print(f"{'inputs / publishers':26} {'extractor':13} {'precision':>9} {'recall':>7} {'F1':>6}")
    for group, rows in sorted(evaluate().items()):
        for who, score in rows.items():
            p, r, f = score.row()
            print(f"{group:26} {who:13} {p:9.3f} {r:7.3f} {f:6.3f}")


if __name__ == "__main__":
    main()
