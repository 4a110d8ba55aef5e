"""Fast bulk writes (COPY on PostgreSQL, chunked bulk_create elsewhere) and reads of id sets."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from django.db import connection, models

COPY_NULL = "\\N"  # NULL in COPY's text format


class AnyOf(models.Func):
    """`.filter(AnyOf("person_id", ids))`: the field is one of `ids`. On PostgreSQL the ids go as
    one array parameter (`= ANY(%s)`): an `__in` of thousands of ids costs Django and the driver
    a placeholder each, which was a fifth of a compute chunk's time. Elsewhere, IN."""

    output_field = models.BooleanField()

    def __init__(self, field: str, ids: Iterable[int]):
        super().__init__(models.F(field))
        self.ids = [int(i) for i in ids]

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        if not self.ids:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", [*params, self.ids]
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", [*params, *self.ids]


def copy_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]) -> int:
    """Insert `rows` (tuples in `fields` order) in one go.

    A JSON field's value may be a Python value or, when it is a `str`, JSON text already made
    (the bulk compute path serialises explanations itself); None is SQL NULL.
    """
    if not rows:
        return 0
    json_positions = [
        i
        for i, name in enumerate(fields)
        if isinstance(model._meta.get_field(name), models.JSONField)
    ]
    if connection.vendor != "postgresql":
        objects = []
        for row in rows:
            values = dict(zip(fields, row, strict=True))
            for i in json_positions:
                if isinstance(row[i], str):
                    values[fields[i]] = json.loads(row[i])
            objects.append(model(**values))
        model.objects.bulk_create(objects, batch_size=2000)
        return len(rows)
    with connection.cursor() as cursor, cursor.cursor.copy(_copy_sql(model, fields)) as copy:
        for row in rows:
            if json_positions:
                row = list(row)
                for i in json_positions:
                    if row[i] is not None and not isinstance(row[i], str):
                        row[i] = json.dumps(row[i], ensure_ascii=False)
            copy.write_row(row)
    return len(rows)


def copy_escape(text: str) -> str:
    """A text value in COPY's text format: backslash, tab, newline and carriage return escaped."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t")
        return text.replace("\n", "\\n").replace("\r", "\\r")
    return text


def copy_lines(model: type[models.Model], fields: Sequence[str], lines: Iterable[str]) -> None:
    """COPY rows already written in PostgreSQL's text format (tab between values, `\\N` for
    NULL, each line ending in a newline), in `fields` order: for callers that know their
    values' types, which formats them far quicker than a driver's per-value dispatch."""
    with connection.cursor() as cursor, cursor.cursor.copy(_copy_sql(model, fields)) as copy:
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= 5000:
                copy.write("".join(batch))
                batch = []
        if batch:
            copy.write("".join(batch))


def _copy_sql(model: type[models.Model], fields: Sequence[str]) -> str:
    columns = ", ".join(model._meta.get_field(name).column for name in fields)
    return f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
