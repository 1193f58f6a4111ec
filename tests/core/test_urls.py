import pytest

from headlines.core.urls import masked_in, masked_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:pw@host.example/x", "https://user:***@host.example/x"),
        ("https://user:p%40ss@host.example:8443/x?a=1", "https://user:***@host.example:8443/x?a=1"),
        ("https://user@host.example/x", "https://user@host.example/x"),  # no password
        ("https://host.example/x", "https://host.example/x"),
        ("https://user:pw@host.example:99999/x", "https://user:***@host.example:99999/x"),
        ("https://user:pw@[::1/x", "https://[::1/x"),  # unreadable: no userinfo shown at all
        ("", ""),
    ],
)
def test_a_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert masked_url(url) == shown


def test_an_error_naming_the_url_is_masked() -> None:
    url = "https://user:pw@host.example/feed"
    said = f"could not fetch {url}: connection refused"
    assert (
        masked_in(said, url)
        == "could not fetch https://user:***@host.example/feed: connection refused"
    )
    assert masked_in("nothing to hide", "") == "nothing to hide"
