"""(edition, status) becomes (edition, status, timezone, send_hour): the same prefix for every
query by edition and state, and the distinct zones and hours of an edition's confirmed readers
as a skip scan (subscriptions.audience.ZONES_SQL). The new index is built before the old one is
dropped. On PostgreSQL the build holds writes to subscriptions for a few seconds at a million
readers (1-3 s measured, docs/benchmarks.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_edition_privacy_link"),
        ("subscriptions", "0006_late_readers_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="subscription",
            index=models.Index(
                fields=["edition", "status", "timezone", "send_hour"],
                name="subscription_audience",
            ),
        ),
        migrations.RemoveIndex(
            model_name="subscription",
            name="subscriptio_edition_12777e_idx",
        ),
    ]
