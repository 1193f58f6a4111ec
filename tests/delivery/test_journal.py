"""A sender's journal: what its relay accepted, for whoever takes its rows over after it dies."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from headlines.core import clock
from headlines.delivery import journal, ledger, services
from headlines.delivery.models import Delivery
from headlines.delivery.sender import new_owner
from headlines.digests.models import Digest
from tests.conftest import SMTPPeer
from tests.delivery import factories

State = Delivery.State


@pytest.fixture
def data_dir(tmp_path: Path, settings: object) -> Path:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    return tmp_path


def test_a_journal_reads_back_each_acceptance_and_skips_a_line_cut_short(data_dir: Path) -> None:
    owner = new_owner()
    notebook = journal.Journal(owner)
    notebook.accepted(7, code=250, reply="2.0.0 Ok:\tqueued\nas A1", relay="mx.example:25")
    notebook.accepted(8, code=None, reply="stored in the outbox", relay="")
    # The process died copying a line: its end not there yet, or its start (a copy may store
    # the end first).
    assert notebook.map is not None
    torn = b"\x00" * 8 + b"\t250\tmx\tok\n" + b"10\t250\tmx"
    notebook.map[notebook.end : notebook.end + len(torn)] = torn

    assert journal.read(owner) == {
        7: journal.Accepted(code=250, reply="2.0.0 Ok: queued as A1", relay="mx.example:25"),
        8: journal.Accepted(code=None, reply="stored in the outbox", relay=""),
    }
    assert journal.read("another-host:1:abc") == {}  # none here: it ran elsewhere
    notebook.remove()
    assert not journal.path_of(owner).exists() and journal.read(owner) == {}


def test_what_a_sender_wrote_down_outlives_it_when_it_is_killed(data_dir: Path) -> None:
    # The journal is memory the kernel holds as the file's own: SIGKILL, which runs no handler
    # and flushes nothing, must not take the lines with it.
    child = (
        "import os, signal, django; django.setup()\n"
        "from headlines.delivery import journal\n"
        "notebook = journal.Journal('killed:1:abc')\n"
        "for n in range(30000):\n"
        "    notebook.accepted(n, code=250, reply='2.0.0 queued', relay='mx:25')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HEADLINES_")},
        "DJANGO_SETTINGS_MODULE": "headlines.settings",
        "HEADLINES_DATA_DIR": str(data_dir),
        "HEADLINES_SECRET_KEY": "journal-test-secret-Qm4Zt8Lw2Xp6Rv0Kc3Jn7Hd1Fs5Gb9Ye",
    }
    done = subprocess.run([sys.executable, "-c", child], env=env, timeout=120, check=False)
    assert done.returncode == -signal.SIGKILL

    found = journal.read("killed:1:abc")
    assert sorted(found) == list(range(30000))  # two chunks' worth: the file grew once
    assert found[29999] == journal.Accepted(code=250, reply="2.0.0 queued", relay="mx:25")


def test_a_journal_is_named_by_its_owner_as_the_ledger_keeps_it(data_dir: Path) -> None:
    owner = "x" * 80 + ":../../etc/passwd"
    path = journal.path_of(owner)
    assert path.parent == data_dir / "senders" and path.name == "x" * 64 + ".journal"


def test_journals_untouched_for_longer_than_asked_are_purged(data_dir: Path) -> None:
    old, fresh = journal.Journal("old:1:a"), journal.Journal("fresh:2:b")
    old.accepted(1, code=250, reply="ok", relay="")
    fresh.accepted(2, code=250, reply="ok", relay="")
    # Times as the file system keeps them: the suite's travelled clock is not the files'.
    written = fresh.path.stat().st_mtime
    os.utime(old.path, (written - 8 * 86400, written - 8 * 86400))

    assert journal.purge() == 1  # a week after its last line
    assert not old.path.exists() and fresh.path.exists()
    assert journal.purge(older_than=dt.timedelta(0)) == 1


def test_a_sender_starting_looks_for_old_journals_once_an_hour_a_process(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal, "_purged", [None])
    fresh = journal.Journal("fresh:1:a")
    fresh.accepted(1, code=250, reply="ok", relay="")
    week_old = fresh.path.stat().st_mtime - 8 * 86400

    def left_behind(owner: str) -> Path:
        dead = journal.Journal(owner)
        dead.accepted(2, code=250, reply="ok", relay="")
        os.utime(dead.path, (week_old, week_old))
        return dead.path

    first = left_behind("dead:2:b")
    journal.tidy()
    assert not first.exists() and fresh.path.exists()
    second = left_behind("dead:3:c")
    journal.tidy()  # within the hour: no second look
    assert second.exists()


@pytest.mark.django_db(transaction=True)
def test_readers_a_dead_sender_had_mailed_are_recorded_as_sent_not_mailed_again(
    data_dir: Path, smtp_messenger: SMTPPeer
) -> None:
    # A sender killed (SIGKILL, the OOM killer) between its relay's 250 and its next write to the
    # ledger left those readers mailed with no row saying so; once its lease ran out the next
    # sender mailed them the same digest again.
    ed = factories.edition()
    factories.readers(ed, 6)
    digest = factories.digest(ed)
    an_hour_ago = clock.now() - dt.timedelta(hours=1)
    ledger.fill(digest=digest, now=an_hour_ago, send_now=True)
    dead = new_owner()
    held = ledger.claim(digest_id=digest.pk, owner=dead, limit=4, now=an_hour_ago)
    accepted, unsent = held[:3], held[3]
    notebook = journal.Journal(dead)
    for row in accepted:
        notebook.accepted(row.id, code=250, reply="2.0.0 Ok: queued as Q7", relay="mx.example:25")

    totals = services.delivery_send_now(digest_id=digest.pk)

    def address(delivery_id: int) -> str:
        return str(Delivery.objects.get(pk=delivery_id).subscription.subscriber.email)

    mailed = [m.recipients[0] for m in smtp_messenger.received]
    assert sorted(mailed) == sorted(
        {address(r.id) for r in Delivery.objects.all()} - {address(row.id) for row in accepted}
    )
    assert address(unsent.id) in mailed  # claimed, but the relay never had it
    assert totals.sent == 6 and totals.remaining == 0
    for done in Delivery.objects.filter(pk__in=[r.id for r in accepted]):
        assert (done.state, done.last_code, done.relay) == (State.SENT, 250, "mx.example:25")
        assert done.last_reply.startswith("2.0.0 Ok: queued as Q7")
        assert "journal" in done.last_reply
    # The new sender ended with every reply recorded: its own journal is gone.
    assert sorted(journal.folder().glob("*.journal")) == [journal.path_of(dead)]


def test_only_the_rows_a_journal_lists_are_settled_and_each_journal_is_read_once(
    data_dir: Path,
) -> None:
    first, second = journal.Journal("a:1:x"), journal.Journal("b:2:y")
    first.accepted(1, code=250, reply="queued 1", relay="mx:25")
    second.accepted(3, code=250, reply="queued 3", relay="mx:25")
    kept: dict[str, dict[int, journal.Accepted]] = {}

    found = journal.settled({1: "a:1:x", 2: "a:1:x", 3: "b:2:y", 4: "c:3:z"}, read_from=kept)

    assert [(o.delivery_id, o.state, o.code, o.relay) for o in found] == [
        (1, State.SENT, 250, "mx:25"),
        (3, State.SENT, 250, "mx:25"),
    ]
    assert found[0].reply == "queued 1 (accepted before its sender stopped; from its journal)"
    assert set(kept) == {"a:1:x", "b:2:y", "c:3:z"} and kept["c:3:z"] == {}
    first.path.unlink()  # read once: what was read is what counts for this sender
    assert [o.delivery_id for o in journal.settled({1: "a:1:x"}, read_from=kept)] == [1]


@pytest.mark.django_db
def test_the_schedulers_tick_closing_a_dead_senders_rows_reads_its_journal(data_dir: Path) -> None:
    # Nobody took the dead sender's rows over before their window closed (the service was down
    # for hours): the ones its journal lists reached the relay and must not go out again when
    # `headlines send` later revives what failed.
    ed = factories.edition()
    factories.readers(ed, 3)
    an_hour_ago = clock.now() - dt.timedelta(hours=1)
    digest = factories.digest(ed, day=an_hour_ago.date(), state=Digest.State.SENDING)
    ledger.fill(digest=digest, now=an_hour_ago, send_now=True)
    dead = new_owner()
    held = ledger.claim(digest_id=digest.pk, owner=dead, limit=3, now=an_hour_ago)
    journal.Journal(dead).accepted(held[0].id, code=250, reply="2.0.0 queued", relay="mx:25")
    Delivery.objects.update(deadline=clock.now() - dt.timedelta(minutes=1))

    services.delivery_dispatch()

    states = dict(Delivery.objects.values_list("id", "state"))
    assert states == {held[0].id: State.SENT, held[1].id: State.FAILED, held[2].id: State.FAILED}
    assert ledger.bring_forward(digest_id=digest.pk, now=clock.now()) == 2  # not the sent one


@pytest.mark.django_db(transaction=True)
def test_a_journal_that_cannot_be_written_does_not_stop_the_send(
    data_dir: Path, smtp_messenger: SMTPPeer, caplog: pytest.LogCaptureFixture
) -> None:
    (data_dir / "senders").write_text("a file where the journals' folder should be")
    ed = factories.edition()
    factories.readers(ed, 3)
    digest = factories.digest(ed)

    with caplog.at_level(logging.WARNING, logger="headlines.delivery.journal"):
        totals = services.delivery_send_now(digest_id=digest.pk)

    assert totals.sent == 3 and len(smtp_messenger.received) == 3
    [warning] = [r for r in caplog.records if r.name == "headlines.delivery.journal"]
    assert "cannot write the sender's journal" in warning.getMessage()
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.SENT}
