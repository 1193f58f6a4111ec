from hypothesis import given, settings
from hypothesis import strategies as st

from headlines.stories import language
from headlines.stories.copies import COPY_MIN_WORDS, COPY_SHARE, copy_roots, duplicate_roots
from headlines.stories.parts import Doc


def test_copies_of_a_headline_are_one_headline() -> None:
    copies = [
        Doc("Storm Imogen cuts power to 40,000 homes in Harwick", ""),
        Doc("Storm Imogen cuts power to 40,000 homes in Harwick - Reuters", ""),
        Doc("Storm Imogen cuts power to 40,000 homes in Harwick", "", duplicate_of=0),
        Doc("Storm Imogen cuts power to 40,000 homes in Harwick (AP)", ""),
        Doc("storm imogen cuts power to 40,000 homes in harwick.", ""),
    ]
    others = [
        # A number or a place of nine words another: another event, not a copy.
        Doc("Storm Imogen cuts power to 50,000 homes in Harwick", ""),
        Doc("Storm Imogen cuts power to 40,000 homes in Pinewick", ""),
        # Small words count: to take on is not to uphold.
        Doc("Supreme Court upholds Trump travel ban", ""),
        Doc("Supreme Court to take on Trump travel ban", ""),
        # A report with text is compared on it, however alike its title.
        Doc("Storm Imogen cuts power to 40,000 homes in Harwick", "Crews worked overnight."),
        Doc("Storm warning", ""),  # too few words to call anything a copy of it
        Doc("Storm warning", ""),
    ]
    docs = copies + others
    roots = copy_roots(docs, duplicate_roots(docs))
    assert roots[: len(copies)] == [0] * len(copies)
    assert roots[len(copies) :] == list(range(len(copies), len(docs)))


def test_a_copy_goes_to_the_first_headline_it_copies_never_along_a_chain() -> None:
    # Each a word from the next: the first and the third share too little to be one headline.
    chain = [
        Doc("Council votes to close the old library on Main Street after a long debate", ""),
        Doc("Council votes to close the old library on Main Street after a short debate", ""),
        Doc("Council votes to close the old pool on Main Street after a short debate", ""),
    ]
    roots = copy_roots(chain, duplicate_roots(chain))
    assert roots == [0, 0, 2]


COPY_WORDS = ("storm", "harwick", "power", "40,000", "homes", "cut", "the", "to", "in", "ap")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(COPY_WORDS), min_size=3, max_size=9),
        min_size=2,
        max_size=12,
    )
)
def test_copies_are_found_as_comparing_every_pair_would(headlines: list[list[str]]) -> None:
    docs = [Doc(" ".join(words), "") for words in headlines]
    found = copy_roots(docs, list(range(len(docs))))
    # Every pair compared, by the rule itself (the same words' sets as the function reads).
    sets = [set(language.all_words(d.title)) for d in docs]
    copies = sorted(
        (i, j)
        for i in range(len(docs))
        for j in range(i + 1, len(docs))
        if min(len(sets[i]), len(sets[j])) >= COPY_MIN_WORDS
        and len(sets[i] & sets[j]) >= COPY_SHARE * len(sets[i] | sets[j]) - 1e-9
        and {w for w in sets[i] if w[0].isdigit()} == {w for w in sets[j] if w[0].isdigit()}
    )
    leader = list(range(len(docs)))
    for first, copy in copies:
        if leader[first] == first and leader[copy] == copy:
            leader[copy] = first
    assert found == leader
