import datetime as dt

import pytest

from headlines.core import clock
from headlines.core.errors import InvalidInput
from headlines.subscriptions import links


def test_a_token_reads_back_only_for_its_own_purpose() -> None:
    token = links.make_token("unsubscribe", 41)
    assert links.read_token("unsubscribe", token) == 41
    with pytest.raises(InvalidInput, match="not valid"):
        links.read_token("confirm", token)


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-2] + "xx", lambda t: "1" + t, lambda t: "", str.upper]
)
def test_altered_tokens_are_refused(mangle) -> None:
    token = links.make_token("preferences", 7)
    with pytest.raises(InvalidInput):
        links.read_token("preferences", mangle(token))


def test_confirmation_links_expire_after_the_configured_days(settings) -> None:
    start = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    fixed = clock.FixedClock(start)
    clock.set_clock(fixed)
    token = links.make_token("confirm", 5)
    fixed.advance(days=settings.CONFIG["HEADLINES_CONFIRM_MAX_AGE_DAYS"], seconds=-60)
    assert links.read_confirm_token(token) == 5
    fixed.advance(seconds=120)
    with pytest.raises(InvalidInput, match="expired"):
        links.read_confirm_token(token)
    # Unsubscribe links never expire: an old digest's link must still work.
    old = links.make_token("unsubscribe", 5)
    fixed.advance(days=3650)
    assert links.read_token("unsubscribe", old) == 5


def test_urls_use_the_public_base_url(settings) -> None:
    assert links.unsubscribe_url(3).startswith(f"{settings.BASE_URL}/unsubscribe/")
    assert links.preferences_url(3).startswith(f"{settings.BASE_URL}/preferences/")
    assert links.confirm_url(3).startswith(f"{settings.BASE_URL}/confirm/")
