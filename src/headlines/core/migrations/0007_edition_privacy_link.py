"""Editions made before this release stored the built-in privacy page's address as it was at
the time (often http://127.0.0.1:8000/privacy/, before HEADLINES_BASE_URL was set), and every
email and sign-up form kept linking there. The built-in page is now an empty `privacy_url`,
resolved at today's base URL; this forgets the stored copies: the built-in path on a loopback
host or on the configured base URL. A publisher's own notice elsewhere is left as it is."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations, models

LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def _builtin(url: str) -> bool:
    if url == f"{settings.BASE_URL}/privacy/":
        return True
    parts = urlsplit(url)
    return parts.path == "/privacy/" and not parts.query and parts.hostname in LOOPBACK


def forget_builtin_links(apps, schema_editor):
    """Forget stored copies of the built-in privacy page's address"""
    Edition = apps.get_model("core", "Edition")
    for edition in Edition.objects.exclude(privacy_url="").only("id", "privacy_url"):
        if _builtin(edition.privacy_url):
            Edition.objects.filter(pk=edition.pk).update(privacy_url="")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_edition_language_code"),
    ]

    operations = [
        migrations.AlterField(
            model_name="edition",
            name="privacy_url",
            field=models.URLField(
                blank=True,
                help_text="The publisher's own privacy notice. Empty: the built-in page.",
            ),
        ),
        # Going back leaves them empty: the old code showed no link for an empty one.
        migrations.RunPython(forget_builtin_links, migrations.RunPython.noop, elidable=False),
    ]
