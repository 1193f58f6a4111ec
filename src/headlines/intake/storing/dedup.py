"""De-duplication: canonical URLs, exact text hashes, and near-duplicates by MinHash LSH.

Each stored article keeps its MinHash signature (256 bytes), so the LSH index is rebuilt from the
database over a recent window instead of living forever in memory.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # datasketch loads SciPy: only storing and de-duplicating pay for it.
    from datasketch import MinHash

NUM_PERM = 64
SHINGLE = 4
# Text read a piece at a time for its shingles: about 10,000 of them at most a batch.
SHINGLE_CHARS = 60_000
WORD = re.compile(r"\w+")


@cache
def _template() -> MinHash:
    # crc32 is a C function: hashing every shingle through SHA-1 in Python cost more than the
    # rest of de-duplication together. Stored signatures depend on it; change it with a migration.
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32)


def canonical_url(url: str) -> str:
    """Scheme and host lower-cased, tracking parameters and fragments dropped."""
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        return ""
    from courlan import normalize_url  # a tenth of a second to load: only intake pays for it

    try:
        return str(normalize_url(url, strict=True))
    except (ValueError, AttributeError):
        return url


def text_hash(text: str) -> str:
    normal = " ".join(WORD.findall(text.lower()))
    return hashlib.sha256(normal.encode()).hexdigest()


def shingle_batches(text: str) -> Iterator[list[bytes]]:
    """The text's runs of SHINGLE words (all its words, when it has fewer), a batch at a time:
    a record's text may run to megabytes. Words are found SHINGLE_CHARS of the text at a time
    (the regex engine's `findall`, not a Python step a word), each piece ending where a word
    does, and a piece's last words carried into the next so that runs across the cut are
    kept."""
    lowered = text.lower()
    carry: list[str] = []
    made = False
    start = 0
    while start < len(lowered):
        end = min(len(lowered), start + SHINGLE_CHARS)
        straddling = WORD.match(lowered, end) if end < len(lowered) else None
        if straddling and WORD.match(lowered, end - 1):
            end = straddling.end()  # never cut a word in two
        words = carry + WORD.findall(lowered, start, end)
        if len(words) >= SHINGLE:
            made = True
            yield [
                " ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)
            ]
        carry = words[-(SHINGLE - 1) :] if made else words
        start = end
    if carry and not made:
        yield [" ".join(carry).encode()]


def signature(text: str) -> MinHash:
    from datasketch import MinHash

    minhash = MinHash(
        num_perm=NUM_PERM,
        permutations=_template().permutations,
        scheme=_template().scheme,
        hashfunc=zlib.crc32,
    )
    # update_batch holds a NUM_PERM x batch array of 64-bit hashes: an 8 MB text's 1.6 million
    # shingles at once took 800 MB. A signature is a minimum, so batches give the same one.
    for batch in shingle_batches(text):
        minhash.update_batch(batch)
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    import numpy as np

    return bytes(minhash.hashvalues.astype(np.uint32).tobytes())


def from_bytes(raw: bytes) -> MinHash | None:
    if len(raw) != NUM_PERM * 4:
        return None
    import numpy as np
    from datasketch import MinHash

    values = np.frombuffer(raw, dtype=np.uint32).copy()
    return MinHash(
        num_perm=NUM_PERM, hashvalues=values, scheme=_template().scheme, hashfunc=zlib.crc32
    )


class NearIndex:
    """An LSH index of article ids by signature; `query` answers the likely near-duplicates."""

    def __init__(self, threshold: float) -> None:
        from datasketch import MinHashLSH

        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.threshold = threshold
        self.signatures: dict[int, MinHash] = {}
        self._lock = threading.Lock()

    def add(self, article_id: int, minhash: MinHash) -> None:
        with self._lock:
            known = self.signatures.get(article_id)
            if known is not None:
                if known == minhash:
                    return
                self.lsh.remove(article_id)  # an id reused after a rollback
            self.lsh.insert(article_id, minhash)
            self.signatures[article_id] = minhash

    def query(self, minhash: MinHash) -> list[int]:
        """Candidates whose estimated similarity really clears the threshold, oldest first."""
        with self._lock:
            found = [
                int(i)
                for i in self.lsh.query(minhash)
                if self.signatures[int(i)].jaccard(minhash) >= self.threshold
            ]
        return sorted(found)

    def __len__(self) -> int:
        return len(self.signatures)


class SharedIndex:
    """One near-duplicate index per process, refreshed instead of rebuilt on every run.

    Each run adds the articles stored since the last one (by id, from any process); the whole
    index is rebuilt from the database over the window once it is older than `max_age`, which
    also drops what fell out of the window or was deleted. Hits are re-checked against the
    stored signature, so a stale entry can never link an article to the wrong copy.
    """

    def __init__(self, max_age_seconds: float = 3600) -> None:
        self.lock = threading.Lock()
        self.index: NearIndex | None = None
        self.last_id = 0
        self.built_at = 0.0
        self.key: tuple[float, int, str] | None = None
        self.max_age = max_age_seconds

    def get(
        self,
        rows: Callable[[int], Iterable[tuple[int, bytes]]],
        *,
        threshold: float,
        window_key: tuple[int, str],
    ) -> NearIndex:
        """`rows(after_id)` yields (id, signature) of root articles in the window after an id."""
        key = (threshold, *window_key)
        with self.lock:
            stale = time.monotonic() - self.built_at > self.max_age
            if self.index is None or self.key != key or stale:
                self.index, self.last_id, self.key = NearIndex(threshold), 0, key
                self.built_at = time.monotonic()
            for article_id, raw in rows(self.last_id):
                minhash = from_bytes(bytes(raw or b""))
                if minhash is not None:
                    self.index.add(article_id, minhash)
                self.last_id = max(self.last_id, article_id)
            return self.index

    def reset(self) -> None:
        with self.lock:
            self.index, self.last_id, self.key = None, 0, None
