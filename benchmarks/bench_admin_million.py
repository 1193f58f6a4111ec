"""Staff pages at a publisher's scale on PostgreSQL: a million of each row staff list.

`BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/h_admin .venv/bin/python -m benchmarks
bench_admin_million` (skipped without BENCH_PG_URL). It starts from bench_million's seeded
template (`<name>_seed`: a million confirmed readers and an approved digest; seeded first if
missing) and builds `<name>_admin` once, kept for the next runs unless BENCH_KEEP=0:

- the digest's ledger filled by the scheduler's first tick (a million deliveries), then, by SQL,
  a send under way: 300,000 sent over the last hour (8,890 in the minute before the pages'
  clock), 1,000 deferred, 200 failed, 100 suppressed, 50 sending;
- a million audit entries, jobs and outbox emails, by `INSERT … SELECT generate_series` over
  the 400 days before the send (an hour's rows lie together, as they are written);
- 40,000 suppressed addresses, 20,000 of them the edition's readers; 400 sent digests before
  today's, a story each, and a million clicks over them (2,500 a digest).

Each run is a child process per checkout (BENCH_COMPARE=PATH adds a second checkout's `src`,
by PYTHONPATH, alternating with this one; BENCH_REPEATS times each, default 2) that migrates,
logs a superuser into Django's test client and loads each page BENCH_LOADS times (default 5),
printing every load's seconds, the number of statements of the last load and those of them
that took 10 ms or more. A run changes no data (a checkout's migrations may add an index,
which stays for the next).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from benchmarks import NoDoorbell
from benchmarks.bench_million import NOW, _admin, _exists, _run

MODULE = "benchmarks.bench_admin_million"

PAGES = {
    "admin home (the staff dashboard)": "/admin/",
    "digest deliveries": "/admin/delivery/digestdelivery/",
    "deliveries": "/admin/delivery/delivery/",
    "subscribers": "/admin/subscriptions/subscriber/",
    "subscribers, one edition": (
        "/admin/subscriptions/subscriber/?subscriptions__edition__id__exact=1"
    ),
    "subscribers, search": "/admin/subscriptions/subscriber/?q=reader12345",
    "subscribers, search a whole address": (
        "/admin/subscriptions/subscriber/?q=reader12345%40example.org"
    ),
    "subscribers, search an address no reader has": (
        "/admin/subscriptions/subscriber/?q=nobody%40example.org"
    ),
    "jobs": "/admin/core/job/",
    "jobs, failed": "/admin/core/job/?status__exact=failed",
    "jobs, a year": "/admin/core/job/?created_at__year=2026",
    "outbox": "/admin/core/outboxmessage/",
    "outbox, a month": "/admin/core/outboxmessage/?created_at__year=2026&created_at__month=11",
    "audit": "/admin/api/auditentry/",
    "audit, a day": (
        "/admin/api/auditentry/?created_at__year=2026&created_at__month=11&created_at__day=3"
    ),
}

# LEDGER_SQL: a send under way, by state, in the ledger the first tick filled.
LEDGER_SQL = (
    """UPDATE delivery_delivery SET state = 'sent', attempts = 1,
        sent_at = %(now)s - (id %% 3600) * interval '1 second', last_reply = '250 2.0.0 Ok'
    WHERE id %% 10 < 3""",
    """UPDATE delivery_delivery SET sent_at = %(now)s - (id %% 60) * interval '1 second'
    WHERE state = 'sent' AND id %% 100 = 0""",
    """UPDATE delivery_delivery SET state = 'deferred', attempts = 1, last_reply = '451 4.7.1'
    WHERE id %% 1000 = 3""",
    "UPDATE delivery_delivery SET state = 'failed', attempts = 5 WHERE id %% 5000 = 4",
    "UPDATE delivery_delivery SET state = 'suppressed' WHERE id %% 10000 = 5",
    "UPDATE delivery_delivery SET state = 'sending' WHERE id %% 20000 = 6",
)
# ROWS_SQL: a million of each list's rows, a row every ~35 s over the 400 days before the send.
ROWS_SQL = (
    """INSERT INTO api_auditentry (created_at, token_name, action, method, path, status, target)
    SELECT %(now)s - interval '400 days' + g * interval '34.56 seconds', 'desk',
           'subscriber.create', 'POST', '/api/v1/subscribers', 201, 'reader' || g
    FROM generate_series(1, 1000000) g""",
    """INSERT INTO core_job (kind, key, payload, status, attempts, max_attempts, run_after,
        lease_owner, last_error, created_at, updated_at, finished_at)
    SELECT 'webhooks.deliver', '', '{"id": ' || g || '}',
           CASE WHEN g %% 1000 = 0 THEN 'failed' ELSE 'done' END, 1, 5, t, '',
           CASE WHEN g %% 1000 = 0 THEN 'Timeout' ELSE '' END, t, t, t
    FROM generate_series(1, 1000000) g,
         LATERAL (SELECT %(now)s - interval '400 days' + g * interval '34.56 seconds' AS t) x""",
    """INSERT INTO core_outboxmessage (created_at, envelope_from, recipients, subject, to_header,
        message_id, raw)
    SELECT %(now)s - interval '400 days' + g * interval '34.56 seconds', 'desk@news.example',
           'reader' || g || '@example.org', 'Please confirm', 'reader' || g || '@example.org',
           '<' || g || '@news.example>', convert_to('Subject: Please confirm' || chr(10)
           || chr(10) || 'Confirm.', 'UTF8')
    FROM generate_series(1, 1000000) g""",
    # 40,000 suppressed addresses: 20,000 of the edition's readers (one in 50), 20,000 others.
    """INSERT INTO subscriptions_suppression (email_hash, reason, detail, created_at)
    SELECT email_hash, CASE WHEN id %% 150 = 0 THEN 'complaint' ELSE 'hard_bounce' END, '',
           created_at
    FROM subscriptions_subscriber WHERE id %% 50 = 0""",
    """INSERT INTO subscriptions_suppression (email_hash, reason, detail, created_at)
    SELECT md5('gone' || g) || md5('away' || g), 'erased', '',
           %(now)s - interval '400 days' + g * interval '1728 seconds'
    FROM generate_series(1, 20000) g""",
)
# CLICKS_SQL: a million clicks over the 400 sent digests before today's (2,500 a digest, one
# in 50 a link scanner's, not counted), their ids in digest order.
CLICKS_SQL = """INSERT INTO engagement_click (digest_id, item_id, at, client_hash, counted)
    SELECT (%(digests)s::bigint[])[1 + g %% 400], (%(items)s::bigint[])[1 + g %% 400],
           %(now)s - interval '400 days' + g * interval '34.56 seconds', '', g %% 50 <> 0
    FROM generate_series(1, 1000000) g"""


def _setup_django(url: str) -> None:
    from benchmarks.bench_million import _setup_django as setup

    setup(url)


def build(url: str) -> None:
    """In a child process, on a copy of the seeded readers: the ledger and the other lists."""
    _setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from headlines.core import clock, jobs
    from headlines.delivery import services

    call_command("migrate", verbosity=0)
    clock.set_clock(clock.FixedClock(NOW))
    jobs.set_backend(NoDoorbell())
    services.delivery_dispatch()
    digests, items = _sent_digests(400)
    with connection.cursor() as cursor:
        for statement in (*LEDGER_SQL, *ROWS_SQL):
            cursor.execute(statement, {"now": NOW})
        cursor.execute(CLICKS_SQL, {"now": NOW, "digests": digests, "items": items})
    # The seeded hashes are filler; the reader the searches look for gets its real keyed hash,
    # through which the admin finds a whole address.
    from headlines.subscriptions.hashing import email_hash
    from headlines.subscriptions.models import Subscriber

    searched = "reader12345@example.org"
    Subscriber.objects.filter(email=searched).update(email_hash=email_hash(searched))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would after the inserts


def _sent_digests(days: int) -> tuple[list[int], list[int]]:
    """The edition's sent digests of the `days` days before today's, a story each: their ids
    and their stories' ids, in the same order."""
    from headlines.digests.models import Digest, DigestItem

    edition_id = Digest.objects.get(edition__slug="million", date=NOW.date()).edition_id
    digests = Digest.objects.bulk_create(
        Digest(
            edition_id=edition_id,
            date=NOW.date() - dt.timedelta(days=day),
            state=Digest.State.SENT,
            subject=f"Digest {day}",
            sent_at=NOW - dt.timedelta(days=day),
        )
        for day in range(1, days + 1)
    )
    items = DigestItem.objects.bulk_create(
        DigestItem(digest=d, position=1, headline=f"Story of {d.date}") for d in digests
    )
    return [d.pk for d in digests], [i.pk for i in items]


def pages(url: str, loads: int) -> dict[str, Any]:
    """One measurement of every page, in this (fresh) process."""
    _setup_django(url)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from headlines.core import clock

    setup_test_environment()
    call_command("migrate", verbosity=0)
    clock.set_clock(clock.FixedClock(NOW + dt.timedelta(seconds=30)))
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    from headlines.digests.models import Digest

    digest = Digest.objects.get(edition__slug="million", date=NOW.date())
    own = {"a digest's own page": f"/admin/delivery/digestdelivery/{digest.pk}/change/"}
    out: dict[str, Any] = {}
    for label, path in {**PAGES, **own}.items():
        seconds = []
        for _ in range(loads):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                seconds.append(round(time.perf_counter() - started, 3))
            assert response.status_code == 200, (path, response.status_code)
        slow = [q for q in queries.captured_queries if float(q["time"]) >= 0.01]
        out[label] = {
            "s": seconds,
            "statements": len(queries),
            "slow": [[float(q["time"]), q["sql"][:160]] for q in slow],
        }
    return out


def main() -> None:
    url = os.environ.get("BENCH_PG_URL", "")
    if not url.startswith("postgresql://"):
        print("BENCH_PG_URL (a PostgreSQL database of your own) not set; skipped")
        return
    name = urlsplit(url).path.lstrip("/")
    seed, data = f"{name}_seed", f"{name}_admin"
    seed_url = urlsplit(url)._replace(path=f"/{seed}").geturl()
    data_url = urlsplit(url)._replace(path=f"/{data}").geturl()
    if not _exists(url, seed):
        _admin(url, f'CREATE DATABASE "{seed}"')
        _run(["seed", seed_url, os.environ.get("BENCH_READERS", "1000000")], None)
    if not _exists(url, data):
        _admin(url, f'CREATE DATABASE "{data}" TEMPLATE "{seed}"')
        started = time.perf_counter()
        _run(["build", data_url], None, module=MODULE)
        print(f"built {data} in {time.perf_counter() - started:.0f} s", flush=True)
    compare = os.environ.get("BENCH_COMPARE", "")
    plan = [("this", None)] + ([("compare", compare)] if compare else [])
    loads = os.environ.get("BENCH_LOADS", "5")
    try:
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        for repeat in range(int(os.environ.get("BENCH_REPEATS", "2"))):
            for label, src in plan if repeat % 2 == 0 else plan[::-1]:
                result = _run(["pages", data_url, loads], src, module=MODULE)
                load = round(os.getloadavg()[0], 1)
                print(json.dumps({"code": label, "load": load, **result}), flush=True)
    finally:
        if os.environ.get("BENCH_KEEP", "1") == "0":
            _admin(url, f'DROP DATABASE IF EXISTS "{data}"', f'DROP DATABASE IF EXISTS "{seed}"')


if __name__ == "__main__":
    if sys.argv[1:2] == ["build"]:
        build(sys.argv[2])
        print("{}")
    elif sys.argv[1:2] == ["pages"]:
        print(json.dumps(pages(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
