"""The families of page furniture in intake.furniture, each with lines of several shapes, and
real article sentences that merely mention the same things, which must be kept."""

from __future__ import annotations

import pytest

from headlines.intake.extraction.extract import recover_paragraphs
from headlines.intake.scrubbing.rules import classify
from headlines.intake.scrubbing.scrub import scrub


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        # Newsletter promos: a label, not a sentence, or a free offer to the reader.
        ("Our free daily newsletter \u2013 every weekday morning at 7am GMT", "newsletter"),
        ("The Weekend Briefing: the week's best reads, every Saturday", "newsletter"),
        ("Get our free weekly email with the best of the Ledger.", "newsletter"),
        ("Morning Bulletin \u2014 the news you need before nine", "newsletter"),
        # Their small print.
        (
            "Privacy Notice: Newsletters may contain info about charities, online ads, and "
            "content funded by outside parties.",
            "newsletter",
        ),
        (
            "Data protection notice: we hold your details for as long as you stay on the list.",
            "newsletter",
        ),
        ("Our emails may include offers from carefully selected partners.", "newsletter"),
        # Promotion markers.
        ("after newsletter promotion", "promotion"),
        ("Skip past newsletter promotion", "promotion"),
        ("Story continues below advertisement", "promotion"),
        ("Advertisement - scroll to continue", "advert"),
        # Credit lines of every common shape.
        ("Photo: Lee Wong/Valley Press", "caption"),
        ("Photograph: Jane Doe", "caption"),
        ("(Lee Wong/Metro Wire)", "caption"),
        ("Image: Ana Ruiz via Harbour Images", "caption"),
        ("Illustration by Ana Ruiz", "caption"),
        ("Photo courtesy of the Harbour Trust", "caption"),
        ("Crowds outside the town hall on Monday (Photo by Jon Adeyemi / Harbour Wire)", "caption"),
        # Wire sign-offs and link text.
        ("Reporting by Anika Sato; Editing by Sam Whitlock", "byline"),
        ("Additional reporting by Tom Vale", "byline"),
        ("Purchase Licensing Rights, opens new tab", "prompt"),
        ("Find out more", "prompt"),
        # Teasers, and a sign-up form's small print said to the reader.
        ("Watch: the moment the bridge collapsed", "prompt"),
        ("Read more: The council voted to close the library.", "prompt"),
        ("By signing up you agree to our Terms of Use", "newsletter"),
        ("You can unsubscribe at any time.", "newsletter"),
        # The comment form under a post, follow calls, where the story appeared before, how to
        # reach its author, a publisher's reprint terms.
        ("Leave a Reply", "prompt"),
        ("4 Responses to \u201cOpen Enrollment in Full Swing\u201d", "prompt"),
        ("Post Comments (Atom)", "prompt"),
        ("Follow @harbourwire for breaking news and headlines.", "share"),
        ("Connect With Us on Twitter", "share"),
        (
            "A version of this article appears in print on July 24, 2012, on Page A1 of the "
            "New York edition with the headline: Storm Cuts Power.",
            "timestamp",
        ),
        ("Originally published at www.example.com on November 18, 2011.", "timestamp"),
        ("Write to Jane Doe at jane.doe@example.com", "byline"),
        (
            "Distribution and use of this material are governed by our Subscriber Agreement "
            "and by copyright law.",
            "copyright",
        ),
    ],
)
def test_furniture_families_are_recognised(line: str, reason: str) -> None:
    assert classify(line) == reason


@pytest.mark.parametrize(
    "line",
    [
        "The council's free weekly newsletter was scrapped in 2019 to save money.",
        "Residents learned of the closure from a newsletter sent by the housing association.",
        "The privacy law, passed in 2018, lets people ask companies to delete their data.",
        "The union said its newsletter had warned members about the cuts months ago.",
        "Photographer Jane Doe, who covered the floods for 20 years, said the water rose fast.",
        "A photograph of the mayor at the party was shared thousands of times on Monday.",
        "Illustrations by local children will hang in the new library from June.",
        "The club won promotion after a 2-0 win over Eastbrook on Saturday.",
        "Editing by hand took the team three weeks, the archivist said.",
        "The email that changed everything",
        "Newsletter row reaches the council chamber",
        "The report, which the paper published on Tuesday, runs to 400 pages.",
        # The words of teasers and sign-up small print in the article's own sentences.
        "Watch out - the storm will reach the coast by Friday, forecasters warned on Tuesday.",
        "Opinion polls - which had the two parties level - proved wrong on election night.",
        "Recommended dose: two tablets a day for adults, the agency advised in its guidance.",
        "By continuing the talks, both sides hope to avoid a strike that would close schools.",
        "He made his fortune by subscribing early to the fund, which returned 12% a year.",
        "Users could opt out by clicking a button in the settings menu, the regulator said.",
        "Customers can unsubscribe at any time, but critics say the option is hard to find.",
        "\u201cThank you for joining us,\u201d she told the crowd at the rally on Saturday.",
        # The same words in the article's own sentences and titles.
        "He left a comment on the post before deleting his account, the court heard.",
        "Follow the money, investigators said on Tuesday.",
        "A version of this story was told to me by my grandfather in 1970.",
        "The paper originally published the letter in 2011, the editor said.",
        "Reporters wrote to the minister at her office in March.",
        # A bracket or a bar inside a quoted title (a reference) is not a photo credit.
        'and other Films based on Time Loops (Malayalam/Mathrubhumi Report)"',
        '"Obituary of Tunde Johnson: Film Review | TIFF 2019"',
    ],
)
def test_articles_mentioning_the_same_things_are_kept(line: str) -> None:
    assert classify(line) is None
    kept, _ = scrub(["The council met on Monday to discuss the budget for next year.", line])
    assert kept[-1] == line


def test_a_teaser_without_a_full_stop_gives_back_the_sentence_glued_after_it() -> None:
    record = (
        "The council met on Monday to set the budget. Read more: Housing row deepens in "
        "Eastbrook The vote on the plan will be held next week after a long debate."
    )
    kept, removed = scrub(recover_paragraphs(record))
    assert kept == [
        "The council met on Monday to set the budget. "
        "The vote on the plan will be held next week after a long debate."
    ]
    assert ("prompt", "Read more: Housing row deepens in Eastbrook") in [
        (r.reason, r.text) for r in removed
    ]


def test_a_teaser_headline_with_a_question_mark_goes_whole() -> None:
    kept, _ = scrub(
        [
            "The probe reached the comet last month after a journey of four billion miles.",
            "Read more: How many steps a day? A new study has a number",
            "Scientists cheered in the control room as the first frame arrived.",
        ]
    )
    assert len(kept) == 2 and "study" not in " ".join(kept)


def test_a_credit_without_brackets_is_cut_from_the_sentence_glued_after_it() -> None:
    record = (
        "Fire crews worked through the night to contain a blaze at a warehouse. Eastbrook "
        "residents at the meeting on Tuesday Photo: Lee Wong/Valley Press Officials said the "
        "repairs would cost more than expected this year."
    )
    kept, removed = scrub(recover_paragraphs(record))
    assert kept == [
        "Fire crews worked through the night to contain a blaze at a warehouse. Officials "
        "said the repairs would cost more than expected this year."
    ]
    assert removed[0].reason == "caption"


def test_a_caption_ending_in_a_credit_goes_whole() -> None:
    kept, removed = scrub(
        [
            "Residents wade through floodwater on Bridge Street. Photograph: Jane Doe/Metro Wire",
            "The river burst its banks shortly after 3am, residents said.",
        ]
    )
    assert kept == ["The river burst its banks shortly after 3am, residents said."]
    assert removed[0].reason == "caption"


def test_menus_and_lists_of_other_stories_go_but_a_crosshead_stays() -> None:
    story = [
        "World",
        "Business",
        "Sport",
        "The Federal Reserve held its rate on Wednesday, officials said.",
        "A turning point",
        "Stocks rose after the announcement and the dollar weakened.",
        "Storm cuts power to 40,000 homes in northern England",
        "Train drivers accept pay offer, ending 14-month dispute",
    ]
    kept, removed = scrub(story)
    assert kept == [story[3], story[4], story[5]]
    assert {r.reason for r in removed} == {"navigation", "related"}


def test_a_list_of_key_points_inside_the_story_stays() -> None:
    story = [
        "Storm Imogen brought winds of up to 84mph to north-west England overnight, police said.",
        "More than 40,000 homes without power",
        "Two care homes evacuated in Cumbria",
        "West Coast main line closed between Preston and Carlisle",
        "The Met Office said the worst of the wind would ease by the afternoon.",
    ]
    kept, _ = scrub(story)
    assert kept == story


@pytest.mark.parametrize(
    "tagline",
    [
        "Metro Wire is an independent news agency serving the region since 1987.",
        "The Valley Press is owned by its readers. Support local journalism today.",
        "Dale Times is a not-for-profit newsroom. Donate today.",
        "Northern Star is part of the Star Media group.",
        "Harbour Post journalism is funded by subscribers like you.",
        "The County Echo has covered the county since 1881.",
        "Got a story? Email the Lantern newsdesk.",
    ],
)
def test_a_closing_tagline_goes_the_first_time_it_is_seen(tagline: str) -> None:
    story = "A fourth story happened in the town on Monday, police said, and more may follow."
    kept, removed = scrub(["The council met on Monday to set the budget.", story, tagline])
    assert kept[-1] == story
    assert {r.reason for r in removed} == {"tagline"}


@pytest.mark.parametrize(
    "last",
    [
        "The Valley Press is owned by its readers, the regulator said in its ruling.",
        "Mr Smith has served the town since 1990.",
        "The Mill has been closed since 1998.",
        "The Harbour Trust is funded by the council and two local charities.",
        "Have your say at the public meeting on Thursday.",
    ],
)
def test_a_closing_sentence_that_is_news_is_not_a_tagline(last: str) -> None:
    kept, _ = scrub(["The regulator ruled on Monday after a year-long inquiry.", last])
    assert kept[-1] == last
