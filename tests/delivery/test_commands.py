from __future__ import annotations

import datetime as dt
import io
import os
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from headlines.delivery.models import Delivery
from tests.conftest import SMTPPeer
from tests.delivery import factories

pytestmark = pytest.mark.django_db(transaction=True)


def send(*args: str) -> str:
    out = io.StringIO()
    call_command("send", *args, stdout=out)
    return out.getvalue()


def test_send_delivers_shows_progress_and_is_safe_to_repeat(
    smtp_messenger: SMTPPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # a terminal, as far as rich can tell
    ed = factories.edition(slug="us")
    factories.readers(ed, 25)
    factories.digest(ed, day=dt.date(2026, 11, 25))

    first = send("--edition", "us", "--date", "2026-11-25")
    again = send("--edition", "us", "--date", "2026-11-25")

    assert "sent 25," in first and "nothing left to send" in first
    assert "25/25" in first  # the progress bar reached the end
    assert "sent 25 (0 now, 25 before)," in again and len(smtp_messenger.received) == 25


def test_send_beside_another_sender_counts_only_its_own(smtp_messenger: SMTPPeer, settings) -> None:
    # A worker sending the same digest meanwhile: its sends were counted as this run's.
    settings.CONFIG = {**settings.CONFIG, "HEADLINES_DELIVERY_BATCH": 5}
    ed = factories.edition(slug="us")
    factories.readers(ed, 25)
    factories.digest(ed, day=dt.date(2026, 11, 25))
    taken: list[int] = []

    def another_sender_takes_five() -> None:
        queued = Delivery.objects.filter(state=Delivery.State.QUEUED)
        try:
            ids = list(queued.values_list("pk", flat=True)[:5])
            Delivery.objects.filter(pk__in=ids).update(
                state=Delivery.State.SENT,
                lease_owner="worker-elsewhere:1:x",
                sent_at=dt.datetime.now(dt.UTC),
            )
            taken.extend(ids)
        finally:
            connection.close()  # this thread's own: PostgreSQL's was left open

    def first_recipient(rcpt: str) -> None:
        if not taken:  # the ORM is not for the relay's event loop: from a thread of its own
            other = threading.Thread(target=another_sender_takes_five)
            other.start()
            other.join()

    smtp_messenger.reply_for = first_recipient

    done = send("--edition", "us", "--date", "2026-11-25", "--threads", "1")

    assert len(taken) == 5 and len(smtp_messenger.received) == 20
    assert "sent 25 (20 now, 0 before, 5 by other senders meanwhile)," in done


def test_send_without_a_base_url_says_where_the_emails_links_point(
    smtp_messenger: SMTPPeer, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.delenv("HEADLINES_BASE_URL", raising=False)
    monkeypatch.setenv("HEADLINES_ENV_FILE", os.devnull)
    ed = factories.edition(slug="us")
    factories.readers(ed, 2)
    factories.digest(ed, day=dt.date(2026, 11, 25))
    err = io.StringIO()
    call_command(
        "send", "--edition", "us", "--date", "2026-11-25", stdout=io.StringIO(), stderr=err
    )
    assert "HEADLINES_BASE_URL is unset" in err.getvalue() and len(smtp_messenger.received) == 2


def test_an_edition_name_that_looks_like_markup_is_drawn_as_typed(
    smtp_messenger: SMTPPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bar read the edition's name as rich markup: "[/x]" crashed `send` on a terminal
    # (MarkupError, exit 3).
    monkeypatch.setenv("FORCE_COLOR", "1")  # a terminal, as far as rich can tell
    ed = factories.edition(slug="us", name="[/x] Evening [bold]")
    factories.readers(ed, 3)
    factories.digest(ed, day=dt.date(2026, 11, 25))
    out = send("--edition", "us", "--date", "2026-11-25")
    assert "[/x] Evening [bold]" in out and "sent 3," in out


def test_send_into_a_log_writes_progress_lines(
    smtp_messenger: SMTPPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from headlines.delivery.management.commands import send as command

    monkeypatch.setattr(command, "LINE_SECONDS", 0.0)
    ed = factories.edition(slug="us")
    factories.readers(ed, 25)
    factories.digest(ed, day=dt.date(2026, 11, 25))
    out = send("--edition", "us", "--date", "2026-11-25")  # a StringIO: no terminal
    progress = [line for line in out.splitlines() if " done, deferred " in line]
    assert progress and progress[-1].split(": ")[1].startswith("25/25 done")
    assert "sent 25," in out.splitlines()[-1]
    assert "━" not in out  # no bar drawn into the log


def test_a_draft_is_approved_then_sent(smtp_messenger: SMTPPeer) -> None:
    ed = factories.edition(slug="uk")
    factories.readers(ed, 3)
    digest = factories.digest(ed, day=dt.date(2026, 11, 25), state="draft")
    digest.items.create(position=0, headline="Caf\u00e9 talks resume")  # what its HTML tells
    out = send("--edition", "uk", "--date", "2026-11-25")
    digest.refresh_from_db()
    assert digest.state == "sent" and digest.approved_by == "headlines send"
    assert "sent 3," in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--edition", "nope"], "no edition 'nope'"),
        (["--edition", "us", "--date", "25/11/2026"], "YYYY-MM-DD"),
        (["--edition", "us", "--date", "2026-13-40"], "YYYY-MM-DD"),
        (["--edition", "us", "--date", "2026-11-25'; DROP TABLE x"], "YYYY-MM-DD"),
        (["--edition", "us", "--threads", "0"], "'0': expected a whole number from 1 to 256"),
        (["--edition", "us", "--threads", "-3"], "expected a whole number from 1 to 256"),
        (["--edition", "us", "--threads", "100000"], "expected a whole number from 1 to 256"),
    ],
)
def test_bad_arguments_are_clear_errors_and_send_nothing(args: list[str], message: str) -> None:
    ed = factories.edition(slug="us")
    factories.readers(ed, 2)
    factories.digest(ed, day=dt.date(2026, 11, 25))
    with pytest.raises(CommandError, match=message):
        send(*args)
    assert not Delivery.objects.exists()


def test_a_day_with_no_digest_is_built_approved_and_sent(smtp_messenger: SMTPPeer) -> None:
    from tests.stories import factories as story_factories

    ed = factories.edition(slug="us")
    factories.readers(ed, 3, prefix="evening")
    source = story_factories.source(edition=ed)
    story_factories.article(
        source=source,
        edition=ed,
        title="Harbour bridge reopens after repairs",
        text="The harbour bridge reopened to traffic on Tuesday after six weeks of repairs. "
        "Engineers said the new deck would last for decades.",
        published_at=dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC),
    )

    out = send("--edition", "us", "--date", "2026-11-25")

    assert "sent 3," in out
    assert len(smtp_messenger.received) == 3
    for received in smtp_messenger.received:
        assert received.recipients[0].startswith("evening")
        assert "Harbour bridge reopens" in received.text()


def test_a_day_without_articles_mails_nobody_until_articles_arrive(
    smtp_messenger: SMTPPeer,
) -> None:
    from headlines.digests.models import Digest

    ed = factories.edition(slug="us")
    factories.readers(ed, 3)
    said = send("--edition", "us", "--date", "2026-11-25")  # exit 0: nothing left to send
    assert "no stories to send" in said and "nobody was mailed" in said
    assert not smtp_messenger.received and not Delivery.objects.exists()
    digest = Digest.objects.get(edition=ed)  # built, and left a draft for the editor
    assert digest.state == "draft" and not digest.items.exists()

    from tests.stories import factories as story_factories

    story_factories.article(  # the feeds come back: the empty draft is built again and sent
        source=story_factories.source(edition=ed),
        edition=ed,
        title="Harbour bridge reopens after repairs",
        text="The harbour bridge reopened to traffic on Tuesday after six weeks of repairs.",
        published_at=dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC),
    )
    assert "sent 3," in send("--edition", "us", "--date", "2026-11-25")
    assert len(smtp_messenger.received) == 3
