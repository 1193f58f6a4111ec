"""An edition sends at least 1 story a digest (a validator: no change to the table). A 0 saved
before it is read as nothing to send (`digests.selectors.digest_has_stories`)."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_admin_filter_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="edition",
            name="max_stories",
            field=models.PositiveSmallIntegerField(
                default=10,
                validators=[
                    django.core.validators.MinValueValidator(1, "A digest holds at least 1 story.")
                ],
            ),
        ),
    ]
