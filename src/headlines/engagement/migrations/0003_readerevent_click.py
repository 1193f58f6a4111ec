"""A reader's click names the story's click it was counted with, so that a link scanner's burst,
found a few clicks in, takes the reader's clicks of that burst with it. Earlier events have none
(NULL); the table only ever holds consenting readers' events, so it adds the column at once."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0002_dashboard_clicks_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="readerevent",
            name="click",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="engagement.click",
            ),
        ),
    ]
