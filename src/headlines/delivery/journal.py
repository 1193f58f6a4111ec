"""A sender's journal: each message a relay accepted, written down the moment it was accepted.

The ledger hears of a relay's reply up to RECORD_SECONDS or HEADLINES_DELIVERY_FLUSH messages
later (sender.py). A sender killed in between (SIGKILL, the OOM killer, a crashed interpreter)
left those readers mailed with no row saying so; the rows' lease ran out and the next sender
mailed them the same digest again (bench_kill: about thirty readers a kill behind a fast
relay). So each accepted message is also one line in its sender's journal in the data folder,
copied there right after the reply: the kernel keeps what was written when the process dies (not
when the machine does). A sender that takes over a dead sender's rows on the same
machine reads that sender's journal as it takes them over and records what it finds there as
sent, with the relay's own reply, in the same transaction (`ledger.claim`'s `settle`), instead
of sending it again; senders on that machine get a dead sender's rows a lease before senders
elsewhere, which have no journal of it (`ledger._claim_kinds`).

A sender that ends with every reply recorded removes its journal; one left behind by a sender
that died is removed by a sender starting KEEP_DAYS after its last line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import mmap
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from headlines.delivery.ledger import Outcome
from headlines.delivery.models import Delivery

log = logging.getLogger(__name__)
SUFFIX = ".journal"
# A journal left by a sender that died is kept this long after its last line: a send taken up
# again days later (`headlines send` extends the rows' window) still finds what it says.
KEEP_DAYS = 7
CHUNK = 1 << 20  # about 15,000 lines
PURGE_SECONDS = 3600.0
_purged: list[float | None] = [None]  # when this process last looked (time.monotonic)


@dataclass(frozen=True)
class Accepted:
    """A relay's acceptance of one delivery, as its sender wrote it down."""

    code: int | None
    reply: str
    relay: str


def folder() -> Path:
    return Path(settings.DATA_DIR) / "senders"


def path_of(owner: str) -> Path:
    """The journal of a sender (`sender.new_owner`: host:pid:random), as a file name; by the
    owner as the ledger keeps it (`lease_owner`, 64 characters)."""
    return folder() / f"{re.sub(r'[^A-Za-z0-9._-]', '_', owner[:64])}{SUFFIX}"


def _field(text: str) -> str:
    return " ".join(text.split())[:500]


class Journal:
    """One sender's journal: a file mapped into memory (MAP_SHARED), so a line is written by
    copying it there, without a system call. The kernel holds the mapped pages as the file's own
    (they reach the disk when the process is gone, killed or not), and a write(2) a message cost
    the sender threads their turn at the interpreter lock: 3-5 % of a fast send. The file grows
    CHUNK at a time, its blocks reserved first; what lies past the last line is zeros."""

    def __init__(self, owner: str) -> None:
        self.path = path_of(owner)
        self.lock = threading.Lock()
        self.fd: int | None = None
        self.map: mmap.mmap | None = None
        self.end = 0  # where the next line goes
        self.broken = False

    def accepted(self, delivery_id: int, *, code: int | None, reply: str, relay: str) -> None:
        """Write down one acceptance. A journal that cannot be written (a full disk, a data
        folder made read-only) does not stop the send: it goes on as without one, said once."""
        if self.broken:
            return
        line = f"{delivery_id}\t{'' if code is None else code}\t{_field(relay)}\t{_field(reply)}\n"
        data = line.encode("utf-8")
        try:
            with self.lock:
                mapped = self.map
                if mapped is None or self.end + len(data) > len(mapped):
                    mapped = self._grow(len(data))
                mapped[self.end : self.end + len(data)] = data
                self.end += len(data)
        except (OSError, ValueError) as exc:
            self.broken = True
            log.warning(
                "cannot write the sender's journal %s (%s): a sender killed from now on may "
                "mail some readers twice",
                self.path,
                exc,
            )

    def _grow(self, need: int) -> mmap.mmap:
        if self.fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            flags = os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
            self.fd = os.open(self.path, flags, 0o600)
        size = (len(self.map) if self.map is not None else 0) + max(CHUNK, need)
        # The blocks are reserved here, where a full disk is an OSError: a page of a sparse file
        # that the file system cannot place when it is first written is a SIGBUS instead.
        os.posix_fallocate(self.fd, 0, size)
        if self.map is not None:
            self.map.close()
        self.map = mmap.mmap(self.fd, size)
        return self.map

    def remove(self) -> None:
        """Every reply is in the ledger: the journal has nothing left to tell."""
        with self.lock:
            if self.map is not None:
                self.map.close()
                self.map = None
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None
            self.end = 0
            with contextlib.suppress(OSError):  # never written, or where it could not be
                self.path.unlink()


def read(owner: str) -> dict[int, Accepted]:
    """What a sender's journal on this machine says its relay accepted, by delivery id; empty
    when it left none here (it ran on another machine, or ended normally). A line the process
    died writing is skipped."""
    try:
        text = path_of(owner).read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        log.warning("could not read the journal of sender %s: %s", owner, exc)
        return {}
    found: dict[int, Accepted] = {}
    # Only whole lines: one the process died copying ends in zeros, or has them inside.
    for line in text.split("\n")[:-1]:
        parts = line.split("\t")
        if len(parts) != 4 or "\x00" in line:
            continue
        try:
            delivery_id = int(parts[0])
            code = int(parts[1]) if parts[1] else None
        except ValueError:
            continue
        found[delivery_id] = Accepted(code=code, reply=parts[3], relay=parts[2])
    return found


def tidy() -> None:
    """`purge`, at most once every PURGE_SECONDS in a process: a sender is made for every send
    job, and a dead sender's journal is rare and small."""
    now = time.monotonic()
    if _purged[0] is not None and now - _purged[0] < PURGE_SECONDS:
        return
    _purged[0] = now
    purge()


def purge(*, older_than: dt.timedelta = dt.timedelta(days=KEEP_DAYS)) -> int:
    """Remove journals last written more than `older_than` ago; how many were removed. Their
    age is read as the file system tells time (against a file touched now), so a process whose
    clock is set apart, as the tests' travelled one, removes none too early."""
    where = folder()
    try:
        marker = where / ".now"
        marker.touch()
        now = marker.stat().st_mtime
        entries = list(where.glob(f"*{SUFFIX}"))
    except OSError:  # no journal was ever written here
        return 0
    removed = 0
    for entry in entries:
        try:
            if entry.stat().st_mtime < now - older_than.total_seconds():
                entry.unlink()
                removed += 1
        except OSError:  # another sender removed it first
            continue
    return removed


def settled(
    held_by: dict[int, str], *, read_from: dict[str, dict[int, Accepted]] | None = None
) -> list[Outcome]:
    """Of rows held by senders that died (row id: sender), the ones their journals on this
    machine say a relay accepted, as sent: what `ledger.claim` and `ledger.sweep` record instead
    of sending them again or calling their outcome unknown. `read_from` keeps each journal read
    once across calls (a sender taking over many batches)."""
    journals = {} if read_from is None else read_from
    found = []
    for delivery_id, owner in held_by.items():
        if owner not in journals:
            journals[owner] = read(owner)
        accepted = journals[owner].get(delivery_id)
        if accepted is not None:
            note = f"{accepted.reply} (accepted before its sender stopped; from its journal)"
            found.append(
                Outcome(delivery_id, Delivery.State.SENT, accepted.code, note, accepted.relay)
            )
    if found:
        log.info("%d readers a stopped sender had mailed recorded from its journal", len(found))
    return found
