"""The ledger's index on digest_id alone goes: the unique (digest, subscription) and the claim
index (digest, state, next_attempt_at) both lead with digest_id, and every statement that
filters on the digest uses one of them. Dropped by name (the same on SQLite and PostgreSQL):
Django's own AlterField would copy the whole ledger on SQLite and re-check the foreign key of
every row on PostgreSQL. Reversible: the reverse builds the index again.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "delivery_delivery_digest_id_3f08b148"


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0005_details_without_addresses"),
        ("digests", "0004_topics_digestitem_topics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=(
                        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "delivery_delivery" ("digest_id")'
                    ),
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="delivery",
                    name="digest",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="digests.digest",
                    ),
                )
            ],
        )
    ]
