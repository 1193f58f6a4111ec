"""The audit list's filters by action, status and token read each column's values as a skip scan
(core.admin_lists.IndexedValuesFilter): an index leading with each, or DISTINCT reads the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_api_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["action"], name="audit_action"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["status"], name="audit_status"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["token_name"], name="audit_token_name"),
        ),
    ]
