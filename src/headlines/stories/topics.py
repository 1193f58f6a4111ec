"""An edition's topics: declared by the editor, given to stories, chosen by readers.

A story's topics come from its articles: an article's sections and feed categories that the
editor mapped to a topic (`Topic.sections`) count first; an article with none of them is
classified from its text by a model learned from the labelled ones (stories.classify).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.db.models import Max

from headlines.core.errors import Conflict, InvalidInput, NotFound
from headlines.core.models import Edition
from headlines.core.names import has_control
from headlines.core.services import name_clean, slug_clean
from headlines.intake import selectors as intake_selectors
from headlines.intake.models import Article
from headlines.stories.classify import TopicClassifier
from headlines.stories.models import Topic

LEARN_FROM = 3000  # the most recent labelled articles of the edition
# Looked for among the edition's most recent articles only: a newsroom whose feeds name no section
# had the whole history read for none on every build (0.87 s a build after a year).
LEARN_AMONG = 10 * LEARN_FROM
TEXT_CHARS = 1500
# intake's `Article.sections` (sections and feed categories); named once so this module works
# (with the classifier alone idle) on a database from before that field existed.
SECTIONS = "sections"


def _has_sections() -> bool:
    return any(f.name == SECTIONS for f in Article._meta.get_fields())


def _edition(slug: str) -> Edition:
    edition = Edition.objects.filter(slug=slug.strip().lower()).first()
    if edition is None:
        raise NotFound(f"no edition {slug!r}; see `headlines edition list`")
    return edition


def topic_sections_clean(values: Iterable[str]) -> list[str]:
    """A topic's sections as they are stored: short labels, lower-cased, each once."""
    out: list[str] = []
    for value in values:
        label = " ".join(str(value).split()).lower()
        if has_control(label) or len(label) > 100:
            raise InvalidInput(f"section {value!r} is not a short label", field="sections")
        if label and label not in out:
            out.append(label)
    return out


def topic_name_clean(name: str) -> str:
    return name_clean(name, most=100)


def topic_add(*, edition: str, slug: str, name: str, sections: Sequence[str] = ()) -> Topic:
    """A new topic, last in the edition's order."""
    found = _edition(edition)
    slug = slug_clean(slug)  # an edition's rules
    name = topic_name_clean(name)
    last = Topic.objects.filter(edition=found).aggregate(m=Max("order"))["m"]
    try:
        with transaction.atomic():
            return Topic.objects.create(
                edition=found,
                slug=slug,
                name=name,
                order=0 if last is None else last + 1,
                sections=topic_sections_clean(sections),
            )
    except IntegrityError:
        raise Conflict(f"{found.slug} already has a topic {slug!r}") from None


def topic_get(*, edition: str, slug: str) -> Topic:
    found = _edition(edition)
    topic = Topic.objects.filter(edition=found, slug=slug.strip().lower()).first()
    if topic is None:
        known = ", ".join(t.slug for t in topics_of(edition_id=found.pk)) or "none yet"
        raise NotFound(f"{found.slug} has no topic {slug!r}; its topics: {known}")
    return topic


def topic_edit(
    *,
    edition: str,
    slug: str,
    name: str | None = None,
    sections: Sequence[str] | None = None,
    order: int | None = None,
) -> Topic:
    """A topic's name, sections or place in the editor's order changed; the slug, which readers'
    choices and imports use, stays. `order` is a position from 0: the others move to make room."""
    if name is None and sections is None and order is None:
        raise InvalidInput("nothing to change: give --name, --sections or --order", field="name")
    if order is not None and order < 0:
        raise InvalidInput("order must be 0 or more", field="order")
    with transaction.atomic():
        topic = topic_get(edition=edition, slug=slug)
        if name is not None:
            topic.name = topic_name_clean(name)
        if sections is not None:
            topic.sections = topic_sections_clean(sections)
        topic.save(update_fields=["name", "sections"])
        if order is not None:
            others = [t for t in topics_of(edition_id=topic.edition_id) if t.pk != topic.pk]
            others.insert(min(order, len(others)), topic)
            _place(others)
    return topic


def topic_delete(topic: Topic) -> None:
    """The topic gone, the others renumbered from 0 (readers' choices: subscriptions.choices)."""
    topic.delete()
    renumber(topic.edition_id)


def renumber(edition_id: int) -> None:
    _place(topics_of(edition_id=edition_id))


def _place(ordered: Sequence[Topic]) -> None:
    """Each topic's `order` its position in `ordered`, from 0 (only the rows that move are
    written; the objects are updated too)."""
    for position, each in enumerate(ordered):
        if each.order != position:
            Topic.objects.filter(pk=each.pk).update(order=position)
            each.order = position


def topic_list(*, edition: str | None = None) -> list[Topic]:
    rows = Topic.objects.select_related("edition").order_by("edition__slug", "order", "slug")
    if edition is not None:
        rows = rows.filter(edition=_edition(edition))
    return list(rows)


def topics_of(*, edition_id: int) -> list[Topic]:
    """The edition's topics in the editor's order."""
    return list(Topic.objects.filter(edition_id=edition_id).order_by("order", "slug"))


def topic_slugs_clean(*, edition_id: int, slugs: Iterable[str]) -> list[str]:
    """Slugs checked against the edition's topics, in the editor's order; a clear error names
    any unknown one."""
    known = [t.slug for t in topics_of(edition_id=edition_id)]
    wanted = {s.strip().lower() for s in slugs if s.strip()}
    unknown = sorted(wanted - set(known))
    if unknown:
        choices = ", ".join(known) or "none yet"
        raise InvalidInput(
            f"unknown topic {', '.join(unknown)}; this edition's topics: {choices}",
            field="topics",
        )
    return [s for s in known if s in wanted]


def article_sections(article_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each article's sections and feed categories (intake's `Article.sections`), lower-cased."""
    if not _has_sections():
        return {}
    rows = Article.objects.filter(pk__in=list(article_ids)).values_list("id", SECTIONS)
    return {i: [str(x).strip().lower() for x in (s or [])] for i, s in rows}


def mapped(topics: Sequence[Topic], sections: Iterable[str]) -> list[str]:
    """The topic slugs these sections are mapped to, in the editor's order."""
    labels = set(sections)
    return [t.slug for t in topics if labels & set(t.sections)]


def learn(edition_id: int, topics: Sequence[Topic]) -> TopicClassifier | None:
    """A classifier from the edition's recent articles whose sections map to one topic."""
    if not _has_sections():
        return None
    articles = Article.objects.filter(intake_selectors.of_edition(edition_id))
    among = articles.order_by("-id").values_list("id", flat=True)[LEARN_AMONG - 1 : LEARN_AMONG]
    rows = (
        articles.filter(id__gte=among.first() or 0)
        .exclude(**{SECTIONS: []})
        .order_by("-id")
        .values_list("title", "text", SECTIONS)[:LEARN_FROM]
    )
    examples = []
    for title, text, sections in rows:
        slugs = mapped(topics, [str(x).strip().lower() for x in sections or []])
        if len(slugs) == 1:  # an article in two topics teaches neither
            examples.append((f"{title}\n{text[:TEXT_CHARS]}", slugs[0]))
    return TopicClassifier.learn(examples)


def stories_topics(
    *, edition_id: int, members: Sequence[Sequence[int]], texts: dict[int, str]
) -> list[list[str]]:
    """The topics of each story, given its articles' ids and the articles' texts."""
    topics = topics_of(edition_id=edition_id)
    if not topics:
        return [[] for _ in members]
    sections = article_sections(i for ids in members for i in ids)
    found: dict[int, list[str]] = {}
    unlabelled = []
    for ids in members:
        for i in ids:
            found[i] = mapped(topics, sections.get(i, []))
            if not found[i]:
                unlabelled.append(i)
    if unlabelled:
        model = learn(edition_id, topics)
        if model is not None:
            for i, slug in zip(
                unlabelled, model.predict([texts[i] for i in unlabelled]), strict=True
            ):
                found[i] = [slug] if slug else []
    order = [t.slug for t in topics]
    return [[s for s in order if any(s in found[i] for i in ids)] for ids in members]
