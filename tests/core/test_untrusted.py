from headlines.core.untrusted import mac_matches, plain_digits


def test_a_mac_read_from_outside_is_compared_without_raising() -> None:
    assert mac_matches("abc123", "abc123")
    assert not mac_matches("abc124", "abc123")
    assert not mac_matches("\u00e9bc123", "abc123")  # compare_digest raises TypeError on it
    assert not mac_matches("", "abc123")


def test_only_the_digits_int_reads_are_digits() -> None:
    assert plain_digits("0123456789")
    for value in ["", "12a", "\u00b2", "\u0663", "1\u00b9", " 1", "-1", "1.5"]:
        assert not plain_digits(value), value


def test_a_row_id_is_plain_digits_a_bigint_holds() -> None:
    from headlines.core.untrusted import plain_id

    assert plain_id("1") and plain_id("9" * 18)
    for value in ["", "9" * 19, "9" * 5000, "\u00b2", "-1", "1.0"]:
        assert not plain_id(value), value[:20]
