"""Where a story's summary comes from: extractive by default, a stronger model when installed.

A model is an outside effect like SMTP, so it sits behind a small protocol. It is off unless
HEADLINES_SUMMARY_MODEL names a factory (`package.module:callable`) of an already installed
package; nothing here downloads anything. Whatever a model returns is checked like any other
text — plain, whole sentences, under the cap, no boilerplate — or the extractive summary stands.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from functools import cache
from typing import Protocol

from django.conf import settings

from headlines.core.errors import InvalidInput
from headlines.stories import text as textlib

log = logging.getLogger(__name__)


class Summariser(Protocol):
    def summarise(self, *, headline: str, texts: Sequence[str], max_chars: int) -> str | None: ...


class ExtractiveSummariser:
    """One or two lead sentences of the best article, redundancy and boilerplate removed."""

    def summarise(self, *, headline: str, texts: Sequence[str], max_chars: int) -> str | None:
        return textlib.summarise(headline=headline, leads=texts, max_chars=max_chars) or None


_override: Summariser | None = None


def set_summariser(summariser: Summariser | None) -> Summariser | None:
    """Install a summariser for this process (tests); None returns to the setting."""
    global _override
    previous, _override = _override, summariser
    return previous


@cache
def _configured(path: str) -> Summariser:
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise InvalidInput("HEADLINES_SUMMARY_MODEL must look like package.module:factory")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise InvalidInput(f"HEADLINES_SUMMARY_MODEL: cannot load {path!r} ({exc})") from None
    summariser: Summariser = factory()
    return summariser


def get_summariser() -> Summariser | None:
    if _override is not None:
        return _override
    path = settings.CONFIG["HEADLINES_SUMMARY_MODEL"]
    return _configured(str(path)) if path else None


def acceptable(summary: str, *, max_chars: int) -> bool:
    parts = textlib.sentences(summary)
    return (
        0 < len(summary) <= max_chars
        # A Thai summary's pieces are cut at its spaces (`textlib.sentences`), not counted.
        and (1 <= len(parts) <= 2 or (bool(parts) and textlib.unmarked(summary)))
        and textlib.ends_a_sentence(summary.rstrip())
        and not any(textlib.is_boilerplate(p) for p in parts)
    )


def summarise(*, headline: str, texts: Sequence[str], max_chars: int) -> str:
    """The model's summary when one is configured and its answer passes; the extractive one else."""
    model = get_summariser()
    if model is not None:
        try:
            answer = textlib.plain(
                model.summarise(headline=headline, texts=texts, max_chars=max_chars) or ""
            )
        except Exception:  # a model is outside code: its failure must not stop the digest
            log.exception("summary model failed; using the extractive summary")
            answer = ""
        if acceptable(answer, max_chars=max_chars):
            return answer
    return (
        ExtractiveSummariser().summarise(headline=headline, texts=texts, max_chars=max_chars) or ""
    )
