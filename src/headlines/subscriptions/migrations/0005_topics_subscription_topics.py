from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0004_api_consent_choices")]

    operations = [
        migrations.AddField(
            model_name="subscription",
            name="topics",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
