"""How much a story matters to one edition tonight, and an order that is not one topic long.

score = (coverage + recency + place/section terms) x language
- coverage: independent sources (duplicates count once), each counted by its weight, plus a
  bonus for their number, on a log scale so the tenth source adds less than the second;
- recency: the newest article's age before the send time, halving about every 8 hours;
- terms: the edition's place and section words found in the story (capped);
- language: stories in another language than the edition's sink.
Then `diversify` orders greedily (maximal marginal relevance): a story close to ones already
chosen loses score, and no topic may take more than `per_topic` places.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from headlines.intake.extraction.languages import base

if TYPE_CHECKING:  # NumPy loads only where stories are ranked (fast start-up).
    import numpy as np

TOPIC_SIMILARITY = 0.2
PER_TOPIC = 2


@dataclass(frozen=True)
class Signals:
    source_weights: dict[str, float]  # outlet -> weight, one entry per independent outlet
    latest_at: dt.datetime
    languages: Sequence[str]
    text: str


def score(signals: Signals, *, end: dt.datetime, language: str, terms: dict[str, float]) -> float:
    weights = [max(w, 0.0) for w in signals.source_weights.values()]
    # Weight counts, but independence counts on its own: three outlets beat one heavy one.
    coverage = math.log2(1.0 + sum(weights)) + 0.5 * math.log2(max(len(weights), 1))
    age_hours = max((end - signals.latest_at).total_seconds() / 3600.0, 0.0)
    recency = 0.5 ** (age_hours / 8.0)
    lowered = signals.text.lower()
    found = sum(
        weight for term, weight in terms.items() if re.search(rf"\b{re.escape(term)}\b", lowered)
    )
    term_boost = min(found, 1.5) * 0.5
    matching = [lang for lang in signals.languages if not lang or _same_language(lang, language)]
    share = len(matching) / len(signals.languages) if signals.languages else 1.0
    return (coverage + recency + term_boost) * (0.4 + 0.6 * share)


def _same_language(a: str, b: str) -> bool:
    return base(a) == base(b)


def diversify(
    scores: Sequence[float], similarity: np.ndarray, *, per_topic: int = PER_TOPIC
) -> list[int]:
    """Indexes in digest order; `similarity` is the stories' cosine matrix (n x n)."""
    import numpy as np

    n = len(scores)
    remaining = set(range(n))
    order: list[int] = []
    held_back: list[int] = []
    topic_of: dict[int, int] = {}
    count: dict[int, int] = {}
    while remaining:
        best, best_value, nearest, nearest_sim = -1, -math.inf, -1, 0.0
        for i in sorted(remaining):
            near, near_sim = -1, 0.0
            if order:
                sims = similarity[i, order]
                k = int(np.argmax(sims))
                near, near_sim = order[k], float(sims[k])
            value = scores[i] * (1.0 - 0.5 * near_sim)
            if value > best_value:
                best, best_value, nearest, nearest_sim = i, value, near, near_sim
        remaining.discard(best)
        topic = topic_of[nearest] if nearest >= 0 and nearest_sim >= TOPIC_SIMILARITY else best
        if count.get(topic, 0) >= per_topic:
            held_back.append(best)  # that topic is full: it goes after everything else
            continue
        topic_of[best] = topic
        count[topic] = count.get(topic, 0) + 1
        order.append(best)
    return order + held_back
