import datetime as dt
from collections import Counter

from headlines.demo.content import OUTLETS, Newsroom, load_articles

NOW = dt.datetime(2026, 3, 14, 17, 30, tzinfo=dt.UTC)


def test_three_outlets_cover_forty_articles_over_several_days_and_sections() -> None:
    articles = load_articles()
    assert len(articles) >= 40
    assert {a.outlet for a in articles} == {o.slug for o in OUTLETS}
    days = {int(a.age_hours // 24) for a in articles}
    assert len(days) >= 4
    for outlet in OUTLETS:
        sections = {a.section for a in articles if a.outlet == outlet.slug}
        assert len(sections) >= 4, outlet.slug
        assert sections <= {slug for slug, _ in outlet.sections}, outlet.slug


def test_the_same_events_are_told_by_different_outlets_in_different_words() -> None:
    articles = load_articles()
    outlets_per_event = Counter()
    for event in {a.event for a in articles}:
        told = [a for a in articles if a.event == event]
        outlets_per_event[event] = len({a.outlet for a in told})
        assert len({a.title for a in told}) == len(told), "each outlet writes its own headline"
    assert sum(1 for n in outlets_per_event.values() if n >= 2) >= 12
    assert sum(1 for n in outlets_per_event.values() if n >= 3) >= 4


def test_us_and_uk_editions_each_get_an_outlet_of_their_own() -> None:
    editions = {o.slug: o.editions for o in OUTLETS}
    assert "us" in editions["meridian"] and "uk" in editions["chronicle"]
    assert set(editions["wire"]) == {"us", "uk"}


def test_dates_count_back_from_now_so_there_is_always_a_fresh_day() -> None:
    room = Newsroom(now=NOW)
    published = [room.published(a) for a in room.articles]
    assert max(published) < NOW
    fresh = [p for p in published if NOW - p < dt.timedelta(hours=14)]
    assert len(fresh) >= 15
    later = Newsroom(now=NOW + dt.timedelta(days=200))
    assert max(later.published(a) for a in later.articles) > NOW + dt.timedelta(days=199)


def test_paths_are_unique_and_each_outlet_has_its_own_url_style() -> None:
    room = Newsroom(now=NOW)
    paths = [room.path(a) for a in room.articles]
    assert len(set(paths)) == len(paths)
    assert all(room.article_at(p) is not None for p in paths)
    styles = {p.split("/")[1]: p.rsplit("/", 1)[-1] for p in paths}
    assert styles["chronicle"].endswith(".html") and styles["wire"] == ""


def test_each_outlet_names_the_day_in_its_own_time_zone() -> None:
    # Early on a Sunday (UTC) it is still Saturday evening in New York.
    room = Newsroom(now=dt.datetime(2026, 3, 15, 5, 0, tzinfo=dt.UTC))
    fed = next(a for a in room.articles if a.slug == "fed-holds-rates-signals-spring-cut")
    wire = next(a for a in room.articles if a.slug == "us-fed-keeps-rates-unchanged")
    assert "unchanged at 4.25 percent on Saturday" in room.paragraphs(fed)[0]
    assert "at 4.25% on Sunday" in room.paragraphs(wire)[0]
    cup = next(a for a in room.articles if a.slug == "harbour-city-reach-cup-final")
    assert "replay on Saturday night" in room.paragraphs(cup)[0]
    assert all("{" not in p for a in room.articles for p in room.paragraphs(a))
    assert all("{" not in room.caption(a) for a in room.articles)
