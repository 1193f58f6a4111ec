from headlines.core.windowed import lock_keys


def test_every_keys_lock_is_taken_in_one_statement_in_the_order_given() -> None:
    class Cursor:
        def __init__(self) -> None:
            self.ran: list[tuple[str, list[str]]] = []

        def execute(self, sql: str, params: list[str]) -> None:
            self.ran.append((sql, params))

    cursor = Cursor()
    lock_keys(cursor, ["address:a", "ip:b"])
    assert cursor.ran == [
        (
            "SELECT pg_advisory_xact_lock(hashtext(%s)), pg_advisory_xact_lock(hashtext(%s))",
            ["address:a", "ip:b"],
        )
    ]
