"""Title vectors made once and stored: the sentence embedding a window of headlines is
clustered with (`vectorizer.Vectorizer`, HEADLINES_STORY_EMBEDDING_WEIGHT).

Encoding a title costs about 9 ms of CPU (all-MiniLM-L6-v2 in numpy, `embedding.py`): 45 s for a
5,000-headline day, more than the whole build may take. So each title is encoded once, when
`headlines import` or the periodic ingest stores a headline, or the first time a build clusters
the article in a window of headlines, and kept as a `TitleVector` (float16, 768 bytes). A
stored vector is used only while its key matches the text and the model (a title cleaned
another way, or another model version, makes it again); it goes with its article.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from django.db import transaction

from headlines.stories.models import TitleVector

if TYPE_CHECKING:
    import numpy as np


log = logging.getLogger(__name__)

# From this many titles to encode at once, a log line says so (and how long it may take).
SAY_FROM = 1000
SECONDS_A_TITLE = 0.01
# Articles read, encoded and stored at a time: SQLite takes at most 999 parameters a query in
# older builds, and each chunk's write is short.
CHUNK = 900


@cache
def model_name() -> str:
    """The model the vectors come from (`embedding.fingerprint`) and how much of a text it
    reads."""
    from headlines.stories import embedding

    folder = embedding.model_dir()
    if folder is None:
        raise embedding.ModelMissing(f"the model package ({embedding.PACKAGE}) is not installed")
    digest = hashlib.sha256(f"title vectors, {embedding.MAX_TOKENS} tokens".encode())
    embedding.fingerprint(digest, folder)
    return digest.hexdigest()[:16]


def key(text: str) -> str:
    """What a stored vector was made from: the text and the model."""
    return hashlib.sha256(f"{model_name()}\n{text}".encode()).hexdigest()


def pack(vector: np.ndarray) -> bytes:
    import numpy as np

    return np.asarray(vector, dtype="<f2").tobytes()


def unpack(data: bytes | memoryview) -> np.ndarray:
    import numpy as np

    return np.frombuffer(bytes(data), dtype="<f2").astype(np.float32)


def stored_or_made(texts: Mapping[int, str]) -> dict[int, np.ndarray]:
    """The vector of each article's text (`texts`: article id -> the title the clustering
    reads): the stored ones whose key matches, the others encoded now and stored, CHUNK
    articles at a time (a query's parameters are bounded on SQLite). Needs the model package
    (`embedding.available()`)."""
    from headlines.stories import embedding

    wanted = {article_id: key(text) for article_id, text in texts.items()}
    found: dict[int, np.ndarray] = {}
    ids = list(wanted)
    for start in range(0, len(ids), CHUNK):
        rows = TitleVector.objects.filter(article_id__in=ids[start : start + CHUNK])
        for article_id, stored_key, data in rows.values_list("article_id", "key", "vector"):
            if stored_key == wanted[article_id] and len(data) == embedding.DIMENSIONS * 2:
                found[article_id] = unpack(data)  # else (another text, a damaged row) made again
    missing = [article_id for article_id in ids if article_id not in found]
    if len(missing) >= SAY_FROM:
        log.info(
            "making the title vectors of %d headlines (about %.0f s of CPU, once; see "
            "HEADLINES_STORY_EMBEDDING_WEIGHT)",
            len(missing),
            len(missing) * SECONDS_A_TITLE,
        )
    for start in range(0, len(missing), CHUNK):
        chunk = missing[start : start + CHUNK]
        made = embedding.encode([texts[article_id] for article_id in chunk])
        for article_id, vector in zip(chunk, made, strict=True):
            found[article_id] = unpack(pack(vector))  # as it will be read back: float16
        _store({article_id: (wanted[article_id], found[article_id]) for article_id in chunk})
    return found


def _store(vectors: Mapping[int, tuple[str, np.ndarray]]) -> None:
    """Replace these articles' stored vectors. Two builds making the same vector at once store
    it once (the second insert is ignored); an article deleted meanwhile is skipped."""
    from headlines.intake.models import Article

    ids = list(vectors)
    with transaction.atomic():
        present = set(Article.objects.filter(pk__in=ids).values_list("pk", flat=True))
        TitleVector.objects.filter(article_id__in=ids).delete()
        TitleVector.objects.bulk_create(
            [
                TitleVector(article_id=article_id, key=stored_key, vector=pack(vector))
                for article_id, (stored_key, vector) in vectors.items()
                if article_id in present
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
