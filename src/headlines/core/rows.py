"""Single-row reads and writes for the hot paths, with statements built once per model.

The sign-up path runs a handful of simple statements per request. Through the ORM, building each
one (the compiler, the converters, the model iterator) cost several times the CPU SQLite spends
answering it (docs/benchmarks.md, "Sign-ups under a spike"). These helpers keep the ORM's
semantics where they matter: every concrete field is written through its own `pre_save` and
`get_db_prep_save` (so defaults, `auto_now_add` from the project's clock, JSON and time zones
behave exactly as `Model.objects.create`), and rows read come back through the database
backend's and the fields' own converters, as `Model.from_db` instances.

`PreparedInsert` splits an insert in two: the row's values are computed before a write
transaction and only the statement runs inside it (on SQLite that transaction holds the
database's one write lock, so the less Python runs there, the less every other writer waits).

What they do not do: send `pre_save` / `post_save` signals (none are connected in this project)
or call a model's `save()` override. Use them only on models where that is true; `row_insert`
refuses a model whose `save()` is overridden unless the caller says the override only guards
updates (`append_only=True`, as ConsentEvent's does).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

M = TypeVar("M", bound=models.Model)

# Per model and database: the INSERT, its fields in order, and each field's slot by attname.
_INSERTS: dict[tuple[type[models.Model], str], tuple[str, list[Any], dict[str, int]]] = {}
_SELECTS: dict[tuple[type[models.Model], str], tuple[str, list[str], list[Any]]] = {}


def _insert_statement(model: type[models.Model]) -> tuple[str, list[Any], dict[str, int]]:
    key = (model, connection.vendor)
    found = _INSERTS.get(key)
    if found is None:
        meta = model._meta
        if meta.parents:
            raise TypeError(f"row_insert: {model.__name__} inherits from another model")
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(str(f.column)) for f in fields)
        found = _INSERTS[key] = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(str(meta.pk.column))}",
            fields,
            {f.attname: i for i, f in enumerate(fields)},
        )
    return found


class PreparedInsert(Generic[M]):
    """A new row's INSERT with its values computed ahead, so that inside a write transaction
    only the statement runs (on SQLite the transaction holds the database's one write lock).

    `run(**values)` fills in what is known only inside the transaction, by attribute name (a
    foreign key's `*_id` of a row written there), in the database's own form (ids, text), and
    sets them on the instance too."""

    def __init__(self, obj: M, *, append_only: bool = False) -> None:
        model = type(obj)
        if obj.pk is not None or not obj._state.adding:
            raise ValueError(f"row_insert: {model.__name__} instance is not new")
        if model.save is not models.Model.save and not append_only:
            raise TypeError(f"row_insert: {model.__name__} overrides save()")
        self.obj = obj
        self.sql, fields, self._slots = _insert_statement(model)
        # The connection itself, not Django's proxy of it: every field asks it for its backend's
        # operations, and through the proxy each ask is a thread-local lookup.
        db = connections[DEFAULT_DB_ALIAS]
        self.params = [f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields]

    def run(self, **values: Any) -> M:
        obj = self.obj
        for name, value in values.items():
            self.params[self._slots[name]] = value
            setattr(obj, name, value)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            obj.pk = cursor.fetchone()[0]
        obj._state.adding = False
        obj._state.db = connection.alias
        return obj


def row_insert(obj: M, *, append_only: bool = False) -> M:
    """INSERT `obj` (a new instance) in the current transaction and set its primary key."""
    return PreparedInsert(obj, append_only=append_only).run()


def _select_statement(model: type[models.Model]) -> tuple[str, list[str], list[Any]]:
    key = (model, connection.vendor)
    found = _SELECTS.get(key)
    if found is None:
        meta = model._meta
        fields = list(meta.concrete_fields)
        quote = connection.ops.quote_name
        conversions = []  # (column index, converter, the column as an expression)
        for i, field in enumerate(fields):
            column = field.get_col(meta.db_table)
            # As the ORM's compiler does: the backend's converters, then the field's own.
            converters = connection.ops.get_db_converters(column)
            converters += column.get_db_converters(connection)
            conversions += [(i, convert, column) for convert in converters]
        found = _SELECTS[key] = (
            f"SELECT {', '.join(quote(str(f.column)) for f in fields)} FROM {quote(meta.db_table)}",
            [f.attname for f in fields],
            conversions,
        )
    return found


def rows_select(model: type[M], where: str, params: Sequence[Any]) -> list[M]:
    """The rows of `model` matching `where` (SQL after WHERE, with %s placeholders), as model
    instances: `SELECT <every concrete column> FROM <table> WHERE <where>`."""
    sql, names, conversions = _select_statement(model)
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: see PreparedInsert
    with db.cursor() as cursor:
        cursor.execute(f"{sql} WHERE {where}", list(params))
        rows = cursor.fetchall()
    found = []
    for row in rows:
        values = list(row)
        for i, convert, column in conversions:
            values[i] = convert(values[i], column, db)
        found.append(model.from_db(db.alias, names, values))
    return found
