from collections.abc import Iterator, Sequence

import pytest

from headlines.stories import summariser


class FakeModel:
    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.calls = 0

    def summarise(self, *, headline: str, texts: Sequence[str], max_chars: int) -> str | None:
        self.calls += 1
        return self.answer


@pytest.fixture
def install() -> Iterator:
    def _install(model):
        summariser.set_summariser(model)
        return model

    yield _install
    summariser.set_summariser(None)


LEADS = ["The bridge reopened on Wednesday after eight months of repairs. Drivers cheered."]


def test_off_by_default_the_summary_is_extractive() -> None:
    assert summariser.get_summariser() is None
    assert summariser.summarise(headline="Bridge reopens", texts=LEADS, max_chars=300) == (
        "The bridge reopened on Wednesday after eight months of repairs."
    )


def test_a_model_answer_is_used_when_it_passes_the_checks(install) -> None:
    model = install(FakeModel("The river bridge is open again after months of repair work."))
    summary = summariser.summarise(headline="Bridge reopens", texts=LEADS, max_chars=300)
    assert summary == "The river bridge is open again after months of repair work." and model.calls


@pytest.mark.parametrize(
    "answer",
    [
        "<script>alert(1)</script>",
        "Sign up to our newsletter for more news like this.",
        "A sentence that goes on " + "and on " * 60 + "forever.",
        "One. Two. Three sentences is too many.",
        "no full stop at the end",
    ],
)
def test_a_bad_model_answer_falls_back_to_the_extractive_summary(install, answer: str) -> None:
    install(FakeModel(answer))
    summary = summariser.summarise(headline="Bridge reopens", texts=LEADS, max_chars=300)
    assert summary == "The bridge reopened on Wednesday after eight months of repairs."


def test_a_failing_model_does_not_stop_the_digest(install, caplog) -> None:
    class Broken:
        def summarise(self, **kwargs):
            raise RuntimeError("model crashed")

    install(Broken())
    assert summariser.summarise(headline="x", texts=LEADS, max_chars=300).startswith("The bridge")


def make_model() -> FakeModel:
    """A factory the setting can name, as an installed model package would provide."""
    return FakeModel("A model wrote this sentence about the bridge.")


def test_the_setting_names_a_factory_of_an_installed_package(settings, monkeypatch) -> None:
    monkeypatch.setitem(
        settings.CONFIG, "HEADLINES_SUMMARY_MODEL", "tests.stories.test_summariser:make_model"
    )
    summary = summariser.summarise(headline="Bridge reopens", texts=LEADS, max_chars=300)
    assert summary == "A model wrote this sentence about the bridge."


@pytest.mark.parametrize(
    "path", ["no-colon", "tests.stories.no_such_module:make", "tests.stories.test_summariser:nope"]
)
def test_a_bad_model_setting_is_a_clear_error(settings, monkeypatch, path: str) -> None:
    from headlines.core.errors import InvalidInput

    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SUMMARY_MODEL", path)
    with pytest.raises(InvalidInput, match="HEADLINES_SUMMARY_MODEL"):
        summariser.summarise(headline="x", texts=LEADS, max_chars=300)
