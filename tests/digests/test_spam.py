"""A rendered digest, as a reader would receive it, through Debian's SpamAssassin (local rules)."""

import re
import shutil
import subprocess

import pytest

from headlines.core import clock
from headlines.delivery.message import DigestTemplate
from headlines.digests import services
from headlines.subscriptions.audience import Recipient
from tests import factories
from tests.conftest import require
from tests.digests.factories import NOON, messy_day

pytestmark = [pytest.mark.spamassassin, pytest.mark.django_db]


def spam_report(raw: bytes) -> tuple[float, str]:
    result = subprocess.run(
        ["spamassassin", "-L", "-t"], input=raw, capture_output=True, timeout=120, check=False
    )
    out = result.stdout.decode("utf-8", "replace")
    match = re.search(r"X-Spam-Status: \w+, score=(-?[\d.]+)", out)
    assert match, out[-3000:] + result.stderr.decode("utf-8", "replace")
    return float(match.group(1)), out


def fired_rules(report: str) -> str:
    table = report.split("Content analysis details:", 1)[-1]
    return "\n".join(line for line in table.splitlines() if re.match(r"\s*-?\d+\.\d+ ", line))


def test_a_digest_email_scores_well_below_the_spam_line() -> None:
    require(shutil.which("spamassassin") is not None, "Debian's spamassassin is not installed")
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(
        timezone="Europe/London",
        from_address="headlines@news.example.com",
        reply_to="desk@news.example.com",
    )
    messy_day(edition)
    digest = services.digest_build(edition_id=edition.pk)
    # The bytes a reader gets: delivery's one message builder.
    reader = Recipient(
        1,
        "reader@example.org",
        (),
        "https://news.example.com/unsubscribe/abc123/",
        "https://news.example.com/preferences/abc123/",
    )
    message = DigestTemplate.for_digest(digest).render(reader)
    score, report = spam_report(message.raw)
    assert score < 1.0, f"SpamAssassin score {score}; rules that fired:\n{fired_rules(report)}"
