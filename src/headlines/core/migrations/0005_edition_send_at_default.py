from django.db import migrations, models

import headlines.core.models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_topics_edition_channel"),
    ]

    operations = [
        migrations.AlterField(
            model_name="edition",
            name="send_at",
            field=models.TimeField(
                default=headlines.core.models.evening, help_text="Local send time of the digest."
            ),
        ),
    ]
