"""A publisher's scale on PostgreSQL: a million readers in 20 time zones, the scheduler, a send.

`BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/h_million .venv/bin/python -m benchmarks
bench_million` (skipped without BENCH_PG_URL). The first run seeds a template database,
`<name>_seed`: BENCH_READERS (1,000,000) confirmed readers of one edition (London, 18:00) spread
evenly over 20 time zones, one in two on topics, 50 who joined or were confirmed again during
the send (25 new, 25 old ones spread over the ids), and an approved digest; it is kept for the
next runs unless BENCH_KEEP=0. Each run is a fresh child process on a
fresh copy of it (`CREATE DATABASE … TEMPLATE`) with the clock fixed at 16:00:30 UTC, when only
Athens' readers are due (1/20 of the audience):

- `migrate` (the time the project's own migrations take on the million);
- the scheduler's first tick (`delivery_dispatch`: the ledger's fill), then, after an ANALYZE
  such as autovacuum makes after a million-row insert, fifteen more ticks of a digest being
  sent (late readers, sweep, due check), each with its statements counted: past the tenth, a
  prepared statement may run on PostgreSQL's generic plan;
- a real send of the due readers (`Sender`, 4 threads, DKIM Ed25519) to Postfix's smtp-sink on
  loopback while a scheduler thread ticks every 30 s as `headlines run` does.

BENCH_COMPARE=PATH runs a second checkout's `src` too (PYTHONPATH), alternating with this one,
BENCH_REPEATS times each (default 2): the machine is shared, so before and after take turns.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks import NoDoorbell
from benchmarks.bench_delivery import STORY, sending_setup, start_sink

NOW = dt.datetime(2026, 12, 4, 16, 0, 30, tzinfo=dt.UTC)
# 20 zones; blank is the edition's own.
ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Athens",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Africa/Lagos",
    "",
]
TOPICS = ("world", "money", "sport")
TICKS = 15  # timed after the first (the fill)

# SEED_SQL: the readers, made by the database itself (a million in about a minute; through the
# ORM it would take an hour). Addresses and hashes only need to be unique here.
SEED_SQL = (
    """INSERT INTO subscriptions_subscriber (email, email_hash, name, marketing, created_at)
    SELECT 'reader' || g || '@example.org', md5('a' || g) || md5('b' || g), '', g %% 3 = 0,
           %(now)s - interval '400 days' + g * interval '20 seconds'
    FROM generate_series(1, %(readers)s) g""",
    """INSERT INTO subscriptions_subscription (subscriber_id, edition_id, status, timezone,
        send_hour, created_at, confirmed_at, unsubscribed_at, marketing_requested, topics)
    SELECT s.id, %(edition)s, 'confirmed', (%(zones)s::text[])[1 + s.id %% 20], NULL,
           s.created_at, s.created_at + interval '5 minutes', NULL, false,
           CASE s.id %% 4 WHEN 1 THEN '["world"]'::jsonb WHEN 2 THEN '["money", "sport"]'::jsonb
                ELSE '[]'::jsonb END
    FROM subscriptions_subscriber s""",
    # Late readers: 25 new ones (the newest ids) and 25 old ones whose subscription was
    # confirmed again a minute ago, spread over the ids (a tick's plan that walks the ids is
    # seen; with the newest alone it was not).
    """UPDATE subscriptions_subscription SET created_at = %(late)s, confirmed_at = %(late)s
    WHERE id > (SELECT max(id) - 25 FROM subscriptions_subscription)""",
    """UPDATE subscriptions_subscription SET confirmed_at = %(late)s
    WHERE id %% %(spread)s = 7 AND id <= (SELECT max(id) - 25 FROM subscriptions_subscription)""",
)


def _setup_django(url: str) -> None:
    sending_setup("ed25519", prefix="bench-million-", log_level="ERROR", HEADLINES_DATABASE_URL=url)


def seed(url: str, readers: int) -> None:
    """In a child process: the schema as it was before this benchmark's indexes, then data."""
    _setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from headlines.core.services import edition_create
    from headlines.digests.models import (
        PREFERENCES_PLACEHOLDER,
        UNSUBSCRIBE_PLACEHOLDER,
        Digest,
        DigestItem,
    )
    from headlines.stories.topics import topic_add

    call_command("migrate", verbosity=0)
    # The template is the schema before subscriptions 0006 (the late readers' indexes), so a
    # run measures the migration too and an older checkout runs on the schema it knew.
    call_command("migrate", "subscriptions", "0005", verbosity=0)
    ed = edition_create(
        slug="million", name="Million", timezone="Europe/London", from_address="desk@news.example"
    )
    for slug in TOPICS:
        topic_add(edition="million", slug=slug, name=slug.title())
    html = (
        '<!doctype html><html><body><table width="100%">'
        + "".join(STORY.format(n=n) for n in range(12))
        + f'</table><p><a href="{UNSUBSCRIBE_PLACEHOLDER}">Unsubscribe</a> · '
        f'<a href="{PREFERENCES_PLACEHOLDER}">Preferences</a></p></body></html>'
    )
    text = "\n\n".join(f"Council approves the new river crossing ({n})" for n in range(12))
    text += f"\n\nUnsubscribe: {UNSUBSCRIBE_PLACEHOLDER}\nPreferences: {PREFERENCES_PLACEHOLDER}\n"
    digest = Digest.objects.create(
        edition=ed,
        date=NOW.date(),
        state=Digest.State.APPROVED,
        subject="Tonight: the river crossing",
        html=html,
        text=text,
        built_at=NOW - dt.timedelta(hours=2),
    )
    DigestItem.objects.bulk_create(
        DigestItem(
            digest=digest,
            position=n,
            headline=f"Council approves the new river crossing ({n})",
            summary="The vote ends years of argument over cost and route.",
            url=f"https://news.example/story/{n}",
            topics=[TOPICS[n % 3]] if n % 4 else [],
        )
        for n in range(1, 13)
    )
    with connection.cursor() as cursor:
        values: dict[str, Any] = {
            "now": NOW,
            "readers": readers,
            "edition": ed.pk,
            "zones": ZONES,
            "late": NOW - dt.timedelta(minutes=1),
            "spread": max(readers // 25, 1),
        }
        for statement in SEED_SQL:
            cursor.execute(statement, values)
        cursor.execute("ANALYZE")


def _timed(fn: Any) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = fn()
    return {"s": round(time.perf_counter() - started, 2), "queries": len(queries), "result": result}


def child(url: str, port: int) -> dict[str, Any]:
    """One measurement, in this (fresh) process, on a fresh copy of the seeded database."""
    _setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from headlines.core import clock, jobs, mail
    from headlines.delivery import services
    from headlines.delivery.channels import channel_for
    from headlines.delivery.sender import Sender
    from headlines.digests.models import Digest

    out: dict[str, Any] = {"migrate": _timed(lambda: call_command("migrate", verbosity=0))}
    clock.set_clock(clock.FixedClock(NOW))
    # The send jobs a tick queues stay queued (the embedded tier would run the first one inside
    # the tick): the ticks are timed alone and the send below is this process's own.
    jobs.set_backend(NoDoorbell())
    out["first_tick"] = _timed(services.delivery_dispatch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # Fifteen: psycopg prepares a statement at its 6th run, and PostgreSQL may take its
    # generic plan from the 11th (a plan that walked the whole ledger each tick hid there).
    out["ticks"] = [_timed(services.delivery_dispatch) for _ in range(TICKS)]

    digest = Digest.objects.get(edition__slug="million")
    stop = threading.Event()
    ticks: list[float] = []

    def scheduler() -> None:
        while not stop.wait(30):
            started = time.perf_counter()
            services.delivery_dispatch()
            ticks.append(round(time.perf_counter() - started, 2))
        connection.close()

    beat = threading.Thread(target=scheduler, daemon=True)
    beat.start()
    messenger = mail.SMTPMessenger(mail.parse_smtp_urls(f"smtp://127.0.0.1:{port}?concurrency=4"))
    channel = channel_for(digest.edition, messenger=messenger)
    started = time.perf_counter()
    tally = Sender(digest_id=digest.pk, channel=channel, threads=4).run_available()
    seconds = time.perf_counter() - started
    stop.set()
    beat.join()
    messenger.close()
    sent = tally.counts.get("sent", 0)
    out["send"] = {
        "sent": sent,
        "seconds": round(seconds, 1),
        "per_s": round(sent / seconds),
        "ticks_during": ticks,
    }
    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def _admin(url: str, *statements: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _exists(url: str, name: str) -> bool:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl()) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def _run(
    args: list[str], src: str | None, module: str = "benchmarks.bench_million"
) -> dict[str, Any]:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    out = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    if out.returncode:  # say why: a bare CalledProcessError hides the child's traceback
        print(out.stderr[-4000:], file=sys.stderr)
        out.check_returncode()
    return dict(json.loads(out.stdout.strip().splitlines()[-1] or "{}"))


def main() -> None:
    url = os.environ.get("BENCH_PG_URL", "")
    if not url.startswith("postgresql://"):
        print("BENCH_PG_URL (a PostgreSQL database of your own) not set; skipped")
        return
    name = urlsplit(url).path.lstrip("/")
    template = f"{name}_seed"
    template_url = urlsplit(url)._replace(path=f"/{template}").geturl()
    readers = int(os.environ.get("BENCH_READERS", "1000000"))
    if not _exists(url, template):
        _admin(url, f'CREATE DATABASE "{template}"')
        started = time.perf_counter()
        _run(["seed", template_url, str(readers)], None)
        print(f"seeded {readers:,} readers in {time.perf_counter() - started:.0f} s", flush=True)
    sink, port = start_sink()
    compare = os.environ.get("BENCH_COMPARE", "")
    plan = [("this", None)] + ([("compare", compare)] if compare else [])
    try:
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        for repeat in range(int(os.environ.get("BENCH_REPEATS", "2"))):
            for label, src in plan if repeat % 2 == 0 else plan[::-1]:
                _admin(url, f'DROP DATABASE IF EXISTS "{name}"')
                _admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                result = _run(["child", url, str(port)], src)
                load = os.getloadavg()[0]
                print(json.dumps({"code": label, "load": round(load, 1), **result}), flush=True)
    finally:
        sink.terminate()
        sink.wait()
        _admin(url, f'DROP DATABASE IF EXISTS "{name}"')
        if os.environ.get("BENCH_KEEP", "1") == "0":
            _admin(url, f'DROP DATABASE IF EXISTS "{template}"')


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        seed(sys.argv[2], int(sys.argv[3]))
        print("{}")
    elif sys.argv[1:2] == ["child"]:
        print(json.dumps(child(sys.argv[2], int(sys.argv[3])), default=str))
    else:
        main()
