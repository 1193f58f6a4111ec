import threading

import pytest
from django.db import transaction

from headlines.core import jobs, scheduler


@jobs.job("tests.record")
def record(value: int) -> None:
    RECORDED.append(value)


RECORDED: list[int] = []


@pytest.fixture(autouse=True)
def _clear() -> None:
    RECORDED.clear()


@pytest.mark.django_db(transaction=True)
def test_enqueue_waits_for_the_commit_and_a_rollback_cancels() -> None:
    with transaction.atomic():
        jobs.enqueue("tests.record", value=1)
        assert RECORDED == []
    assert RECORDED == [1]
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue("tests.record", value=2)
        raise RuntimeError("roll back")
    assert RECORDED == [1]


def test_only_json_values_and_known_jobs() -> None:
    with pytest.raises(TypeError):
        jobs.enqueue("tests.record", value=object())
    with pytest.raises(LookupError):
        jobs.enqueue("tests.nope")


@pytest.mark.django_db(transaction=True)
def test_embedded_backend_runs_jobs_on_its_threads() -> None:
    backend = jobs.EmbeddedBackend(threads=2)
    previous = jobs.set_backend(backend)
    try:
        for n in range(5):
            jobs.enqueue("tests.record", value=n)
    finally:
        backend.shutdown()
        jobs.set_backend(previous)
    assert sorted(RECORDED) == [0, 1, 2, 3, 4]
    assert threading.current_thread().name not in {"headlines-job_0", "headlines-job_1"}


@pytest.mark.django_db(transaction=True)
def test_scheduler_tick_enqueues_what_is_due() -> None:
    scheduler.every(60, "tests.tick")
    ticks: list[int] = []
    jobs.job("tests.tick")(lambda: ticks.append(1))
    sched = scheduler.Scheduler(tick_seconds=1)
    assert "tests.tick" in sched.tick(now=1000.0)
    assert "tests.tick" not in sched.tick(now=1030.0)
    assert "tests.tick" in sched.tick(now=1061.0)
    assert len(ticks) == 2
