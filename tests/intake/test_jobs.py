import pytest

from headlines.core import jobs, scheduler
from headlines.intake.models import Article, Source

from . import factories

pytestmark = pytest.mark.django_db


def test_ingest_due_is_a_periodic_job() -> None:
    assert "intake.ingest_due" in {p.name for p in scheduler.periodic_jobs()}
    assert {"intake.ingest_due", "intake.ingest_source"} <= set(jobs.registered())


def test_the_periodic_job_ingests_due_dump_sources(tmp_path) -> None:
    (tmp_path / "a.txt").write_text("date 2024-03-14 " + factories.BODY + "\n")
    source = factories.source(kind=Source.Kind.DUMP, url="", path=str(tmp_path))
    assert jobs.run_job("intake.ingest_due", {}) == 1
    assert Article.objects.filter(source=source).count() == 1
    assert jobs.run_job("intake.ingest_due", {}) == 0  # not due again yet
