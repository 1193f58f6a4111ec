import datetime as dt

import pytest

from headlines.core import clock
from headlines.core.errors import InvalidInput
from headlines.subscriptions import formtokens


def test_a_form_token_works_for_its_form_until_it_is_too_old(settings) -> None:
    fixed = clock.FixedClock(dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC))
    clock.set_clock(fixed)
    token = formtokens.form_token(form="widget:us")
    formtokens.form_token_check(token, form="widget:us")
    with pytest.raises(InvalidInput):
        formtokens.form_token_check(token, form="widget:uk")
    fixed.advance(hours=settings.CONFIG["HEADLINES_WIDGET_FORM_MAX_AGE_HOURS"], minutes=1)
    with pytest.raises(InvalidInput, match="press the button again"):
        formtokens.form_token_check(token, form="widget:us")


@pytest.mark.parametrize("token", [None, 7, "", "a" * 501, "e30:1xW3a0:forged"])
def test_malformed_form_tokens_are_refused(token) -> None:
    with pytest.raises(InvalidInput):
        formtokens.form_token_check(token, form="widget:us")
