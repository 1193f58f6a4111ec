"""How many stories a digest's email carries, fixed when it is rendered: the archive showed the
first `max_stories` items not dropped with the edition's max_stories of the day it was read, so
raising it published past digests' reserve items and lowering it took sent stories away. Every
digest rendered before this release gets the count the archive shows for it now."""

from django.db import migrations, models


def count_rendered(apps, schema_editor):
    """Fix the story count of every digest already rendered at what the archive shows now"""
    Digest = apps.get_model("digests", "Digest")
    DigestItem = apps.get_model("digests", "DigestItem")
    rendered = Digest.objects.exclude(html="").filter(story_count__isnull=True)
    for digest in rendered.select_related("edition").only("id", "edition__max_stories"):
        kept = DigestItem.objects.filter(digest_id=digest.pk, dropped=False).count()
        count = min(kept, digest.edition.max_stories)
        Digest.objects.filter(pk=digest.pk).update(story_count=count)


class Migration(migrations.Migration):
    dependencies = [
        ("digests", "0004_topics_digestitem_topics"),
    ]

    operations = [
        migrations.AddField(
            model_name="digest",
            name="story_count",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="How many stories its email carries: the first items not dropped.",
                null=True,
            ),
        ),
        # Going back drops the column: the old code reads the edition's max_stories again.
        migrations.RunPython(count_rendered, migrations.RunPython.noop, elidable=False),
    ]
