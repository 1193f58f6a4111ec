"""A window's articles without a date are found by the time they were stored
(`selectors.articles_in_window`): by `published_at` alone, every undated article the
newsroom ever stored was read for each digest's window (183,000 after a year of a large
newsroom, one in ten undated: 0.5 s a build on SQLite)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0006_admin_filter_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["published_at", "created_at"], name="article_window"),
        ),
    ]
