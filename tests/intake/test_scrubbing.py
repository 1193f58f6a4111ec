import pytest

from headlines.intake.scrubbing.scrub import classify, scrub


class Memory:
    def __init__(self, threshold: int = 3) -> None:
        self.counts: dict[str, int] = {}
        self.threshold = threshold

    def prefetch(self, keys: object) -> None:
        return None

    def is_repeated(self, key: str) -> bool:
        return self.counts.get(key, 0) >= self.threshold

    def record(self, keys: object, examples: object) -> None:
        for key in keys:  # type: ignore[attr-defined]
            self.counts[key] = self.counts.get(key, 0) + 1


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Sign up for The Lantern's evening email", "newsletter"),
        ("Thanks for signing up!", "newsletter"),
        ("Please enter a valid email address.", "newsletter"),
        ("We value your privacy. Read our cookie policy.", "consent"),
        ("Read more", "prompt"),
        ("RELATED: Mayor faces recall vote", "prompt"),
        ("Share on Facebook Share on WhatsApp", "share"),
        ("Crowds gather outside the court (Lee Wong/Valley Press)", "caption"),
        ("Picture: Harbour Trust", "caption"),
        ("Advertisement", "prompt"),
    ],
)
def test_furniture_is_recognised(line: str, reason: str) -> None:
    assert classify(line) == reason


@pytest.mark.parametrize(
    "line",
    [
        "The regulator said the company's privacy policy broke consumer law on two counts.",
        "Subscribers to the water company will see bills rise by 8% from April, it said.",
        "The mayor shared the plan at a meeting on Monday evening with local residents.",
        "He told reporters the cookie factory would close in June after 80 years.",
    ],
)
def test_news_about_the_same_words_stays(line: str) -> None:
    assert classify(line) is None


def test_lines_a_source_repeats_are_learned() -> None:
    memory = Memory()
    # No general rule knows this line; only its repetition under every story gives it away.
    tagline = "All times are local unless stated otherwise in the story."
    for n in range(3):
        kept, _ = scrub(
            [f"Story number {n} happened in the town today, police said.", tagline], memory
        )
        assert tagline in kept
    story = "A fourth story happened in the town on Monday, police said, and more may follow."
    kept, removed = scrub([story, tagline], memory)
    assert tagline not in kept
    assert removed[-1].reason == "repeated"


def test_learning_never_eats_the_story() -> None:
    memory = Memory(threshold=1)
    wire = ["The company did not respond to a request for comment.", "Shares fell 3% on Monday."]
    scrub(wire, memory)
    kept, _ = scrub(wire, memory)
    assert kept == wire
