"""How a story's headline is chosen from its articles' titles (`assembly.write`)."""

import datetime as dt

import pytest
from scipy.sparse import csr_matrix

from headlines.stories import assembly

WHEN = dt.datetime(2026, 11, 25, 17, 0, tzinfo=dt.UTC)


def row(n: int, title: str, text: str, *, duplicate_of: int | None = None) -> assembly.Row:
    return assembly.Row(
        id=n,
        title=title,
        text=text,
        source_id=n,
        source_name=f"Outlet {n}",
        source_weight=1.0,
        language="en",
        when=WHEN,
        duplicate_of_id=duplicate_of,
        url="",
        image_url="",
    )


def written(*rows: assembly.Row) -> assembly.Draft:
    draft = assembly.Draft(members=list(rows), centroid=csr_matrix((1, 1)))
    assembly.write(draft, max_chars=320)
    return draft


ANGLE = row(
    1,
    "Harbour board's gamble leaves fishermen fuming over lost berths",
    "Fishermen in Portwell said on Tuesday they felt betrayed by the harbour board.",
)
PLAIN = row(
    2,
    "Portwell harbour board approves new ferry terminal",
    "The Portwell harbour board approved a new ferry terminal on Tuesday after a long debate.",
)
THIRD = row(
    3,
    "Ferry terminal approved for Portwell harbour",
    "Members of the harbour board voted seven to two for the ferry terminal in Portwell.",
)


def test_the_headline_is_the_title_the_other_outlets_agree_with() -> None:
    # The best-ranked article comes first, but its title is its own angle; all of the third's
    # title is in the second's title and lead, two of the second's words are not in the third's.
    assert written(ANGLE, PLAIN, THIRD).headline == THIRD.title


def test_outlets_agree_on_a_word_in_any_of_its_forms() -> None:
    first = row(1, "Portwell council approves ferries", "Councillors met in Portwell.")
    second = row(
        2, "Ferry approved by Portwell council", "The council approved a ferry for Portwell."
    )
    third = row(
        3,
        "Portwell council meeting ends in uproar",
        "The Portwell council approved the ferry after a loud meeting.",
    )
    # Word for word, the second's title is said most by the others ("approves" is not
    # "approved", "ferries" not "ferry"); by stem the first's is said as much, and it ranks first.
    assert written(first, second, third).headline == first.title


def test_a_question_or_a_view_is_not_the_headline_when_another_title_will_do() -> None:
    question = row(
        4,
        "Why did the harbour board approve a new ferry terminal?",
        "The Portwell harbour board approved a new ferry terminal on Tuesday.",
    )
    opinion = row(
        5,
        "Opinion: The Portwell harbour board approves a ferry terminal",
        "The harbour board approved a new ferry terminal in Portwell on Tuesday.",
    )
    assert written(question, opinion, ANGLE).headline == ANGLE.title
    assert written(question).headline == question.title  # nothing else to say it


def test_a_syndicated_copy_is_not_a_second_outlet_agreeing() -> None:
    copy = row(6, ANGLE.title, ANGLE.text, duplicate_of=ANGLE.id)
    # Counted as an outlet agreeing, the copy would make the angle the headline.
    assert written(ANGLE, copy, PLAIN, THIRD).headline == THIRD.title
    # Nor is it a third outlet: two outlets, so the better-ranked keeps its title.
    assert written(ANGLE, copy, THIRD).headline == ANGLE.title


def test_with_two_outlets_the_better_ranked_keeps_its_title_and_lead() -> None:
    """No consensus in one other voice: the edition's own outlet, ranked first, tells it."""
    ours = row(
        40,
        "Storm in Britain delays transatlantic flights from New York and Boston",
        "Dozens of flights between the East Coast and northern Britain were delayed on Tuesday "
        "as Storm Imogen brought gusts and flooding to England's north-west.",
    )
    agency = row(
        41,
        "Storm Imogen cuts power to 40,000 homes in northern England",
        "Storm Imogen cut power to 40,000 homes in northern England on Tuesday and delayed "
        "flights to New York and Boston.",
    )
    story = written(ours, agency)
    assert story.headline == ours.title
    assert story.summary.startswith("Dozens of flights between the East Coast")
    assert written(agency, ours).headline == agency.title


def test_ties_go_to_the_better_ranked_article_and_one_article_keeps_its_title() -> None:
    one = row(
        10,
        "Portwell board approves ferry terminal",
        "The Portwell board approved a ferry terminal on Tuesday.",
    )
    other = row(
        11,
        "Ferry terminal approved by Portwell board",
        "The Portwell board approves the ferry terminal, officials said on Tuesday.",
    )
    assert written(one, other).headline == one.title
    assert written(other, one).headline == other.title
    assert written(ANGLE).headline == ANGLE.title


def test_short_or_shouting_titles_give_way_and_an_untitled_story_is_titled_from_its_lead() -> None:
    short = row(7, "Ferry vote", PLAIN.text)
    shouting = row(8, "PORTWELL HARBOUR BOARD APPROVES FERRY TERMINAL", PLAIN.text)
    assert written(short, shouting, THIRD).headline == THIRD.title
    untitled = written(row(9, "", PLAIN.text))
    assert untitled.headline.startswith("The Portwell harbour board approved a new ferry terminal")


def test_a_title_that_will_do_is_found_below_the_best_members() -> None:
    untitled = [
        row(20 + n, "", f"Paragraph {n} of a text dump about the ferry vote.") for n in range(9)
    ]
    assert written(*untitled, THIRD).headline == THIRD.title


def test_the_summary_starts_from_the_lead_the_other_outlets_agree_with() -> None:
    angle = row(
        30,
        "Fishermen fume at harbour board",
        "Fishermen in Portwell said they felt betrayed by a decision taken behind closed doors.",
    )
    agreed = row(
        31,
        "Ferry terminal approved",
        "The Portwell harbour board approved a new ferry terminal on Tuesday, seven votes to two.",
    )
    third = row(
        32,
        "Portwell votes for ferry terminal",
        "Portwell's harbour board voted seven to two on Tuesday for a new ferry terminal.",
    )
    assert written(angle, agreed, third).summary.startswith("The Portwell harbour board approved")
    assert written(angle).summary.startswith("Fishermen in Portwell said")


def test_a_japanese_story_gets_a_summary_from_its_lead() -> None:
    from tests.stories.test_text import JAPANESE_LEAD

    title = (
        "\u6e2f\u6e7e\u5c40\u3001\u30d5\u30a7\u30ea\u30fc"
        "\u30bf\u30fc\u30df\u30ca\u30eb\u3092\u627f\u8a8d"
    )
    draft = written(row(1, title, JAPANESE_LEAD), row(2, title, JAPANESE_LEAD))
    assert draft.headline == title
    # Before sentences ended at U+3002, a Japanese lead gave no usable sentence: no summary.
    assert draft.summary.startswith(JAPANESE_LEAD[:10]) and draft.summary.endswith("\u3002")


def test_a_short_chinese_title_is_weighed_like_a_latin_one_of_the_same_content() -> None:
    # 12 characters say what ~24 Latin ones do: not "too short", so the question is passed over.
    question = row(1, "\u6e21\u8f6e\u7801\u5934\u6269\u5efa\u503c\u5f97\u5417\uff1f", "x")
    plain = row(2, "\u6e2f\u53e3\u5c06\u5728\u660e\u5e74\u6269\u5efa\u6e21\u8f6e\u7801\u5934", "y")
    assert written(question, plain).headline == plain.title


def test_a_timestamp_taken_for_a_title_is_never_the_headline() -> None:
    # Dumps and pages whose first line is their timestamp (as real text collections have).
    for stamp in (
        "Posted 11 / 27 / 2005 7: 21 AM",
        "18 September 2013 Last updated at 13: 59 GMT",
        "Tuesday, March 3, 2026 10:45 a.m. EST",
        "2026-11-25T17:00:00Z",
    ):
        alone = written(row(9, stamp, PLAIN.text))
        assert alone.headline.startswith("The Portwell harbour board approved"), stamp
        assert written(row(9, stamp, PLAIN.text), THIRD).headline == THIRD.title, stamp


def test_a_title_left_hanging_gives_way_to_one_that_says_what_happened() -> None:
    for hanging in (
        "Sports news in brief from around the world:",
        "March 14, 2013 - UNITED STATES -",
    ):
        assert written(row(9, hanging, PLAIN.text), THIRD).headline == THIRD.title, hanging
        assert written(row(9, hanging, PLAIN.text)).headline == hanging  # nothing better


def test_a_headline_with_a_date_in_it_is_still_a_headline() -> None:
    for title in (
        "Portwell ferry terminal to open on 3 March 2027",
        "Storm on Monday: 40,000 homes without power at 7 pm",
        "March 14 earthquake shakes North Bay",
    ):
        assert written(row(9, title, PLAIN.text)).headline == title


def test_a_headline_loses_the_full_stop_its_title_ended_with() -> None:
    only = row(
        6,
        "Portwell harbour board approves new ferry terminal.",
        "The Portwell harbour board approved a new ferry terminal on Tuesday after a debate.",
    )
    assert written(only).headline == "Portwell harbour board approves new ferry terminal"


def test_a_teaser_that_keeps_its_point_back_gives_way() -> None:
    teaser = row(
        7,
        "And the new ferry terminal for Portwell harbour goes to....",
        "The Portwell harbour board approved a new ferry terminal on Tuesday after a debate.",
    )
    plain = row(
        8,
        "Portwell harbour board approves new ferry terminal.",
        "Members of the harbour board voted seven to two for the ferry terminal in Portwell.",
    )
    assert written(teaser, plain).headline == "Portwell harbour board approves new ferry terminal"


def test_a_title_cut_short_in_a_quotation_gives_way() -> None:
    cut = row(
        9,
        "Harbour chair: I can defend the ferry from the board\u2019s \u201cwar on boats",
        "The Portwell harbour chair said on Tuesday she would defend the ferry from the board.",
    )
    whole = row(
        10,
        "Harbour chair vows to defend the ferry from the board",
        "The harbour chair of Portwell made the vow on Tuesday at a meeting on the quay.",
    )
    assert written(cut, whole).headline == whole.title


@pytest.mark.parametrize("marks", [".", "...", "\u2026", " ? ", "-"])
def test_a_title_of_marks_alone_gives_way_to_the_lead(marks: str) -> None:
    dots = row(
        11,
        marks,
        "The Portwell harbour board approved a new ferry terminal on Tuesday after a debate.",
    )
    headline = written(dots).headline
    assert headline.startswith("The Portwell harbour board approved a new ferry terminal")
    assert not headline.endswith(".")


def test_a_drafts_centroid_is_the_unit_mean_of_its_members_and_holds_only_their_words() -> None:
    # A day of 20,000 stories over a vocabulary of 30,000 words held a dense centroid each:
    # 4.9 GB. Each holds the words its members use, and is their mean at unit length.
    import numpy as np

    rng = np.random.default_rng(7)
    width = 30_000
    dense = np.zeros((6, width))
    for k in range(6):
        dense[k, rng.choice(width, size=12, replace=False)] = rng.random(12)
    matrix = csr_matrix(dense / np.linalg.norm(dense, axis=1, keepdims=True))
    rows = [row(n, f"Title {n}", "Text.") for n in range(6)]
    drafts = assembly.drafts_from(rows, [0, 0, 0, 1, 1, 2], matrix)
    assert [sorted(r.id for r in d.members) for d in drafts] == [[0, 1, 2], [3, 4], [5]]
    for draft in drafts:
        ids = [r.id for r in draft.members]
        expected = matrix[ids].toarray().mean(axis=0)
        expected /= np.linalg.norm(expected)
        assert draft.centroid.shape == (1, width)
        words = np.count_nonzero(dense[ids].any(axis=0))
        assert draft.centroid.nnz == words  # its members' words, no others
        np.testing.assert_allclose(draft.centroid.toarray().ravel(), expected, rtol=1e-6)
    together = assembly.centroids(drafts, matrix, {r.id: r.id for r in rows})
    assert together.shape == (3, width) and together.nnz == sum(d.centroid.nnz for d in drafts)
