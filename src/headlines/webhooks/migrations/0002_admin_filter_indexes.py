"""The webhook messages list's filter by event type reads the types as a skip scan
(core.admin_lists.IndexedValuesFilter): an index leading with the type, or DISTINCT reads every
message (one per event per endpoint)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_api_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["event_type"], name="webhook_message_event_type"),
        ),
    ]
