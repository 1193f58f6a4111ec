"""Rewrite the kept bounce and suppression details without the addresses relays wrote in them.

They were stored word for word ("550 5.1.1 <ann@example.org>: …") beside the keyed hash and
outlived the reader's erasure; new rows are written without them (`without_addresses`).
"""

from typing import Any

from django.db import migrations


def redact(apps: Any, schema_editor: Any) -> None:
    """Strip addresses from bounce details"""  # `migrate --plan` shows 35 characters of it

    from headlines.subscriptions.hashing import without_addresses

    for app, name in (("delivery", "BounceEvent"), ("subscriptions", "Suppression")):
        model = apps.get_model(app, name)
        for row in model.objects.filter(detail__contains="@").only("pk", "detail").iterator():
            clean = without_addresses(row.detail)
            if clean != row.detail:
                model.objects.filter(pk=row.pk).update(detail=clean)


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0004_jobs_lease_owner_help"),
        ("subscriptions", "0005_topics_subscription_topics"),
    ]

    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
