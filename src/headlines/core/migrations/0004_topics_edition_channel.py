from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0003_jobs_durable_queue")]

    operations = [
        migrations.AddField(
            model_name="edition",
            name="channel",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "The installation's (SMTP if HEADLINES_SMTP_URL is set, else the outbox)"),
                    ("outbox", "Outbox only (nothing leaves; staff read it in the admin)"),
                    ("smtp", "SMTP relays (HEADLINES_SMTP_URL)"),
                ],
                default="",
                help_text="How this edition's digests leave (see delivery.channels).",
                max_length=16,
            ),
        ),
    ]
