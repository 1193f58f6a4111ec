"""The earlier stories a build may continue (`selectors.previous_stories`: one edition's stories
of the last few days) are read by an index on the edition and the day: SQLite, with the two
apart, read every story the edition ever had (222,000 after a year of a large newsroom)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0006_title_vectors"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="story",
            index=models.Index(fields=["edition", "day"], name="story_edition_day"),
        ),
    ]
