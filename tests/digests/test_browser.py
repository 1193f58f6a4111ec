"""The digest in a real browser: the email at phone and desktop widths, and the archive pages."""

from pathlib import Path

import pytest

from headlines.core import clock
from headlines.digests import rendering, services
from headlines.digests.models import Digest
from tests import factories
from tests.digests.factories import NOON, messy_day
from tests.stories import factories as sf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORD = "Supercalifragilisticexpialidocious" * 3


def build() -> Digest:
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(slug="web", timezone="Europe/London")
    messy_day(edition)
    sf.article(
        source=sf.source(name="Long Words Weekly", edition=edition),
        edition=edition,
        title=f"Spelling bee won with {LONG_WORD} at the county fair",
        text="A pupil won the county spelling bee on Wednesday with a very long word indeed.",
        published_at=NOON,
    )
    return services.digest_build(edition_id=edition.pk)


def check_layout(page, width: int, shot: Path, expected: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert overflow[0] <= overflow[1], f"horizontal overflow at {width}px: {overflow}"
    headlines = page.locator("h2")
    assert headlines.count() == expected
    for i in range(headlines.count()):
        box = headlines.nth(i).bounding_box()
        assert headlines.nth(i).is_visible() and box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (i, box)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5000


@pytest.mark.parametrize("width", [375, 800])
def test_the_email_fits_phone_and_desktop(page, tmp_path: Path, width: int) -> None:
    digest = build()
    html = rendering.personalise(
        digest.html, unsubscribe_url="https://x.example/u", preferences_url="https://x.example/p"
    )
    page.route("https://**/*", lambda route: route.abort())  # no network: images stay out
    page.set_viewport_size({"width": width, "height": 900})
    page.set_content(html)
    expected = digest.items.filter(dropped=False).count()
    check_layout(page, width, tmp_path / f"email-{width}.png", expected)
    assert page.get_by_text("Unsubscribe").is_visible()
    assert page.get_by_text("Manage your preferences").is_visible()
    assert page.get_by_text("Read it on the web").is_visible()


@pytest.mark.parametrize("width", [375, 1024])
def test_the_archive_page_fits(page, live_server, tmp_path: Path, width: int) -> None:
    digest = build()
    services.digest_approve(digest_id=digest.pk)
    services.digest_mark_sending(digest_id=digest.pk)
    page.route("https://**/*", lambda route: route.abort())
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/archive/web/")
    page.get_by_role("link", name="Wednesday 25 November 2026").click()
    page.wait_for_url("**/archive/web/2026-11-25/")
    expected = digest.items.filter(dropped=False).count()
    check_layout(page, width, tmp_path / f"archive-{width}.png", expected)


def test_the_email_stays_readable_in_dark_mode(page) -> None:
    digest = build()
    page.route("https://**/*", lambda route: route.abort())
    page.emulate_media(color_scheme="dark")
    page.set_content(digest.html)
    colours = page.evaluate(
        """() => {
            const css = (el) => getComputedStyle(el);
            const sheet = document.querySelector('.sheet');
            const headline = document.querySelector('.headline a, .headline');
            const summary = document.querySelector('.summary');
            return [css(sheet).backgroundColor, css(headline).color, css(summary).color];
        }"""
    )

    def luminance(rgb: str) -> float:
        r, g, b = (int(x) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255

    background, headline, summary = (luminance(c) for c in colours)
    assert background < 0.2 and headline > 0.8 and summary > 0.7, colours
