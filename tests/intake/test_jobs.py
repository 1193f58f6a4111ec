import pytest

from headlines.core import clock, jobs, scheduler
from headlines.intake import services
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


def test_a_dump_folder_is_read_again_only_for_new_files(tmp_path) -> None:
    import os

    from headlines.intake import services

    old = tmp_path / "old.txt"
    old.write_text("date 2024-03-14 " + factories.BODY + "\n")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    source = factories.source(kind=Source.Kind.DUMP, url="", path=str(tmp_path))
    assert services.source_ingest(source_id=source.pk).fetched == 1
    new = tmp_path / "new.jsonl"
    new.write_text('{"text": "%s"}\n' % ("Council news. " * 10))
    # The file system dates files by its own clock; date this one by the project's, as the two
    # agree on a real machine (a travelled test run moves only the project's).
    written = clock.now().timestamp()
    os.utime(new, (written, written))
    again = services.source_ingest(source_id=source.pk)
    assert (again.fetched, again.new) == (1, 1)


def test_the_periodic_job_makes_the_title_vectors_of_new_headlines(tmp_path) -> None:
    import json

    from headlines.stories.models import TitleVector
    from tests.stories.support import OTHERS, require_model

    require_model()
    (tmp_path / "headlines.jsonl").write_text(
        "".join(
            json.dumps({"title": t, "url": f"https://wire.example/{i}"}) + "\n"
            for i, t in enumerate(OTHERS[:3])
        )
    )
    source = factories.source(kind=Source.Kind.DUMP, url="", path=str(tmp_path))
    assert jobs.run_job("intake.ingest_due", {}) == 1
    assert set(TitleVector.objects.values_list("article__title", flat=True)) == set(OTHERS[:3])
    assert all(a.text == "" for a in Article.objects.filter(source=source))


def test_a_source_that_cannot_be_read_is_a_warning_that_says_it_failed(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "gone").mkdir()
    factories.source(kind=Source.Kind.DUMP, url="", path=str(tmp_path / "gone"))
    (tmp_path / "gone").rmdir()  # a disk unmounted, a folder moved
    with caplog.at_level("INFO", logger="headlines.intake.jobs"):
        assert jobs.run_job("intake.ingest_due", {}) == 1
    [record] = [r for r in caplog.records if r.name == "headlines.intake.jobs"]
    assert record.levelname == "WARNING"
    assert record.getMessage().startswith("ingest of ") and " failed: " in record.getMessage()
    # Not the success line ("ingested …: 0 new, …, 0 failed"); a source named source-10 reads
    # "ingest of source-10 failed", so the count is looked for after its comma.
    assert ", 0 failed" not in record.getMessage()


def test_a_relative_path_an_earlier_release_stored_says_how_to_mend_it(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Releases before 2026-12-06 stored `--path wire` as typed: from another folder (systemd's
    # /), ingest said only "no such file or folder".
    (tmp_path / "typed-here" / "wire").mkdir(parents=True)
    (tmp_path / "typed-here" / "wire" / "a.txt").write_text("date 2024-03-14 " + factories.BODY)
    monkeypatch.chdir(tmp_path / "typed-here")
    source = factories.source(kind=Source.Kind.DUMP, url="", path=str(tmp_path / "typed-here"))
    Source.objects.filter(pk=source.pk).update(path="wire")  # as the earlier release kept it
    source.refresh_from_db()
    found = services.source_ingest(source_id=source.pk)  # from the folder it was typed in
    assert found.new == 1 and not found.error
    monkeypatch.chdir(tmp_path)
    error = services.source_ingest(source_id=source.pk).error or ""
    assert "the source's path wire is relative" in error and f"not found from {tmp_path}" in error
    assert f"headlines source remove {source.slug}" in error
    stored = Source.objects.get(pk=source.pk)
    assert stored.path == "wire" and stored.enabled  # nothing changed behind the editor's back
