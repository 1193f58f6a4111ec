"""The distributed tier scaling out: 1, 2 and 4 `headlines worker` processes sharing one send,
a worker SIGKILLed mid-send, and the ledger claims per second PostgreSQL sustains.

`python -m benchmarks bench_workers` (PostgreSQL on 127.0.0.1:5432, RabbitMQ on :5672, Postfix's
smtp-sink; DKIM Ed25519). BENCH_READERS (default 20000), BENCH_WORKERS (default "1,2,4"),
BENCH_RELAY_RATE (per-process relay budget in messages/s, default unlimited), BENCH_PARTS
(default "sends,kill,claims").

Each send: a fresh copy of a seeded database (PostgreSQL TEMPLATE), N workers started and
answering a ping, `headlines scheduler --once` (dispatch: ledger fill, send jobs fanned out);
the time is the database's, from the ledger's fill to the last relay 250 recorded.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.bench_delivery import _write_key, start_sink

REPO = Path(__file__).resolve().parents[1]
PG = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
AMQP = os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
HEADLINES = str(Path(sys.executable).with_name("headlines"))


def _pg(sql: str, db: str = "postgres") -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(f"{PG}/{db}", autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else []


def _env(data: Path, db: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEADLINES_")}
    env.update(
        DJANGO_SETTINGS_MODULE="headlines.settings",
        HEADLINES_DATA_DIR=str(data),
        HEADLINES_DATABASE_URL=f"{PG}/{db}",
        HEADLINES_SECRET_KEY="bench",
        HEADLINES_LOG_LEVEL="WARNING",
        HEADLINES_ENV_FILE=os.devnull,
        PYTHONPATH=str(REPO),
        **extra,
    )
    return env


def seed(data: Path, readers: int) -> str:
    """A migrated database with `readers` confirmed readers of an approved digest due now."""
    db = f"bench_workers_{uuid.uuid4().hex[:8]}"
    _pg(f'CREATE DATABASE "{db}"')
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); "
        "from benchmarks.bench_delivery import make_digest; "
        f"make_digest({readers})"
    )
    subprocess.run([sys.executable, "-c", code], env=_env(data, db), cwd=REPO, check=True)
    # make_digest dates the digest 2026-11-25: make it today's, its readers due five minutes
    # ago (inside the send window; the dispatch looks two days back).
    due = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    _pg(f"UPDATE digests_digest SET date = '{due.date().isoformat()}'", db)
    _pg(f"UPDATE core_edition SET send_at = '{due.strftime('%H:%M')}'", db)
    return db


def _ping(count: int) -> set[str]:
    from celery import Celery

    app = Celery(broker=AMQP)
    try:
        return {n for reply in app.control.ping(timeout=1.0) for n in reply}
    finally:
        app.close()


def one_send(template: str, data: Path, workers: int, env: dict[str, str], kill: bool) -> dict:
    db = f"bench_workers_{uuid.uuid4().hex[:8]}"
    _pg(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    run_env = _env(data, db, HEADLINES_CELERY_QUEUE=queue, **env)
    log = open(data / "workers.log", "ab")  # noqa: SIM115 (closed in the finally)
    procs = [
        subprocess.Popen(
            [HEADLINES, "worker", "--pool", "threads", "--concurrency", "1", "--loglevel", "ERROR"],
            env=run_env,
            cwd=REPO,
            stdout=log,
            stderr=log,
        )
        for _ in range(workers)
    ]
    try:
        end = time.monotonic() + 120
        while len([n for n in _ping(workers) if n.startswith("headlines@")]) < workers:
            assert time.monotonic() < end, "workers did not come up"
        total = _pg("SELECT count(*) FROM subscriptions_subscription", db)[0][0]
        subprocess.run(
            [HEADLINES, "scheduler", "--once"], env=run_env, cwd=REPO, check=True, stdout=log
        )
        started = time.monotonic()  # the dispatch job is queued: fill, fan out, send
        killed_at = None
        while True:
            sent, left = _pg(
                "SELECT count(*) FILTER (WHERE state = 'sent'), count(*) FILTER (WHERE state "
                "IN ('queued', 'sending', 'deferred')) FROM delivery_delivery",
                db,
            )[0]
            if kill and killed_at is None and sent >= total // 3:
                procs[0].send_signal(signal.SIGKILL)
                killed_at = time.time()
            if sent and not left:
                break
            assert time.monotonic() < started + 900, f"stuck at {sent}/{total}"
            time.sleep(0.2)
        # From the ledger's fill to its last 250, as the database recorded them: the time the
        # command takes to start and exit is not the send's.
        elapsed, last = _pg(
            "SELECT extract(epoch FROM max(sent_at) - min(created_at)), "
            "extract(epoch FROM max(sent_at)) FROM delivery_delivery",
            db,
        )[0]
        elapsed = float(elapsed)
        senders = _pg(
            "SELECT count(DISTINCT split_part(lease_owner, ':', 2)) FROM delivery_delivery "
            "WHERE state = 'sent'",
            db,
        )[0][0]
        assert sent == total, f"only {sent} of {total} sent"
        return {
            "workers": workers,
            "readers": total,
            "seconds": round(elapsed, 1),
            "per_s": round(total / elapsed),
            "senders": senders,
            "after_kill": round(float(last) - killed_at, 1) if killed_at else None,
        }
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
        _pg(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        from kombu import Connection

        with Connection(AMQP) as conn:
            for name in (queue, f"{queue}.long"):
                conn.default_channel.queue_delete(name)


# --- claims per second ------------------------------------------------------------------------


def _claimer(db: str, data: str, batch: int, out: Any) -> None:
    """Claim and record batches until none is left: the ledger's work without the SMTP."""
    os.environ.update(_env(Path(data), db), DJANGO_SETTINGS_MODULE="headlines.settings")
    import django

    django.setup()
    from headlines.core import clock
    from headlines.delivery import ledger
    from headlines.delivery.ledger import Outcome
    from headlines.delivery.models import Delivery
    from headlines.digests.models import Digest

    digest_id = Digest.objects.get().pk
    owner = f"bench:{os.getpid()}"
    claims = rows = 0
    started = time.monotonic()
    while got := ledger.claim(digest_id=digest_id, owner=owner, limit=batch, now=clock.now()):
        outcomes = [Outcome(c.id, Delivery.State.SENT, 250, "250 ok") for c in got]
        ledger.record(owner=owner, outcomes=outcomes, now=clock.now())
        claims += 1
        rows += len(got)
    out.put((claims, rows, time.monotonic() - started))


RESET = (
    "UPDATE delivery_delivery SET state = 'queued', lease_owner = '', lease_expires_at = NULL, "
    "attempts = 0"
)


def claims_per_second(template: str, data: Path, claimers: int, batch: int) -> dict:
    db = f"bench_claims_{uuid.uuid4().hex[:8]}"
    _pg(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
    try:
        code = (
            "import django; django.setup(); from headlines.core import clock; "
            "from headlines.delivery import ledger; from headlines.digests.models import Digest; "
            "ledger.fill(digest=Digest.objects.get(), now=clock.now(), send_now=True)"
        )
        subprocess.run([sys.executable, "-c", code], env=_env(data, db), cwd=REPO, check=True)
        ctx = multiprocessing.get_context("spawn")
        best: tuple[float, float] = (0.0, 0.0)
        for _ in range(3):
            _pg(RESET, db)
            out = ctx.Queue()
            procs = [
                ctx.Process(target=_claimer, args=(db, str(data), batch, out))
                for _ in range(claimers)
            ]
            for proc in procs:
                proc.start()
            results = [out.get(timeout=300) for _ in procs]
            for proc in procs:
                proc.join()
            seconds = max(t for _, _, t in results)
            claims = sum(c for c, _, _ in results)
            rows = sum(r for _, r, _ in results)
            best = max(best, (claims / seconds, rows / seconds))
        return {
            "claimers": claimers,
            "batch": batch,
            "claims_per_s": round(best[0]),
            "rows_per_s": round(best[1]),
        }
    finally:
        _pg(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def _up(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def main() -> None:
    if not (_up(5432) and _up(5672)):
        print("PostgreSQL (:5432) or RabbitMQ (:5672) is not running on 127.0.0.1; skipped")
        return
    readers = int(os.environ.get("BENCH_READERS", "20000"))
    plan = [int(n) for n in os.environ.get("BENCH_WORKERS", "1,2,4").split(",")]
    rate = os.environ.get("BENCH_RELAY_RATE")
    data = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    _write_key(data / "dkim.pem", "ed25519")
    sink, port = start_sink()
    relay = f"smtp://127.0.0.1:{port}?concurrency=4" + (f"&rate={rate}" if rate else "")
    env = {
        "HEADLINES_BROKER_URL": AMQP,
        "HEADLINES_SMTP_URL": relay,
        "HEADLINES_DKIM_SELECTOR": "bench",
        "HEADLINES_DKIM_KEY_FILE": str(data / "dkim.pem"),
        "HEADLINES_DELIVERY_BATCH": "200",
        "HEADLINES_DELIVERY_FLUSH": "50",
    }
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    template = ""
    try:
        template = seed(data, readers)
        print("workers  readers  seconds  messages/s  ratio  processes that sent")
        base = None
        for workers in plan:
            r = one_send(template, data, workers, env, kill=False)
            base = base or r["per_s"]
            print(
                f"{r['workers']:>7} {r['readers']:>8} {r['seconds']:>8} {r['per_s']:>11} "
                f"{r['per_s'] / base:>6.2f} {r['senders']:>20}",
                flush=True,
            )
        parts = os.environ.get("BENCH_PARTS", "sends,kill,claims").split(",")
        if "kill" not in parts:
            return
        r = one_send(template, data, 2, env, kill=True)
        print(
            f"2 workers, one SIGKILLed at a third: {r['seconds']} s in all, "
            f"{r['after_kill']} s from the kill to the last reader sent",
            flush=True,
        )
        if "claims" not in parts:
            return
        print("claimers  batch  claims/s  rows/s  (claim + record, no SMTP; best of 3)")
        for claimers in (1, 2, 4, 8):
            c = claims_per_second(template, data, claimers, 200)
            print(
                f"{c['claimers']:>8} {c['batch']:>6} {c['claims_per_s']:>9} {c['rows_per_s']:>7}",
                flush=True,
            )
    finally:
        sink.terminate()
        if template:
            _pg(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        sink.wait()


if __name__ == "__main__":
    main()
