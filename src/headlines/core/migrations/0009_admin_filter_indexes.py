"""The job list's filter by kind reads the kinds as a skip scan
(core.admin_lists.IndexedValuesFilter): an index leading with the kind, or DISTINCT reads the
table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_job_created_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="job",
            index=models.Index(fields=["kind"], name="job_kind"),
        ),
    ]
