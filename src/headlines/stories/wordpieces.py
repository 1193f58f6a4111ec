"""A static word-piece embedding from the installed all-MiniLM-L6-v2 (model2vec-style).

The model's own vectors of its 30,522 word pieces (its input embedding table) are centred and
reduced by PCA to `DIMENSIONS` and stored as float16 (8 MB). A text's vector is the TF-IDF-
weighted mean of its pieces' rows (IDF over the docs clustered together) less the window's mean,
normalised: microseconds per article where the full encoder costs ~30 ms. (Running each piece
through the encoder alone, as model2vec distils, ranked same-story headline pairs worse on
clustering-dev: see docs/benchmarks.md.)

The table is computed once from the installed model package (about 10 s of CPU) and cached
as `DATA_DIR/models/<name>`: a header with a checksum, then the rows. A file that is missing,
truncated, corrupt or made from other model weights is rebuilt (a log line says why); two
processes building at once each write a temporary file and rename it into place, so a reader
never sees half a file. Nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from headlines.stories import embedding

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

log = logging.getLogger(__name__)

DIMENSIONS = 128
FORMAT = 2  # bump when the way rows are made changes: the cached file's name changes with it
MAGIC = b"HLWPTBL\n"
# Texts are cut here: a title and its lead (see vectorizer.embedding_text), and a bound on work.
MAX_PIECES = 256
# A text's vector is measured from the window's mean (every mean of word vectors leans the same
# way, and cosines of uncentred means are high for any two texts). Under this many texts the mean
# is too poor an estimate, and the clustering keeps to words (see vectorizer.Vectorizer).
MIN_TEXTS = 20


class Table:
    """The rows (float16, vocabulary x DIMENSIONS) and the tokenizer that finds a text's rows."""

    def __init__(self, rows: np.ndarray, tokenizer: embedding.Tokenizer) -> None:
        self.rows = rows
        self.tokenizer = tokenizer
        skip = {i for w, i in tokenizer.vocab.items() if w.startswith("[") and w.endswith("]")}
        self._skip = skip

    def pieces(self, text: str) -> list[int]:
        """The piece ids of `text` (no [CLS]/[SEP], no unknown pieces), at most MAX_PIECES."""
        ids = self.tokenizer.ids(text, MAX_PIECES + 2)[1:-1]
        return [i for i in ids if i not in self._skip]

    def counts(self, texts: Sequence[str]) -> csr_matrix:
        """Text x piece counts."""
        import numpy as np
        from scipy.sparse import csr_matrix

        indptr, indices = [0], []
        for text in texts:
            indices.extend(self.pieces(text))
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float32)
        shape = (len(texts), self.rows.shape[0])
        out = csr_matrix((data, np.asarray(indices, dtype=np.int64), indptr), shape=shape)
        out.sum_duplicates()
        return out

    def vectors(self, texts: Sequence[str], *, centre: bool = True) -> np.ndarray:
        """Unit rows, one per text: the mean of its pieces' rows weighted by sublinear TF x IDF
        (document frequency over `texts`), the window's mean vector removed. A text without a
        known piece gets a zero row."""
        import numpy as np
        from sklearn.preprocessing import normalize

        if not texts:
            return np.zeros((0, self.rows.shape[1]), dtype=np.float32)
        counts = self.counts(texts)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        idf = np.log((1.0 + len(texts)) / (1.0 + df)).astype(np.float32) + np.float32(1.0)
        counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
        used = np.unique(counts.indices)
        mean = counts[:, used] @ self.rows[used].astype(np.float32)
        weight = np.asarray(counts.sum(axis=1)).ravel()
        mean = mean / np.maximum(weight, 1e-12)[:, None]
        has = weight > 0
        if centre and has.sum() > 1:
            mean[has] -= mean[has].mean(axis=0)
        out: np.ndarray = normalize(mean).astype(np.float32)
        out[~has] = 0.0
        return out


def vocabulary_size(tokenizer: embedding.Tokenizer) -> int:
    return max(tokenizer.vocab.values()) + 1


def distil(folder: Path, ids: Iterable[int] | None = None) -> np.ndarray:
    """The table's rows (float16): the model's own word-piece vectors (its input embedding
    table), centred and PCA-reduced to DIMENSIONS. `ids`: only these pieces (tests); the others
    stay zero. Deterministic."""
    import numpy as np

    tokenizer = embedding.Tokenizer.load(folder / "vocab.txt")
    weights = embedding.read_safetensors(folder / "model.safetensors")
    name = next(n for n in weights if n.endswith("embeddings.word_embeddings.weight"))
    words = weights[name]
    size = vocabulary_size(tokenizer)
    if words.shape[0] < size:
        raise CorruptTable(f"{words.shape[0]} word vectors for a vocabulary of {size}")
    special = {i for w, i in tokenizer.vocab.items() if w.startswith("[") and w.endswith("]")}
    chosen = sorted(set(range(size) if ids is None else ids) - special)
    raw = np.asarray(words[chosen], dtype=np.float64)
    raw -= raw.mean(axis=0)
    dims = min(DIMENSIONS, len(chosen), raw.shape[1])
    # PCA: the right singular vectors of the centred rows.
    _, _, vt = np.linalg.svd(raw, full_matrices=False)
    components = vt[:dims]
    # A component's sign is arbitrary: fix it so that its largest coordinate is positive.
    signs = np.sign(components[np.arange(dims), np.abs(components).argmax(axis=1)])
    components *= signs[:, None]
    table = np.zeros((size, DIMENSIONS), dtype=np.float16)
    table[chosen, :dims] = (raw @ components.T).astype(np.float16)
    return table


# --- the cached file ----------------------------------------------------------------------------


def model_key(folder: Path) -> str:
    """What the table is made from: the format, its width and the model
    (`embedding.fingerprint`)."""
    digest = hashlib.sha256(f"{FORMAT}:{DIMENSIONS}".encode())
    embedding.fingerprint(digest, folder)
    return digest.hexdigest()[:16]


def table_key(folder: Path, ids: Sequence[int] | None = None) -> str:
    """`model_key`, or for a table of `ids` only, a key of its own."""
    key = model_key(folder)
    if ids is not None:
        key = hashlib.sha256(f"{key}:{sorted(set(ids))}".encode()).hexdigest()[:16]
    return key


def cache_path(directory: Path, key: str) -> Path:
    return directory / f"minilm-wordpieces-{key}.f16"


def write(path: Path, rows: np.ndarray, key: str) -> None:
    """Write `rows` to `path` atomically: a temporary file beside it, then a rename."""
    payload = rows.astype("<f2").tobytes()
    header = json.dumps(
        {
            "key": key,
            "shape": list(rows.shape),
            "sha256": hashlib.sha256(payload).hexdigest(),
        }
    ).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + len(header).to_bytes(4, "little") + header + payload)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, 0o644)  # vectors of a public model: readable like the code
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class CorruptTable(ValueError):
    """The cached file is not a whole table made from this model."""


def read(path: Path, key: str, rows: int) -> np.ndarray:
    """The `rows` rows stored at `path`, checked against their header, checksum and `key`."""
    import numpy as np

    blob = path.read_bytes()
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 4:
        raise CorruptTable("not a word-piece table")
    start = len(MAGIC) + 4
    size = int.from_bytes(blob[len(MAGIC) : start], "little")
    try:
        header = json.loads(blob[start : start + size])
        shape = tuple(int(x) for x in header["shape"])
        checksum, stored_key = str(header["sha256"]), str(header["key"])
    except (ValueError, KeyError, TypeError) as error:
        raise CorruptTable(f"unreadable header ({error})") from None
    if stored_key != key:
        raise CorruptTable("made from another model or format")
    if shape != (rows, DIMENSIONS):
        raise CorruptTable(f"shape {shape}, expected {(rows, DIMENSIONS)}")
    payload = blob[start + size :]
    if len(payload) != shape[0] * shape[1] * 2:
        raise CorruptTable(f"{len(payload)} bytes of rows, expected {shape[0] * shape[1] * 2}")
    if hashlib.sha256(payload).hexdigest() != checksum:
        raise CorruptTable("checksum mismatch")
    return np.frombuffer(payload, dtype="<f2").reshape(shape)


def load_or_build(
    directory: Path,
    folder: Path | None = None,
    *,
    ids: Iterable[int] | None = None,
    package: str = embedding.PACKAGE,
) -> Table:
    """The table cached in `directory`, built from the model in `folder` (default: the installed
    `package`'s) and cached when the file is missing or not whole. `ids`: a table of these
    pieces only (tests; cached under a key of its own)."""
    folder = folder or embedding.model_dir(package)
    if folder is None:
        raise embedding.ModelMissing(
            f"the sentence-embedding model package ({package}) is not installed: run `make "
            "install` (requirements/model.txt), or set HEADLINES_STORY_STATIC_WEIGHT=0"
        )
    chosen = None if ids is None else sorted(set(ids))
    key = table_key(folder, chosen)
    path = cache_path(directory, key)
    tokenizer = embedding.Tokenizer.load(folder / "vocab.txt")
    if path.exists():
        try:
            return Table(read(path, key, vocabulary_size(tokenizer)), tokenizer)
        except (CorruptTable, OSError) as error:
            log.warning("word-piece table %s is unusable (%s): rebuilding it", path, error)
    started, cpu = time.perf_counter(), time.process_time()
    log.info("building the word-piece table %s from %s (once; about 10 s of CPU)", path, folder)
    rows = distil(folder, chosen)
    write(path, rows, key)
    log.info(
        "built the word-piece table in %.0f s (%.0f s CPU)",
        time.perf_counter() - started,
        time.process_time() - cpu,
    )
    return Table(rows, tokenizer)


# --- the one table of the process -------------------------------------------------------------

_lock = threading.Lock()
_tables: dict[Path, Table] = {}


def default_directory() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "models"


def table(directory: Path | None = None) -> Table:
    """The process's table for `directory` (default DATA_DIR/models), loaded once."""
    directory = (directory or default_directory()).resolve()
    found = _tables.get(directory)
    if found is None:
        with _lock:
            found = _tables.get(directory)
            if found is None:
                found = load_or_build(directory)
                _tables[directory] = found
    return found
