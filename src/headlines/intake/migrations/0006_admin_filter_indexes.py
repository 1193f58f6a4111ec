"""The article list's filters by language and by duplicate reason read each column's values as
a skip scan (core.admin_lists.IndexedValuesFilter): an index leading with each, or DISTINCT
reads every article (millions after a year at a large newsroom)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0005_source_language_code"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["language"], name="article_language"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["duplicate_reason"], name="article_duplicate_reason"),
        ),
    ]
