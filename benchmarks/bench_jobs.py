"""The job table: what a durable job adds to a sign-up, how fast the embedded worker drains a
backlog (a sign-up spike's confirmation emails), and what claiming one job by its id costs (the
distributed tier's answer to each Celery doorbell, `jobqueue.claim_one`) beside the worker's
claim of a batch of one (`jobqueue.claim(limit=1)`: two SELECTs and an UPDATE in a transaction).

`python -m benchmarks bench_jobs`; BENCH_JOBS (default 3000). A fresh SQLite database (WAL) in
a temporary data dir, or with BENCH_DATABASE_URL (postgresql://…/name) a PostgreSQL database of
that name, dropped and made again; the embedded worker with its default settings
(HEADLINES_WORKER_THREADS, HEADLINES_JOB_BATCH).
"""

from __future__ import annotations

import os
import tempfile
import time

from benchmarks import NoDoorbell, django_setup, drain, fresh_postgres


def _claims(count: int) -> None:
    """Claim `count` queued no-op jobs one at a time, by id and as a batch of one, alternating
    rounds; prints each way's rate and client CPU."""
    from django.db import transaction

    from headlines.core import clock, jobqueue
    from headlines.core.models import Job

    ways = {
        "by its id, one UPDATE (claim_one)": lambda job_id: jobqueue.claim_one(
            owner="bench", job_id=job_id
        ),
        "a batch of one (claim, limit=1)": lambda job_id: jobqueue.claim(owner="bench", limit=1),
    }
    seen: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
    for _ in range(3):
        for name, take in ways.items():
            Job.objects.all().delete()
            with transaction.atomic():
                for _n in range(count):
                    jobqueue.insert(
                        kind="bench.noop", key="", payload="{}", max_attempts=3,
                        run_after=clock.now(),
                    )  # fmt: skip
            ids = sorted(Job.objects.values_list("id", flat=True))
            started, cpu = time.perf_counter(), time.process_time()
            for job_id in ids:
                assert take(job_id), "a due job was not claimed"
            seen[name].append((time.perf_counter() - started, time.process_time() - cpu))
    for name, runs in seen.items():
        rates = ", ".join(f"{count / wall:,.0f}/s" for wall, _ in runs)
        cpu_ms = min(cpu for _, cpu in runs) / count * 1000
        print(f"claim one job {name}: {rates} (three rounds); client CPU {cpu_ms:.3f} ms each")
    Job.objects.all().delete()


def main() -> None:
    count = int(os.environ.get("BENCH_JOBS", "3000"))
    os.environ.setdefault("HEADLINES_DATA_DIR", tempfile.mkdtemp(prefix="bench-jobs-"))
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        os.environ["HEADLINES_DATABASE_URL"] = fresh_postgres(url)
    django_setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from headlines.core import jobs
    from headlines.core.models import Job
    from headlines.core.services import edition_create
    from headlines.subscriptions import services
    from headlines.subscriptions.models import Subscription

    call_command("migrate", interactive=False, verbosity=0)
    settings.CONFIG["HEADLINES_SIGNUP_RATE_PER_IP"] = 10**9
    threads, batch = (
        settings.CONFIG[k] for k in ("HEADLINES_WORKER_THREADS", "HEADLINES_JOB_BATCH")
    )
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        f"{'PostgreSQL' if url else 'SQLite WAL'}; worker threads {threads}, batch {batch}"
    )

    jobs.set_backend(NoDoorbell())  # jobs pile up as in a spike that outruns the worker
    jobs.register("bench.noop", lambda n: None)

    started = time.perf_counter()
    for n in range(count):
        with transaction.atomic():
            jobs.enqueue("bench.noop", n=n)
    enqueue_rate = count / (time.perf_counter() - started)
    print(f"enqueue, one transaction each: {enqueue_rate:,.0f} jobs/s")
    print(f"drain {count} no-op jobs: {count / drain()[1]:,.0f} jobs/s")

    edition = edition_create(slug="bench", name="Bench Evening Headlines", timezone="UTC")
    started = time.perf_counter()
    for n in range(count):
        services.subscription_request(
            email=f"s{n}@example.com", edition_id=edition.pk, marketing=False, source="form"
        )
    signup_rate = count / (time.perf_counter() - started)
    assert Subscription.objects.count() == count
    waiting = Job.objects.filter(status="queued").count()
    print(
        f"sign-ups (service, job written, email not sent): {signup_rate:,.0f}/s; {waiting} waiting"
    )
    rate = waiting / drain()[1]
    from headlines.core.models import OutboxMessage

    assert OutboxMessage.objects.count() == count
    print(f"drain {waiting} confirmation emails into the outbox: {rate:,.0f}/s")
    _claims(count)


if __name__ == "__main__":
    main()
