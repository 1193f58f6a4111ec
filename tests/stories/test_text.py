import pytest

from headlines.stories import text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (
            "Storm floods the coast as thousands flee | The Daily Example",
            "Storm floods the coast as thousands flee",
        ),
        ("Council approves new budget - Riverside Gazette", "Council approves new budget"),
        ("LIVE: Storm floods the coast - Weather - Example Times", "Storm floods the coast"),
        ("Markets rally &amp; bonds slip <b>today</b>", "Markets rally & bonds slip today"),
        (
            "Spider-Man - the return of a hero is closer than anyone thought",
            "Spider-Man - the return of a hero is closer than anyone thought",
        ),
    ],
)
def test_titles_lose_site_suffixes_and_markup(raw: str, clean: str) -> None:
    assert text.clean_title(raw) == clean


def test_a_title_written_from_the_lead_of_a_text_dump() -> None:
    lead = (
        "WASHINGTON (Wire) — The Senate passed a sweeping bill on Tuesday that would overhaul the "
        "nation's water pipes, lawmakers said after weeks of debate.\n\nMore followed later."
    )
    headline = text.headline_from_lead(lead)
    assert headline.startswith("The Senate passed a sweeping bill on Tuesday")
    assert len(headline) <= 100 and not headline.endswith(".")
    assert "WASHINGTON" not in headline


def test_summary_is_lead_based_whole_sentences_without_boilerplate_or_repeats() -> None:
    lead = (
        "The Senate passed a water bill on Tuesday after a long night of debate. "
        "Sign up for our newsletter to get the news first. "
        "The Senate on Tuesday passed the water bill after a long debate night. "
        "The vote was 68 to 31, and the House is expected to follow next week. "
        "A fourth sentence that should never be reached by the summary at all."
    )
    summary = text.summarise(headline="Senate passes water bill", leads=[lead], max_chars=320)
    assert summary == (
        "The Senate passed a water bill on Tuesday after a long night of debate. "
        "The vote was 68 to 31, and the House is expected to follow next week."
    )


def test_summary_respects_the_cap_and_ends_on_a_sentence() -> None:
    lead = "One short opening sentence about the event today. " + "Another " * 40 + "end."
    summary = text.summarise(headline="x", leads=[lead], max_chars=120)
    assert summary == "One short opening sentence about the event today."


def test_sentences_survive_abbreviations() -> None:
    assert text.sentences("Mr. Smith met U.S. officials on Monday. They agreed.") == [
        "Mr. Smith met U.S. officials on Monday.",
        "They agreed.",
    ]


def test_plain_drops_script_and_handlers() -> None:
    raw = '<script>alert(1)</script><img src=x onerror="alert(2)">Hello '
    raw += '<a href="javascript:x()">there</a>'
    assert text.plain(raw) == "Hello there"


@pytest.mark.parametrize(
    ("lead", "starts"),
    [
        ("CARLISLE, England (Harbour Wire) - Storm Imogen cut power to 40,000 homes.", "Storm"),
        ("WASHINGTON (Reuters) — The Fed held rates steady on Wednesday.", "The Fed"),
        ("LONDON, Nov 25 (Reuters) - Shares fell for a third day in London.", "Shares"),
        ("NEW YORK, N.Y. — Police said on Monday they had arrested a man.", "Police"),
        ("Paris (AFP) - Strikes spread across France on Tuesday.", "Strikes"),
        ("(AP) — A man was arrested after a chase through the city.", "A man"),
        ("BEIJING: China said on Monday it would lift the ban.", "China"),
    ],
)
def test_summaries_never_start_with_a_dateline_or_agency_credit(lead: str, starts: str) -> None:
    summary = text.summarise(headline="Something happened", leads=[lead], max_chars=320)
    assert summary.startswith(starts), summary


@pytest.mark.parametrize(
    "sentence",
    [
        "Biden - the president - said no to the plan today.",
        "NHS waiting list falls as clinics open on weekends.",
        "The Fed (the central bank) - held rates on Wednesday.",
    ],
)
def test_a_sentence_that_only_looks_like_a_dateline_keeps_its_subject(sentence: str) -> None:
    assert text.strip_dateline(sentence) == sentence


@pytest.mark.parametrize(
    "title",
    [
        "Where\u2019s the Outrage over the Harbour Deal?.",
        "Should the harbour board have voted?",
        "How the harbour board lost the fishermen",
        "Why the ferry terminal matters",
        "Here's what is in the harbour plan",
        "Opinion: The harbour board got it wrong",
        "\u201cAnalysis: a vote that changes Portwell",
    ],
)
def test_titles_that_ask_explain_or_argue(title: str) -> None:
    assert text.is_question_or_view(title)


@pytest.mark.parametrize(
    "title",
    [
        "Harbour board approves ferry terminal",
        "WHO warns of a new flu strain in Portwell",
        "Will Smith opens the Portwell ferry terminal",
        "Whatever happened, the board says it voted",
    ],
)
def test_titles_that_say_what_happened(title: str) -> None:
    assert not text.is_question_or_view(title)
