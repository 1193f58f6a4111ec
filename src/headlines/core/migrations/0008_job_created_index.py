"""The job list's date drill-down (admin ProbedDates) reads the ends of `created_at` and probes
one period at a time: an index, or each probe would read the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_edition_privacy_link"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="job",
            index=models.Index(fields=["created_at"], name="job_created"),
        ),
    ]
