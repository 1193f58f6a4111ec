from headlines.core.storable import storable


def test_what_no_database_stores_is_taken_out() -> None:
    assert storable("Fer\x00ry \x00returns") == "Ferry returns"
    assert storable("half \ud800 a pair") == "half \ufffd a pair"
    assert storable("\udfff") == "\ufffd"
    storable("a\ud83d\ude00b").encode("utf-8")  # even two halves written apart
    # Everything else is kept as it was.
    for text in ["", "plain ASCII", "Zürich 東京 😀", "tab\tand\nline", "\x01\x1b"]:
        assert storable(text) == text
