import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration() -> None:
    out = io.StringIO()
    # --check exits non-zero (SystemExit) when a model changed without a migration.
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_starting_at_the_default_send_time_prints_no_system_check_warning() -> None:
    import datetime as dt

    import time_machine
    from django.core import checks

    # Django takes a fixed time default for a mistake within ten seconds of it: a server started
    # at 17:59:55 warned "Fixed default value provided" about the 18:00 send time.
    with time_machine.travel(dt.datetime(2026, 11, 25, 18, 0, 3, tzinfo=dt.UTC), tick=False):
        found = [m.id for m in checks.run_checks()]
    assert "fields.W161" not in found


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_takes_the_addresses_out_of_kept_bounce_and_suppression_details() -> None:
    # Details were kept word for word, the relay's "<ann@example.org>" included, beside the hash.
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("delivery", "0004_jobs_lease_owner_help")]
    after = [("delivery", "0005_details_without_addresses")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    reply = "550 5.1.1 <Ann.Lee@example.org>: Recipient address rejected"
    old.get_model("delivery", "BounceEvent").objects.create(
        email_hash="a" * 64, kind="hard", detail=reply
    )
    old.get_model("subscriptions", "Suppression").objects.create(
        email_hash="a" * 64, reason="hard_bounce", detail=reply
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    for app, name in (("delivery", "BounceEvent"), ("subscriptions", "Suppression")):
        detail = new.get_model(app, name).objects.get().detail
        assert detail == "550 5.1.1 <(address)>: Recipient address rejected"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_plan_says_what_the_data_migration_rewrites() -> None:
    # `headlines migrate --plan` before an upgrade listed the rewrite of every kept bounce and
    # suppression detail as "Raw Python operation": nothing to judge when to run it by.
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("delivery", "0004_jobs_lease_owner_help")])
    out = io.StringIO()
    try:
        call_command("migrate", "--plan", stdout=out)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    plan = out.getvalue()
    step = "delivery.0005_details_without_addresses\n    Raw Python operation -> "
    assert f"{step}Strip addresses from bounce details\n" in plan


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_forgets_stored_copies_of_the_built_in_privacy_link(settings) -> None:
    # Editions made by earlier releases stored the built-in page's address as it was then
    # (127.0.0.1 before the base URL was set) and linked every email there for good.
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    settings.BASE_URL = "https://news.example"
    before = [("core", "0006_edition_language_code")]
    after = [("core", "0007_edition_privacy_link")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    Edition = executor.loader.project_state(before).apps.get_model("core", "Edition")
    stored = {
        "laptop": "http://127.0.0.1:8000/privacy/",
        "base": "https://news.example/privacy/",
        "own": "https://publisher.example/privacy/",
        "legal": "http://localhost:8000/legal/privacy",
    }
    for slug, url in stored.items():
        Edition.objects.create(slug=slug, name=slug, privacy_url=url)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    Edition = executor.loader.project_state(after).apps.get_model("core", "Edition")
    kept = dict(Edition.objects.values_list("slug", "privacy_url"))
    assert kept == {
        "laptop": "",
        "base": "",
        "own": "https://publisher.example/privacy/",
        "legal": "http://localhost:8000/legal/privacy",
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_ledger_and_audience_index_changes_go_both_ways_and_keep_every_row() -> None:
    # The ledger's index on digest_id alone goes (its unique (digest, subscription) and claim
    # indexes lead with it); the readers' (edition, status) grows the zone and hour.
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from headlines.delivery.models import Delivery
    from headlines.subscriptions.models import Subscription
    from tests.delivery import factories

    ed = factories.edition()
    factories.readers(ed, 5)
    digest = factories.digest(ed)
    Delivery.objects.bulk_create(
        Delivery(
            digest=digest, subscription=s, next_attempt_at=digest.built_at, deadline=digest.built_at
        )
        for s in Subscription.objects.all()
    )

    def indexes(table: str) -> list[list[str]]:
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, table)
        return [c["columns"] for c in found.values() if c["index"] and not c["unique"]]

    def state() -> tuple[bool, bool, bool, int, int]:
        ledger, readers = indexes("delivery_delivery"), indexes("subscriptions_subscription")
        return (
            ["digest_id"] in ledger,
            ["edition_id", "status"] in readers,
            ["edition_id", "status", "timezone", "send_hour"] in readers,
            Delivery.objects.count(),
            Subscription.objects.count(),
        )

    assert state() == (False, False, True, 5, 5)
    executor = MigrationExecutor(connection)
    executor.migrate(
        [
            ("delivery", "0005_details_without_addresses"),
            ("subscriptions", "0006_late_readers_indexes"),
        ]
    )
    assert state() == (True, True, False, 5, 5)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert state() == (False, False, True, 5, 5)


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_fixes_each_rendered_digests_story_count_at_what_the_archive_showed() -> None:
    # The archive showed the first max_stories items not dropped, at the edition's max_stories
    # of the day: the upgrade keeps that for digests already rendered; a draft never rendered
    # gets its count when it is.
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    core = [node for node in executor.loader.graph.leaf_nodes() if node[0] == "core"]
    before = [("digests", "0004_topics_digestitem_topics"), *core]
    after = [("digests", "0005_digest_story_count"), *core]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    edition = old.get_model("core", "Edition").objects.create(slug="uk", name="UK", max_stories=2)
    Digest, Item = old.get_model("digests", "Digest"), old.get_model("digests", "DigestItem")
    day = dt.date(2026, 11, 25)
    sent = Digest.objects.create(edition=edition, date=day, state="sent", html="<p>x</p>")
    short = Digest.objects.create(edition=edition, date=day + dt.timedelta(days=1), html="<p>")
    unrendered = Digest.objects.create(edition=edition, date=day + dt.timedelta(days=2))
    for n, dropped in enumerate([False, True, False, False]):
        Item.objects.create(digest=sent, position=n, headline=f"S{n}", dropped=dropped)
    Item.objects.create(digest=short, position=0, headline="Only one")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    Digest = executor.loader.project_state(after).apps.get_model("digests", "Digest")
    counts = dict(Digest.objects.values_list("id", "story_count"))
    assert counts == {sent.pk: 2, short.pk: 1, unrendered.pk: None}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
