"""Clustering quality on the committed labelled set (benchmarks/data/stories), as a floor."""

import importlib.util
import json
from pathlib import Path

from benchmarks.bench_clustering import bcubed, load, pairwise, run

from headlines.stories.clustering import cluster
from headlines.stories.parts import Doc

DATA = Path(__file__).parents[2] / "benchmarks" / "data" / "stories"


def test_the_labelled_set_is_what_its_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location("generate", DATA / "generate.py")
    assert spec and spec.loader
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    rows = generate.generate()
    committed = [json.loads(line) for line in (DATA / "stories.jsonl").read_text().splitlines()]
    assert rows == committed
    assert len(rows) >= 300 and len({r["story"] for r in rows}) >= 60


def test_held_out_stories_are_found_at_the_default_threshold(settings) -> None:
    held = [r for r in load() if r["part"] == "held_out"]
    truth = [str(r["story"]) for r in held]
    labels = run(held, float(settings.CONFIG["HEADLINES_STORY_SIMILARITY"]))
    assert bcubed(truth, labels)[2] > 0.9
    precision, recall, _ = pairwise(truth, labels)
    assert precision > 0.85 and recall > 0.85


def test_the_metrics_themselves() -> None:
    assert bcubed(["a", "a", "b"], [1, 1, 2]) == (1.0, 1.0, 1.0)
    p, r, _ = pairwise(["a", "a", "b"], [1, 1, 1])
    assert (p, r) == (1 / 3, 1.0)
    assert cluster([Doc("x", "y")], threshold=0.5).labels == [0]
