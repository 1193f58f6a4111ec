"""Near-duplicate signatures: the same for any text size, and bounded in memory."""

import tracemalloc
import zlib
from unittest.mock import patch

from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from headlines.intake.storing import dedup


def _words(count: int) -> str:
    return " ".join(f"w{zlib.crc32(str(i).encode()) % 50_000}" for i in range(count))


def test_a_signature_is_the_one_stored_before_however_long_the_text() -> None:
    # Signatures are stored: taking the shingles in batches must not change one.
    for text in ["", "one", "one two three four", "one two three four five", _words(30_000)]:
        words = dedup.WORD.findall(text.lower())
        runs = [" ".join(words[i : i + 4]) for i in range(max(1, len(words) - 3))]
        whole = MinHash(
            num_perm=dedup.NUM_PERM,
            permutations=dedup._template().permutations,
            scheme=dedup._template().scheme,
            hashfunc=zlib.crc32,
        )
        if words:
            whole.update_batch([r.encode() for r in runs])
        assert (dedup.signature(text).hashvalues == whole.hashvalues).all()


def test_a_record_of_megabytes_is_signed_in_bounded_memory() -> None:
    # A JSONL record with an 8 MB text took about 800 MB to sign (a 64 x 1.6 million array of
    # hashes), a 50 MB line five times that.
    text = _words(400_000)
    dedup.signature("the import itself is not measured")
    tracemalloc.start()
    try:
        dedup.signature(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32_000_000  # it was 200 MB for this text


PIECES = [*"ab c_1.é,ß\n-", "İ", "日本", "  ", "word "]


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
    piece=st.integers(min_value=1, max_value=12),
)
def test_shingles_read_a_piece_at_a_time_are_every_run_of_the_text(text: str, piece: int) -> None:
    # The pieces end where a word does and carry their last words over: the runs are those of
    # the whole text at once, whatever the piece's size.
    words = dedup.WORD.findall(text.lower())
    runs = {" ".join(words[i : i + 4]).encode() for i in range(max(1, len(words) - 3))}
    with patch.object(dedup, "SHINGLE_CHARS", piece):
        found = [run for batch in dedup.shingle_batches(text) for run in batch]
    assert set(found) == (runs if words else set())
    assert len(found) == (max(1, len(words) - 3) if words else 0)
