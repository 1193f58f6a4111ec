"""An index on subscriptions by (edition, unsubscribed_at), for the staff dashboard: its
unsubscribes over 7 and 30 days and the leaves of its 30-day readers' series become ranges as
long as the month's leaves. On PostgreSQL the build holds writes to subscriptions for about a
second at a million readers (docs/benchmarks.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0007_audience_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="subscription",
            index=models.Index(fields=["edition", "unsubscribed_at"], name="subscription_left"),
        ),
    ]
