"""The sentence embedding (all-MiniLM-L6-v2 in numpy). Its agreement with the reference library
(sentence-transformers on PyTorch) is measured outside the project, see docs/benchmarks.md;
here are the properties a user relies on, on sentences written for these tests."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from headlines.stories import embedding
from headlines.stories.parts import Doc
from headlines.stories.vectorizer import Vectorizer, embeddable
from tests.stories.support import OTHERS, STORM, errors_in_threads, require_model


@pytest.fixture(scope="module")
def model() -> embedding.Encoder:
    require_model()
    return embedding.encoder()


# (a report, the same event in other words, another event)
TRIPLES = [
    (
        "Storm knocks out power to 40,000 homes across the region",
        "Tens of thousands of households lost electricity as the gale swept through",
        "The central bank kept interest rates unchanged on Wednesday",
    ),
    (
        "Lawmakers pass budget bill after all-night session",
        "Congress approves spending plan following overnight debate",
        "Striker scores twice as United beat City in the derby",
    ),
    (
        "Wildfire forces thousands to flee their homes in Colorado",
        "Blaze prompts mass evacuations near Denver",
        "Tech giant unveils a new smartphone with a larger screen",
    ),
]


def test_vectors_are_unit_length_and_the_same_every_time(model: embedding.Encoder) -> None:
    texts = [t for triple in TRIPLES for t in triple]
    first, second = model.encode(texts), model.encode(texts)
    assert first.shape == (len(texts), embedding.DIMENSIONS) and first.dtype == np.float32
    assert np.array_equal(first, second)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)


def test_the_same_event_in_other_words_is_nearer_than_another_event(
    model: embedding.Encoder,
) -> None:
    for report, retold, other in TRIPLES:
        v = model.encode([report, retold, other])
        assert v[0] @ v[1] > 0.45, (report, retold)
        assert v[0] @ v[1] > max(v[0] @ v[2], v[1] @ v[2]) + 0.3, (report, retold, other)


def test_a_text_gets_the_same_vector_alone_as_in_a_batch_of_any_lengths(
    model: embedding.Encoder,
) -> None:
    texts = ["Short.", TRIPLES[0][0], " ".join(TRIPLES[1]) * 8, "", TRIPLES[2][1]]
    together = model.encode(texts)
    alone = np.vstack([model.encode([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_tokens_are_berts_uncased_wordpieces(model: embedding.Encoder) -> None:
    tokenizer = model.tokenizer
    words = {i: w for w, i in tokenizer.vocab.items()}

    def pieces(text: str) -> list[str]:
        return [words[i] for i in tokenizer.ids(text)]

    assert pieces("Hello, World! Café naïve") == [
        "[CLS]", "hello", ",", "world", "!", "cafe", "naive", "[SEP]",
    ]  # fmt: skip
    assert pieces("unaffable") == ["[CLS]", "una", "##ffa", "##ble", "[SEP]"]
    assert pieces("東京") == ["[CLS]", "東", "京", "[SEP]"]  # each ideograph a word
    # Control characters are dropped, not split on; a word of more than 100 letters is unknown.
    assert pieces("ab\x1ccd\x00") == pieces("abcd")
    assert pieces("x" * 101) == ["[CLS]", "[UNK]", "[SEP]"]


def test_hostile_text_is_encoded_within_the_token_limit(model: embedding.Encoder) -> None:
    huge = "word " * 200_000 + "\ud800 \x00\ufffd 🔥"
    ids = model.tokenizer.ids(huge)
    assert len(ids) == embedding.MAX_TOKENS
    assert ids[0] == model.tokenizer.cls and ids[-1] == model.tokenizer.sep
    for text in ["", "   ", "\x00\x01\ufffd", "\ud800", huge]:
        vector = model.encode([text])
        assert np.isfinite(vector).all() and abs(np.linalg.norm(vector) - 1.0) < 1e-5


def test_threads_share_one_encoder_and_get_the_same_vectors(model: embedding.Encoder) -> None:
    texts = [f"{t} ({n})" for n in range(6) for triple in TRIPLES for t in triple]
    expected = model.encode(texts)
    results: list[np.ndarray] = []
    assert not errors_in_threads(lambda: results.append(embedding.encode(texts)))
    assert len(results) == 4 and all(np.allclose(r, expected, atol=1e-5) for r in results)


def test_a_missing_model_package_says_how_to_install_it() -> None:
    assert embedding.model_dir("no_such_model_package") is None
    with pytest.raises(embedding.ModelMissing, match=r"make install.*requirements/model\.txt"):
        embedding.load("no_such_model_package")


def test_safetensors_are_read_as_written_and_garbage_is_refused(tmp_path: Path) -> None:
    weights = np.arange(6, dtype="<f4").reshape(2, 3)
    header = json.dumps(
        {"__metadata__": {}, "w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}
    ).encode()
    path = tmp_path / "model.safetensors"
    path.write_bytes(len(header).to_bytes(8, "little") + header + weights.tobytes())
    assert np.array_equal(embedding.read_safetensors(path)["w"], weights)

    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"\xff" * 64)
    with pytest.raises(ValueError, match="not a safetensors file"):
        embedding.read_safetensors(garbage)
    odd = tmp_path / "odd.safetensors"
    header = json.dumps({"w": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}).encode()
    odd.write_bytes(len(header).to_bytes(8, "little") + header + b"\0\0")
    with pytest.raises(ValueError, match="BF16"):
        embedding.read_safetensors(odd)


def _headlines() -> list[Doc]:
    """A window of headlines: English ones (the last of no known language, in Latin letters),
    then a German and a Russian one."""
    return [
        *(Doc(title=t, text="", language="en") for t in [*OTHERS, STORM[0]]),
        Doc(title=STORM[1], text="", language=""),
        Doc(title="Sturm legt Strom lahm", text="", language="de"),
        Doc(title="Тысячи домов без света", text="", language=""),
    ]


def test_only_english_docs_get_the_embedding_part(model: embedding.Encoder) -> None:
    docs = _headlines()
    assert [embeddable(d) for d in docs[-3:]] == [True, False, False]
    assert docs[-3].language == ""
    weight = 0.3
    matrix = Vectorizer(weight).fit_transform(docs).toarray()
    part = matrix[:, -embedding.DIMENSIONS :]
    shares = np.linalg.norm(part, axis=1) ** 2
    # A headline has no names view: its words and its meaning grow to fill the length.
    assert (shares[:-2] > weight).all() and (shares[:-2] < 1).all()
    assert not part[-2:].any()  # the others keep their words at full length
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)
    # The two English reports of the storm share no word but are near in meaning.
    storm = len(OTHERS)
    words_only = Vectorizer(0.0).fit_transform(docs).toarray()
    assert matrix[storm] @ matrix[storm + 1] > words_only[storm] @ words_only[storm + 1] + 0.1


def test_without_the_model_package_clustering_keeps_to_words(
    model: embedding.Encoder, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, embedding.PACKAGE, None)  # as if not installed
    assert not embedding.available()
    docs = _headlines()
    with caplog.at_level("WARNING"):
        matrix = Vectorizer(0.3).fit_transform(docs)
    assert "not installed" in caplog.text
    assert np.allclose(matrix.toarray(), Vectorizer(0.0).fit_transform(docs).toarray())


def test_a_weight_outside_zero_to_one_is_refused() -> None:
    for weight in (-0.1, 1.0, 2.0):
        with pytest.raises(ValueError, match="embedding weight"):
            Vectorizer(weight)
