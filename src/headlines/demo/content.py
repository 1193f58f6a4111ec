"""The sample newsroom's content: invented outlets and the articles of `data/articles.toml`.

Articles carry an age, not a date: `Newsroom(now=...)` dates them back from `now`, so the
newsroom always has a fresh day and the same `now` always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import zoneinfo
from dataclasses import dataclass
from importlib import resources

from headlines.core import clock


@dataclass(frozen=True)
class Outlet:
    slug: str
    name: str
    tagline: str
    sections: tuple[tuple[str, str], ...]  # (slug, label), in navigation order
    editions: tuple[str, ...]  # the demo editions its feeds serve
    language: str
    timezone: str  # where its "on Tuesday" is reckoned

    def section_label(self, slug: str) -> str:
        return dict(self.sections).get(slug, slug.title())


OUTLETS: tuple[Outlet, ...] = (
    Outlet(
        slug="meridian",
        name="The Daily Meridian",
        tagline="News for a nation that reads",
        sections=(
            ("us", "U.S."),
            ("world", "World"),
            ("business", "Business"),
            ("tech", "Tech"),
            ("science", "Science"),
            ("sports", "Sports"),
        ),
        editions=("us",),
        language="en-US",
        timezone="America/New_York",
    ),
    Outlet(
        slug="chronicle",
        name="The Thameside Chronicle",
        tagline="Independent journalism since 1851",
        sections=(
            ("uk", "UK news"),
            ("world", "World"),
            ("business", "Business"),
            ("science", "Science"),
            ("sport", "Sport"),
            ("culture", "Culture"),
        ),
        editions=("uk",),
        language="en-GB",
        timezone="Europe/London",
    ),
    Outlet(
        slug="wire",
        name="Harbour Wire",
        tagline="The news agency for newsrooms",
        sections=(
            ("world", "World"),
            ("business", "Business"),
            ("tech", "Technology"),
            ("science", "Science"),
            ("health", "Health"),
            ("sport", "Sport"),
        ),
        editions=("us", "uk"),
        language="en",
        timezone="UTC",
    ),
)

OUTLETS_BY_SLUG = {outlet.slug: outlet for outlet in OUTLETS}
# The newsroom's day: its articles younger than this are today's news (ages 1.5 to 13.5 hours in
# `data/articles.toml`); the older ones are the days before, which earlier digests told.
DAY_HOURS = 18.0


@dataclass(frozen=True)
class Article:
    slug: str
    outlet: str
    event: str
    section: str
    age_hours: float
    author: str
    title: str
    standfirst: str
    caption: str
    credit: str
    body: str
    dateline: str = ""

    @property
    def raw_paragraphs(self) -> list[str]:
        """The body's paragraphs with their day placeholders ({weekday} and the like)."""
        return [" ".join(p.split()) for p in self.body.strip().split("\n\n") if p.strip()]


def load_articles() -> list[Article]:
    """Every article of the packaged data file, freshest first."""
    raw = resources.files("headlines.demo").joinpath("data/articles.toml").read_bytes()
    records = tomllib.loads(raw.decode("utf-8"))["article"]
    articles = [Article(**record) for record in records]
    return sorted(articles, key=lambda a: (a.age_hours, a.outlet, a.slug))


class Newsroom:
    """The dated newsroom: which articles exist, when they were published, where they live."""

    def __init__(self, *, now: dt.datetime | None = None) -> None:
        # Whole minutes, so that two newsrooms made in the same minute serve the same bytes.
        self.now = (now or clock.now()).astimezone(dt.UTC).replace(second=0, microsecond=0)
        self.articles = load_articles()
        self._by_path = {self.path(a): a for a in self.articles}

    def published(self, article: Article) -> dt.datetime:
        return self.now - dt.timedelta(hours=article.age_hours)

    def modified(self, article: Article) -> dt.datetime:
        # Outlets tweak a story after it goes up; the feeds say so.
        return self.published(article) + dt.timedelta(minutes=17)

    def dated(self, article: Article, text: str) -> str:
        """`text` with {yesterday}, {weekday} and {tomorrow} named from the publication day,
        so that an article always says "on Tuesday" of the Tuesday it is dated."""
        zone = zoneinfo.ZoneInfo(self.outlet(article).timezone)
        day = self.published(article).astimezone(zone)
        for placeholder, offset in (("{yesterday}", -1), ("{weekday}", 0), ("{tomorrow}", 1)):
            text = text.replace(placeholder, f"{day + dt.timedelta(days=offset):%A}")
        return text

    def paragraphs(self, article: Article) -> list[str]:
        return [self.dated(article, p) for p in article.raw_paragraphs]

    def caption(self, article: Article) -> str:
        return self.dated(article, article.caption)

    def outlet(self, article: Article) -> Outlet:
        return OUTLETS_BY_SLUG[article.outlet]

    def of_outlet(self, outlet: str, section: str | None = None) -> list[Article]:
        return [
            a
            for a in self.articles
            if a.outlet == outlet and (section is None or a.section == section)
        ]

    def related(self, article: Article, limit: int = 3) -> list[Article]:
        """Same outlet: the same event's other coverage first, then the same section."""
        siblings = [a for a in self.of_outlet(article.outlet) if a.slug != article.slug]
        siblings.sort(key=lambda a: (a.event != article.event, a.section != article.section))
        return siblings[:limit]

    @staticmethod
    def path(article: Article) -> str:
        """Each outlet has its own URL style, as real sites do."""
        if article.outlet == "meridian":
            return f"/meridian/news/{article.section}/{article.slug}"
        if article.outlet == "chronicle":
            return f"/chronicle/{article.section}/{article.slug}.html"
        return f"/wire/article/{article.slug}/"

    def article_at(self, path: str) -> Article | None:
        return self._by_path.get(path)
