"""Durable jobs: written with the change that asks for them, run once by whichever worker
claims them, retried with backoff, visible with their error when they keep failing."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import transaction
from django.test import Client

from headlines.core import clock, jobqueue, jobs, scheduler
from headlines.core.models import Job
from headlines.core.worker import EmbeddedWorker

RECORDED: list[int] = []
GATE = threading.Event()
T0 = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


@jobs.job("tests.record")
def record(value: int) -> None:
    RECORDED.append(value)


@jobs.job("tests.flaky", max_attempts=3)
def flaky(value: int) -> None:
    raise RuntimeError(f"relay said no to {value}")


@jobs.job("tests.slow", long=True)
def slow() -> None:
    GATE.wait(20)


ORDER: list[str] = []


@jobs.job("tests.held_email")
def held_email(value: int) -> None:
    """A confirmation email behind a relay that answers only once the long job has started."""
    GATE.wait(20)
    ORDER.append(f"short {value}")


@jobs.job("tests.send", long=True)
def send() -> None:
    ORDER.append("long")
    GATE.set()


DONE_BEFORE: list[int] = []


@jobs.job("tests.slow_email")
def slow_email(value: int) -> None:
    """A confirmation email behind a relay that takes 0.15 s: how many jobs are marked done as
    it starts."""
    DONE_BEFORE.append(Job.objects.filter(status=Job.Status.DONE).count())
    time.sleep(0.15)


@pytest.fixture(autouse=True)
def _clear() -> None:
    DONE_BEFORE.clear()
    ORDER.clear()
    RECORDED.clear()
    GATE.clear()


class Doorbells:
    """A doorbell that only remembers: the test decides who runs what."""

    def __init__(self) -> None:
        self.rung: list[int] = []

    def ring(self, job_ids: list[int], delay: float = 0.0, long: bool = False) -> None:
        self.rung += job_ids


@pytest.fixture
def doorbells() -> Doorbells:
    bells = Doorbells()
    previous = jobs.set_backend(bells)
    yield bells
    jobs.set_backend(previous)


def wait_until(condition: object, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:  # type: ignore[operator]
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_enqueue_waits_for_the_commit_and_a_rollback_cancels() -> None:
    with transaction.atomic():
        jobs.enqueue("tests.record", value=1)
        assert RECORDED == []
        assert Job.objects.get().status == Job.Status.QUEUED  # in the caller's transaction
    assert RECORDED == [1]
    assert Job.objects.get().status == Job.Status.DONE
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue("tests.record", value=2)
        raise RuntimeError("roll back")
    assert RECORDED == [1]
    assert Job.objects.count() == 1  # the job went with the change that asked for it


def test_only_json_values_and_known_jobs() -> None:
    with pytest.raises(TypeError):
        jobs.enqueue("tests.record", value=object())
    with pytest.raises(LookupError):
        jobs.enqueue("tests.nope")


@pytest.mark.django_db(transaction=True)
def test_a_key_keeps_one_job_waiting(doorbells: Doorbells) -> None:
    fixed = clock.FixedClock(T0)
    clock.set_clock(fixed)
    first = jobs.enqueue("tests.record", key="k", delay=60, value=1)
    assert jobs.enqueue("tests.record", key="k", delay=600, value=2) == first
    assert Job.objects.get().run_after == T0 + dt.timedelta(seconds=60)
    assert jobs.enqueue("tests.record", key="k", value=3) == first  # brought forward, rung
    assert Job.objects.get().run_after == T0 and doorbells.rung == [first, first, first]
    assert jobs.run_by_id(first) and RECORDED == [1]
    again = jobs.enqueue("tests.record", key="k", value=4)  # the first ran: a new one may wait
    assert again is not None and again != first
    assert Job.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_key_waiting_behind_newer_jobs_is_the_one_brought_forward(doorbells: Doorbells) -> None:
    clock.set_clock(clock.FixedClock(T0))
    old = Job.objects.create(kind="tests.record", key="k", status=Job.Status.DONE, run_after=T0)
    waiting = jobs.enqueue("tests.record", key="k", delay=600, value=1)
    others = [jobs.enqueue("tests.record", value=n) for n in range(3)]  # no key: queued after
    newer = Job.objects.create(kind="tests.record", key="k", status=Job.Status.FAILED, run_after=T0)
    assert jobs.enqueue("tests.record", key="k", delay=60, value=2) == waiting
    assert jobs.enqueue("tests.record", key="k", delay=900, value=3) == waiting  # not put back
    runs = dict(Job.objects.values_list("id", "run_after"))
    assert runs[waiting] == T0 + dt.timedelta(seconds=60)
    assert runs[old.pk] == runs[newer.pk] == T0 and all(runs[i] == T0 for i in others)


@pytest.mark.django_db
def test_whether_a_period_has_its_job_is_read_in_the_order_of_its_index() -> None:
    # A bare EXISTS was planned by PostgreSQL's generic plan as a scan of the whole job table
    # (73-77 ms a periodic job at a million jobs kept; docs/benchmarks.md): the jobs added
    # since the period began are read in `job_created`'s order, which keeps the index.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert not jobqueue.created_since(kind="tests.record", key="periodic:x", since=T0)
    [sql] = [q["sql"] for q in queries]
    assert 'ORDER BY "core_job"."created_at" ASC LIMIT 1' in sql, sql
    clock.set_clock(clock.FixedClock(T0))
    Job.objects.create(kind="tests.record", key="periodic:x", run_after=T0)  # added at T0
    assert jobqueue.created_since(kind="tests.record", key="periodic:x", since=T0)
    assert not jobqueue.created_since(kind="tests.other", key="periodic:x", since=T0)
    later = T0 + dt.timedelta(seconds=1)
    assert not jobqueue.created_since(kind="tests.record", key="periodic:x", since=later)


@pytest.mark.django_db
def test_the_waiting_key_is_found_by_its_partial_index_whatever_the_plan() -> None:
    # PostgreSQL's generic plan of a prepared statement cannot use a partial index whose
    # predicate the statement does not spell out (the ORM bound the status as a parameter: the
    # lookup then walked the whole job table back by id); SQLite needs the index's terms too.
    from django.db import connection

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            cursor.execute(f"PREPARE waiting_key(text) AS {jobqueue.WAITING_SQL % '$1'}")
            cursor.execute("EXPLAIN EXECUTE waiting_key('k')")
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("DEALLOCATE waiting_key")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {jobqueue.WAITING_SQL}", ["k"])
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "one_queued_job_per_key" in plan, plan


@pytest.mark.django_db(transaction=True)
def test_a_keyed_job_that_fails_while_its_key_waits_again_closes_as_failed(
    doorbells: Doorbells,
) -> None:
    # Its retry would clash with the job queued under the same key since it was claimed: the
    # try closes as failed and the waiting one runs; with nothing waiting it backs off as any.
    clock.set_clock(clock.FixedClock(T0))
    first = jobs.enqueue("tests.flaky", key="k", value=1)
    claimed = jobqueue.claim_one(owner="me", job_id=first)
    assert claimed is not None
    again = jobs.enqueue("tests.flaky", key="k", value=2)
    assert again != first and jobqueue.waiting("k") == again
    jobqueue.fail(owner="me", job=claimed, error="relay said no")
    assert Job.objects.get(pk=first).status == Job.Status.FAILED
    assert Job.objects.get(pk=again).status == Job.Status.QUEUED
    Job.objects.filter(pk=again).delete()
    retried = jobs.enqueue("tests.flaky", key="k2", value=3)
    claimed = jobqueue.claim_one(owner="me", job_id=retried)
    assert claimed is not None and jobqueue.waiting("k2") is None
    jobqueue.fail(owner="me", job=claimed, error="relay said no")
    assert Job.objects.get(pk=retried).status == Job.Status.QUEUED


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_backs_off_then_fails_with_its_error(
    doorbells: Doorbells, admin_client: Client
) -> None:
    fixed = clock.FixedClock(T0)
    clock.set_clock(fixed)
    job_id = jobs.enqueue("tests.flaky", value=7)
    assert job_id is not None
    assert jobs.run_by_id(job_id) is False
    row = Job.objects.get()
    assert (row.status, row.attempts) == (Job.Status.QUEUED, 1)
    assert row.run_after == T0 + dt.timedelta(seconds=5)
    assert "relay said no to 7" in row.last_error
    assert jobs.run_by_id(job_id) is False  # not due yet: nobody runs it
    fixed.advance(seconds=5)
    jobs.run_by_id(job_id)
    assert Job.objects.get().run_after == T0 + dt.timedelta(seconds=15)  # doubled
    fixed.advance(seconds=10)
    jobs.run_by_id(job_id)
    row = Job.objects.get()
    assert (row.status, row.attempts) == (Job.Status.FAILED, 3)

    page = admin_client.get("/admin/core/job/?status=failed").content.decode()
    assert "tests.flaky" in page and "RuntimeError: relay said no to 7" in page
    detail = admin_client.get(f"/admin/core/job/{job_id}/change/").content.decode()
    assert "Traceback" in detail
    admin_client.post("/admin/core/job/", {"action": "retry", "_selected_action": [job_id]})
    row = Job.objects.get()
    assert (row.status, row.attempts) == (Job.Status.QUEUED, 0)
    assert doorbells.rung[-1] == job_id


@pytest.mark.django_db(transaction=True)
def test_a_dead_workers_job_runs_again_once_its_lease_runs_out(doorbells: Doorbells) -> None:
    fixed = clock.FixedClock(T0)
    clock.set_clock(fixed)
    job_id = jobs.enqueue("tests.record", value=5)
    [held] = jobqueue.claim(owner="dead-worker", limit=5)
    assert held.id == job_id
    assert jobqueue.claim(owner="other", limit=5) == []  # leased: nobody else takes it
    fixed.advance(seconds=31)
    assert jobs.run_by_id(job_id) and RECORDED == [5]
    jobqueue.finish(owner="dead-worker", ids=[job_id])  # a late word from the dead changes nothing
    assert Job.objects.get().lease_owner == ""


@pytest.mark.django_db(transaction=True)
def test_a_job_claimed_by_its_id_only_when_it_is_due_and_unheld(doorbells: Doorbells) -> None:
    fixed = clock.FixedClock(T0)
    clock.set_clock(fixed)
    later = jobs.enqueue("tests.record", value=1, delay=5)
    now = jobs.enqueue("tests.record", value=2)
    assert later is not None and now is not None
    assert jobqueue.claim_one(owner="w", job_id=later) is None  # not due yet
    assert jobqueue.claim_one(owner="w", job_id=now + later + 100) is None  # no such job
    held = jobqueue.claim_one(owner="w", job_id=now)
    assert held is not None and (held.id, held.kind, held.payload, held.attempts) == (
        now,
        "tests.record",
        '{"value": 2}',
        1,
    )
    assert jobqueue.claim_one(owner="other", job_id=now) is None  # leased to "w"
    row = Job.objects.get(pk=now)
    assert (row.status, row.lease_owner) == (Job.Status.RUNNING, "w")
    assert row.lease_expires_at == T0 + jobqueue.lease()
    fixed.advance(seconds=31)  # w died: its lease ran out, and `later` came due
    again = jobqueue.claim_one(owner="other", job_id=now)
    assert again is not None and again.attempts == 2
    assert Job.objects.get(pk=now).lease_owner == "other"
    jobqueue.finish(owner="other", ids=[now])
    assert jobqueue.claim_one(owner="w", job_id=now) is None  # done
    assert jobqueue.claim_one(owner="w", job_id=later) is not None


@pytest.mark.django_db(transaction=True)
def test_one_job_id_given_to_many_workers_at_once_is_claimed_once(doorbells: Doorbells) -> None:
    # A broker may hand one doorbell to two workers (a redelivery after a lost ack).
    job_id = jobs.enqueue("tests.record", value=9)
    assert job_id is not None
    start = threading.Barrier(6)
    got: list[object] = []

    def claimer(n: int) -> None:
        from django.db import connection

        try:
            start.wait(10)
            got.append(jobqueue.claim_one(owner=f"w{n}", job_id=job_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(got) == 6 and sum(c is not None for c in got) == 1
    assert Job.objects.get(pk=job_id).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_a_claim_takes_expired_leases_first_then_due_jobs_in_order_within_its_filters(
    doorbells: Doorbells,
) -> None:
    fixed = clock.FixedClock(T0)
    clock.set_clock(fixed)
    later = jobs.enqueue("tests.record", value=1, delay=5)
    first = jobs.enqueue("tests.record", value=2)
    slow = jobs.enqueue("tests.slow")
    second = jobs.enqueue("tests.record", value=3)
    stale = jobqueue.claim_one(owner="dead-worker", job_id=second)
    assert stale is not None and (stale.id, stale.attempts) == (second, 1)
    fixed.advance(seconds=31)  # the dead worker's lease ran out; `later` is due now too

    taken = jobqueue.claim(owner="w", limit=3, exclude=frozenset({"tests.slow"}))
    assert [(c.id, c.kind, c.attempts) for c in taken] == [
        (second, "tests.record", 2),  # its worker died: first
        (first, "tests.record", 1),
        (later, "tests.record", 1),
    ]
    assert [c.payload for c in taken] == ['{"value": 3}', '{"value": 2}', '{"value": 1}']
    assert jobqueue.claim(owner="w", limit=3, kinds=frozenset({"tests.record"})) == []
    assert jobqueue.claim(owner="w", limit=3, kinds=frozenset()) == []
    [long] = jobqueue.claim(owner="w2", limit=3, kinds=frozenset({"tests.slow"}))
    assert long.id == slow
    row = Job.objects.get(pk=slow)
    assert (row.status, row.lease_owner, row.attempts) == (Job.Status.RUNNING, "w2", 1)
    assert row.lease_expires_at == T0 + dt.timedelta(seconds=31) + jobqueue.lease()
    assert jobqueue.claim(owner="w3", limit=5) == []


@pytest.mark.django_db(transaction=True)
def test_slow_jobs_of_a_batch_are_marked_done_before_the_next_starts(
    doorbells: Doorbells,
) -> None:
    # A batch was marked done only at its end: a worker killed in the fifth of five slow
    # confirmation emails ran the four sent again after its lease, mailing four readers twice.
    for value in range(5):
        jobs.enqueue("tests.slow_email", value=value)
    claimed = jobqueue.claim(owner="w", limit=5)
    assert len(claimed) == 5

    assert jobs.run_claimed(claimed, owner="w") == 5

    assert DONE_BEFORE == [0, 1, 2, 3, 4]
    assert Job.objects.filter(status=Job.Status.DONE).count() == 5


@pytest.mark.django_db(transaction=True)
def test_the_embedded_worker_keeps_a_thread_for_short_jobs() -> None:
    worker = EmbeddedWorker(threads=2, batch=3, poll_seconds=0.05).start()
    previous = jobs.set_backend(worker)
    try:
        jobs.enqueue("tests.slow")
        jobs.enqueue("tests.slow")  # the second long job waits: one thread stays for short ones
        slow = Job.objects.filter(kind="tests.slow")
        wait_until(lambda: slow.filter(status=Job.Status.RUNNING).exists())
        for n in range(20):
            jobs.enqueue("tests.record", value=n)
        wait_until(lambda: len(RECORDED) == 20)
        assert sorted(RECORDED) == list(range(20))
        assert slow.filter(status=Job.Status.RUNNING).count() == 1
        assert slow.filter(status=Job.Status.QUEUED).count() == 1
    finally:
        GATE.set()
        wait_until(lambda: not Job.objects.exclude(status=Job.Status.DONE).exists())
        worker.stop()
        jobs.set_backend(previous)
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.DONE}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("threads", [2, 4])
def test_a_long_job_starts_while_short_ones_keep_coming_due(
    doorbells: Doorbells, threads: int
) -> None:
    # The other threads took short jobs first: behind a sign-up spike's confirmation emails,
    # the evening's send waited until every one of them was sent. Here each email waits for
    # the send to start, so a worker that only took short ones would never get to it.
    with transaction.atomic():
        for n in range(3 * threads * 4):
            jobs.enqueue("tests.held_email", value=n)
        jobs.enqueue("tests.send")
    worker = EmbeddedWorker(threads=threads, batch=4, poll_seconds=0.05).start()
    try:
        wait_until(lambda: not Job.objects.exclude(status=Job.Status.DONE).exists())
    finally:
        GATE.set()
        worker.stop()
    assert ORDER[:1] == ["long"]
    assert sorted(ORDER) == ["long", *sorted(f"short {n}" for n in range(3 * threads * 4))]


@pytest.mark.django_db(transaction=True)
def test_a_worker_of_one_thread_takes_each_kind_first_in_turn(doorbells: Doorbells) -> None:
    GATE.set()
    with transaction.atomic():
        for n in range(6):
            jobs.enqueue("tests.held_email", value=n)
        jobs.enqueue("tests.send")
    worker = EmbeddedWorker(threads=1, batch=2, poll_seconds=0.05).start()
    try:
        wait_until(lambda: not Job.objects.exclude(status=Job.Status.DONE).exists())
    finally:
        worker.stop()
    assert ORDER == ["short 0", "short 1", "long", "short 2", "short 3", "short 4", "short 5"]


@pytest.mark.django_db(transaction=True)
def test_a_stopped_worker_gives_back_what_it_holds(doorbells: Doorbells) -> None:
    job_id = jobs.enqueue("tests.record", value=1)
    worker = EmbeddedWorker(threads=1)  # never started: it only holds
    jobqueue.claim(owner=worker.owner, limit=1)
    worker.stop()
    row = Job.objects.get(pk=job_id)
    assert (row.status, row.attempts, row.lease_owner) == (Job.Status.QUEUED, 0, "")


@pytest.mark.django_db(transaction=True)
def test_scheduler_tick_enqueues_what_is_due_once(doorbells: Doorbells) -> None:
    fixed = clock.FixedClock(T0)
    clock.set_clock(fixed)
    scheduler.every(60, "tests.tick")
    jobs.job("tests.tick")(lambda: None)
    first, second = scheduler.Scheduler(tick_seconds=1), scheduler.Scheduler(tick_seconds=1)
    assert "tests.tick" in first.tick(now=1000.0)
    fixed.advance(seconds=30)
    assert "tests.tick" not in first.tick(now=1030.0)
    assert "tests.tick" not in second.tick(now=1030.0)  # a second scheduler: still one waiting
    assert Job.objects.filter(kind="tests.tick").count() == 1
    fixed.advance(seconds=31)
    assert "tests.tick" in first.tick(now=1061.0)


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_run_a_periodic_job_once_a_period(
    doorbells: Doorbells, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler, "_PERIODIC", {})  # this test's job alone
    fixed = clock.FixedClock(T0)
    clock.set_clock(fixed)
    scheduler.every(60, "tests.minutely")
    jobs.job("tests.minutely")(lambda: None)
    first, second = scheduler.Scheduler(tick_seconds=30), scheduler.Scheduler(tick_seconds=30)
    for minute in range(5):
        first.tick(now=60.0 * minute)
        Job.objects.filter(kind="tests.minutely").update(status=Job.Status.DONE)  # a worker ran it
        fixed.advance(seconds=20)
        second.tick(now=60.0 * minute + 20)  # its ticks fall 20 s after the first's
        fixed.advance(seconds=40)
    # Once a minute, as with one scheduler: the second used to queue its own each minute.
    assert Job.objects.filter(kind="tests.minutely").count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_restarted_scheduler_waits_for_the_next_period(
    doorbells: Doorbells, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler, "_PERIODIC", {})  # this test's job alone
    fixed = clock.FixedClock(T0 + dt.timedelta(minutes=10))
    clock.set_clock(fixed)
    scheduler.every(3600, "tests.purge")
    jobs.job("tests.purge")(lambda: None)
    assert "tests.purge" in scheduler.Scheduler(tick_seconds=30).tick(now=0.0)
    Job.objects.filter(kind="tests.purge").update(status=Job.Status.DONE)
    fixed.advance(seconds=300)
    restarted = scheduler.Scheduler(tick_seconds=30)  # `systemctl restart` five minutes later
    assert "tests.purge" not in restarted.tick(now=0.0)
    fixed.advance(seconds=3000)  # 13:05: the next hour
    assert "tests.purge" in restarted.tick(now=30.0)
    assert Job.objects.filter(kind="tests.purge").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_periodic_job_that_could_not_be_enqueued_is_tried_at_the_next_tick(
    doorbells: Doorbells, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The periodic list as it is, restored after: other tests' schedulers never see this one.
    monkeypatch.setattr(scheduler, "_PERIODIC", dict(scheduler._PERIODIC))
    scheduler.every(3600, "tests.hourly")  # not registered yet: its enqueue fails
    sched = scheduler.Scheduler(tick_seconds=1)
    with caplog.at_level("WARNING", logger="headlines.core.scheduler"):
        assert "tests.hourly" not in sched.tick(now=1000.0)
    assert "could not enqueue tests.hourly, trying again" in caplog.text
    assert not any(r.exc_info for r in caplog.records)  # one line, not a traceback a tick
    jobs.job("tests.hourly")(lambda: None)
    assert "tests.hourly" in sched.tick(now=1002.0)  # not an hour later
    assert Job.objects.filter(kind="tests.hourly").count() == 1


@pytest.mark.django_db(transaction=True)
def test_lost_doorbells_are_rung_again(doorbells: Doorbells) -> None:
    fixed = clock.FixedClock(T0)
    clock.set_clock(fixed)
    doorbells.lost_doorbells = True  # type: ignore[attr-defined]
    job_id = jobs.enqueue("tests.record", value=1)
    assert jobs.ring_overdue(quiet_seconds=30) == 0  # just rung: give the broker time
    fixed.advance(seconds=31)
    assert jobs.ring_overdue(quiet_seconds=30) == 1
    assert doorbells.rung == [job_id, job_id]
    assert jobs.ring_overdue(quiet_seconds=30) == 0  # rung again just now


def test_the_worker_command_refuses_bad_options_and_the_embedded_tier() -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="invalid choice: 'everything'"):
        call_command("worker", "--queues", "everything")
    with pytest.raises(CommandError, match="HEADLINES_BROKER_URL is not set"):
        call_command("worker", "--name", "headlines@box-1")


@pytest.mark.django_db(transaction=True)
def test_only_failed_jobs_are_retried_and_one_per_waiting_key(
    doorbells: Doorbells, admin_client: Client
) -> None:
    from headlines.core.services import jobs_retry

    done = jobs.enqueue("tests.record", value=1)
    queued = jobs.enqueue("tests.record", key="same", value=2)
    failed = Job.objects.create(
        kind="tests.record", key="same", payload='{"value": 3}', status=Job.Status.FAILED,
        run_after=T0, attempts=5, last_error="boom",
    )  # fmt: skip
    assert done is not None and queued is not None
    jobs.run_by_id(done)
    assert jobs_retry(job_ids=[done, queued, failed.pk]) == []  # the same key already waits
    page = admin_client.post(
        "/admin/core/job/", {"action": "retry", "_selected_action": [failed.pk]}, follow=True
    ).content.decode()
    assert "not retried" in page
    assert Job.objects.get(pk=failed.pk).status == Job.Status.FAILED
    assert admin_client.get("/admin/core/job/add/").status_code == 403


def test_long_jobs_ring_on_their_own_queue_which_a_short_only_worker_never_reads() -> None:
    from django.conf import settings

    from headlines.core.management.commands.worker import _queues

    queue = settings.CONFIG["HEADLINES_CELERY_QUEUE"]
    assert _queues("short") == [queue]
    assert _queues("long") == [f"{queue}.long"]
    assert _queues("all") == [queue, f"{queue}.long"]
    assert {"delivery.send", "delivery.dispatch", "intake.ingest_due"} <= jobs.long_kinds()
    assert "subscriptions.send_confirmation" not in jobs.long_kinds()


def test_a_broker_that_is_down_costs_a_warning_line_not_a_traceback(tmp_path) -> None:
    # Every sign-up while the broker was down logged Django's 40-line traceback of the failed
    # doorbell (the sign-up itself stood: its job is a committed row the scheduler rings for).
    import sqlite3
    import subprocess
    import sys

    from tests.delivery.children import REPO, Installation, free_port

    site = Installation(tmp_path, HEADLINES_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0")
    site.migrate()
    code = (
        "import django; django.setup()\n"
        "from django.db import transaction\n"
        "from headlines.core import jobs\n"
        "with transaction.atomic():\n"
        "    print(jobs.enqueue('core.jobs_purge'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**site.env, "DJANGO_SETTINGS_MODULE": "headlines.settings"},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    job_id = int(done.stdout.strip())
    assert "Traceback" not in done.stderr, done.stderr
    assert "broker unreachable (" in done.stderr and f"job(s) {job_id} wait for the" in done.stderr
    with sqlite3.connect(site.data_dir / "headlines.sqlite3") as db:
        assert db.execute("SELECT kind FROM core_job WHERE id = ?", [job_id]).fetchall() == [
            ("core.jobs_purge",)
        ]
