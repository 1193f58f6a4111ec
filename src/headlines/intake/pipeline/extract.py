"""`headlines extract`: clean inputs and hand back the articles, storing nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import BinaryIO
from urllib.parse import urlsplit

from headlines.intake.errors import FetchError, IntakeError
from headlines.intake.extraction.cleaning import CleanArticle, clean
from headlines.intake.fetching.http import Fetcher, FetchOptions, HttpFetcher
from headlines.intake.reading.inputs import (
    DUMP_SUFFIXES,
    Failure,
    Item,
    RawItem,
    dump_items,
    items_from_bytes,
    read_paths,
    read_stream,
)


def extract_inputs(
    inputs: Iterable[str],
    *,
    stdin: BinaryIO | None = None,
    fetcher: Fetcher | None = None,
    allow_private: bool = False,
) -> Iterator[CleanArticle | Failure]:
    """The articles of each input, or why it failed; an input `-` is `stdin`, which the
    command hands over (`… | headlines extract -`)."""
    own = None
    try:
        for value in inputs:
            if value.lower().startswith(("http://", "https://")):
                if fetcher is None:
                    fetcher = own = HttpFetcher(FetchOptions.from_settings())
                items: Iterable[Item] = _fetched(value, fetcher, allow_private)
            elif value == "-":
                items = read_stream(stdin) if stdin is not None else [_NO_STDIN]
            else:
                items = read_paths([value])
            for item in items:
                yield item if isinstance(item, Failure) else _clean(item)
    finally:
        if own is not None:
            own.close()


_NO_STDIN = Failure("-", "no standard input was given to read")


def _fetched(url: str, fetcher: Fetcher, allow_private: bool) -> list[Item]:
    try:
        response = fetcher.get(url, allow_private=allow_private)
        name = PurePosixPath(urlsplit(response.url).path).name
        if "html" not in response.content_type and _is_dump(name):
            # `extract https://…/wire.jsonl`: read as the file on disk is, not as a page
            # ("no article text found").
            return list(dump_items(response.content, where=url, name=name))
        return items_from_bytes(
            response.content,
            input=url,
            url=response.url,
            charset=response.charset,
            content_type=response.content_type,
        )
    except FetchError as exc:
        message = f"{exc.base} (pass --allow-local to allow it)" if exc.private else str(exc)
        return [Failure(url, message.removeprefix(f"{url}: "))]
    except IntakeError as exc:
        return [Failure(url, str(exc).removeprefix(f"{url}: "))]


def _is_dump(name: str) -> bool:
    for suffix in (".gz", ".bz2", ".xz"):
        name = name.removesuffix(suffix)
    return PurePosixPath(name).suffix.lower() in DUMP_SUFFIXES


def _clean(item: RawItem) -> CleanArticle | Failure:
    try:
        return clean(item)
    except IntakeError as exc:
        return Failure(item.input, str(exc).removeprefix(f"{item.input}: "))
