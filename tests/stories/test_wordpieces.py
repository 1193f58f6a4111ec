"""The static word-piece embedding made from all-MiniLM-L6-v2 (stories/wordpieces.py).

The whole table takes about 10 s of CPU to build, so these tests build tables of the few hundred
pieces their own sentences use (`ids`): the same code, a smaller vocabulary."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from headlines.stories import embedding, wordpieces
from headlines.stories.neighbours import Products
from headlines.stories.parts import Doc
from headlines.stories.vectorizer import Vectorizer
from tests.stories.support import errors_in_threads, require_model

# (a report, the same event in other words, another event)
TRIPLES = [
    (
        "Storm knocks out power to 40,000 homes across the region",
        "Gale leaves tens of thousands of homes without power",
        "The central bank kept interest rates unchanged on Wednesday",
    ),
    (
        "Lawmakers pass budget bill after all-night session",
        "Congress approves spending bill following overnight session",
        "Striker scores twice as United beat City in the derby",
    ),
    (
        "Wildfire forces thousands to flee their homes in Colorado",
        "Thousands flee as wildfire spreads across Colorado",
        "Tech giant unveils a new smartphone with a larger screen",
    ),
]
TEXTS = [t for triple in TRIPLES for t in triple]


@pytest.fixture(scope="module")
def folder() -> Path:
    require_model()
    found = embedding.model_dir()
    assert found is not None
    return found


@pytest.fixture(scope="module")
def ids(folder: Path) -> list[int]:
    """The pieces of the test sentences, and 300 ordinary pieces more."""
    tokenizer = embedding.Tokenizer.load(folder / "vocab.txt")
    used = {i for text in TEXTS for i in tokenizer.ids(text)}
    return sorted(used | set(range(1996, 2296)))


@pytest.fixture(scope="module")
def built(folder: Path, ids: list[int], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding a table of `ids`, built once for the module."""
    directory = tmp_path_factory.mktemp("models")
    wordpieces.load_or_build(directory, folder, ids=ids)
    return directory


def _file(directory: Path) -> Path:
    (found,) = directory.glob("minilm-wordpieces-*.f16")
    return found


def test_the_table_is_built_the_same_every_time(folder: Path, ids: list[int]) -> None:
    tokenizer = embedding.Tokenizer.load(folder / "vocab.txt")
    first, second = wordpieces.distil(folder, ids), wordpieces.distil(folder, ids)
    assert first.dtype == np.float16
    assert first.shape == (wordpieces.vocabulary_size(tokenizer), wordpieces.DIMENSIONS)
    assert np.array_equal(first, second)
    assert first[ids[-1]].any() and not first[ids[-1] + 1].any()  # only the pieces asked for
    assert not first[tokenizer.cls].any()  # never [CLS], [SEP], [UNK], [PAD]


def test_the_cached_file_is_reused(
    built: Path, folder: Path, ids: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    path = _file(built)
    stamp = path.stat().st_mtime_ns
    expected = wordpieces.read(path, wordpieces.table_key(folder, ids), _size(folder))
    with caplog.at_level(logging.INFO, logger="headlines.stories.wordpieces"):
        table = wordpieces.load_or_build(built, folder, ids=ids)
    assert "building" not in caplog.text and "rebuilding" not in caplog.text
    assert path.stat().st_mtime_ns == stamp
    assert np.array_equal(table.rows, expected)
    assert [p.name for p in built.iterdir()] == [path.name]  # no temporary file left


def _size(folder: Path) -> int:
    return wordpieces.vocabulary_size(embedding.Tokenizer.load(folder / "vocab.txt"))


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda b: b[: len(b) // 2], "bytes of rows"),  # truncated, as by a full disk
        (lambda b: b[:-7] + b"\x01" * 7, "checksum mismatch"),
        (lambda b: b"garbage" * 10, "not a word-piece table"),
        (lambda b: b"", "not a word-piece table"),
        (lambda b: b[:12] + b"[" + b[13:], "unreadable header"),
    ],
)
def test_a_corrupt_cached_file_is_rebuilt_with_a_log_line(
    folder: Path,
    ids: list[int],
    built: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    damage: object,
    reason: str,
) -> None:
    good = _file(built)
    path = tmp_path / good.name
    path.write_bytes(damage(good.read_bytes()))  # type: ignore[operator]
    with caplog.at_level(logging.INFO, logger="headlines.stories.wordpieces"):
        table = wordpieces.load_or_build(tmp_path, folder, ids=ids)
    warning = next(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert warning.startswith(f"word-piece table {path} is unusable (")
    assert reason in warning and warning.endswith("rebuilding it")
    assert path.read_bytes() == good.read_bytes()  # rebuilt whole, the same bytes
    assert table.rows.shape[1] == wordpieces.DIMENSIONS


def test_a_table_of_another_model_or_shape_is_not_taken_for_this_one(
    folder: Path, ids: list[int], built: Path
) -> None:
    path, key, size = _file(built), wordpieces.table_key(folder, ids), _size(folder)
    assert wordpieces.read(path, key, size).shape == (size, wordpieces.DIMENSIONS)
    with pytest.raises(wordpieces.CorruptTable, match="another model"):
        wordpieces.read(path, wordpieces.table_key(folder), size)
    with pytest.raises(wordpieces.CorruptTable, match="shape"):
        wordpieces.read(path, key, size - 1)


def test_writers_at_once_leave_one_whole_file(tmp_path: Path) -> None:
    rows = np.arange(40 * wordpieces.DIMENSIONS, dtype=np.float16).reshape(40, -1)
    path = tmp_path / "table.f16"

    def run() -> None:
        for _ in range(5):
            wordpieces.write(path, rows, "k")
            assert np.array_equal(wordpieces.read(path, "k", 40), rows)

    assert not errors_in_threads(run)
    assert [p.name for p in tmp_path.iterdir()] == ["table.f16"]


def test_paraphrased_headlines_are_nearer_than_other_events(
    built: Path, folder: Path, ids: list[int]
) -> None:
    table = wordpieces.load_or_build(built, folder, ids=ids)
    v = table.vectors(TEXTS)
    assert v.shape == (len(TEXTS), wordpieces.DIMENSIONS) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    for k in range(len(TRIPLES)):
        a, b, other = v[3 * k], v[3 * k + 1], v[3 * k + 2]
        assert a @ b > max(a @ other, b @ other) + 0.1, TRIPLES[k]
    assert np.array_equal(v, table.vectors(TEXTS))


def test_texts_without_known_pieces_get_zero_rows(
    built: Path, folder: Path, ids: list[int]
) -> None:
    table = wordpieces.load_or_build(built, folder, ids=ids)
    hostile = ["", "   ", "\x00\ufffd", "\ud800", "x" * 500, "word " * 100_000]
    v = table.vectors([TEXTS[0], *hostile])
    assert np.isfinite(v).all()
    assert not v[1:6].any()  # nothing, or only unknown pieces
    assert np.linalg.norm(v[6]) == pytest.approx(1.0, abs=1e-5)  # cut at MAX_PIECES
    assert table.vectors([]).shape == (0, wordpieces.DIMENSIONS)


def test_a_missing_model_package_is_named(tmp_path: Path) -> None:
    with pytest.raises(embedding.ModelMissing, match="not installed"):
        wordpieces.load_or_build(tmp_path, package="no_such_model_package")


# Other events of the day, so that the window has enough English headlines to centre on.
OTHERS = [
    "Airline cancels flights as pilots strike over pay",
    "Museum returns stolen paintings to their owners",
    "Scientists find water ice near the moon's south pole",
    "Football club sacks its manager after five defeats",
    "Hospital waiting lists reach a record high",
    "Carmaker recalls half a million vehicles over faulty brakes",
    "Teachers vote to accept a new pay offer",
    "Police arrest two men after a bank robbery",
    "Singer cancels world tour citing exhaustion",
    "Oil prices fall as demand weakens in Asia",
    "City council approves plan for new cycle lanes",
    "Drought forces farmers to sell their cattle",
    "Volcano erupts on a remote island, no injuries reported",
    "Court rules the merger of two supermarkets unlawful",
]


def test_only_english_docs_get_the_static_part(built: Path, folder: Path, ids: list[int]) -> None:
    tokenizer = embedding.Tokenizer.load(folder / "vocab.txt")
    more = {i for text in OTHERS for i in tokenizer.ids(text)}
    table = wordpieces.load_or_build(built.parent / "more", folder, ids=[*ids, *more])
    docs = [
        Doc(title=TRIPLES[0][0], text="The gale hit Leeds on Monday.", language="en"),
        Doc(title=TRIPLES[0][1], text="", language=""),
        *(Doc(title=t, text="", language="en") for t in [*TEXTS[2:], *OTHERS]),
        Doc(title="Sturm legt Strom lahm", text="Der Sturm kam.", language="de"),
    ]
    weight = 0.4
    matrix = Vectorizer(static_weight=weight, table=table).fit_transform(docs)
    matrix = matrix.toarray()
    part = matrix[:, -wordpieces.DIMENSIONS :]
    shares = np.linalg.norm(part, axis=1) ** 2
    assert shares[0] == pytest.approx(weight, abs=1e-4)  # every part present
    assert shares[1] > weight  # a headline alone has no names: its other parts grow
    assert not part[-1].any()  # the German report keeps its words at full length
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)
    words_only = Vectorizer().fit_transform(docs).toarray()
    # The two storm reports share few words: the static part brings them nearer.
    assert matrix[0] @ matrix[1] > words_only[0] @ words_only[1]


def test_a_window_too_small_to_centre_on_keeps_to_words(
    built: Path, folder: Path, ids: list[int]
) -> None:
    table = wordpieces.load_or_build(built, folder, ids=ids)
    docs = [Doc(title=t, text="", language="en") for t in TEXTS]
    assert len(docs) < wordpieces.MIN_TEXTS
    static = Vectorizer(static_weight=0.4, table=table).fit_transform(docs)
    words = Vectorizer().fit_transform(docs)
    assert np.allclose(static.toarray(), words.toarray())


def test_weights_that_leave_nothing_to_words_are_refused() -> None:
    for embedding_weight, static_weight in ((0.0, 1.0), (0.0, -0.1), (0.5, 0.5), (0.7, 0.4)):
        with pytest.raises(ValueError, match="weight"):
            Vectorizer(embedding_weight, static_weight)


def test_similarities_with_dense_columns_are_the_plain_products(
    built: Path, folder: Path, ids: list[int]
) -> None:
    tokenizer = embedding.Tokenizer.load(folder / "vocab.txt")
    more = {i for text in OTHERS for i in tokenizer.ids(text)}
    table = wordpieces.load_or_build(built.parent / "more", folder, ids=[*ids, *more])
    docs = [Doc(title=t, text=f"{t}. In Leeds.", language="en") for t in TEXTS + OTHERS]
    vec = Vectorizer(static_weight=0.3, table=table)
    matrix = vec.fit_transform(docs)
    assert vec.dense_columns == wordpieces.DIMENSIONS
    expected = (matrix @ matrix.T).toarray()
    products = Products(matrix, vec.dense_columns)
    assert np.allclose(products.block(0, len(docs)), expected, atol=1e-5)
    assert np.allclose(products.block(3, 7), expected[3:7], atol=1e-5)
    assert np.allclose(Products(matrix).block(0, len(docs)), expected, atol=1e-5)
