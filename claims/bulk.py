"""Fast bulk writes: COPY on PostgreSQL, chunked bulk_create elsewhere."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection, models


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
    columns = ", ".join(model._meta.get_field(name).column for name in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            if json_positions:
                row = list(row)
                for i in json_positions:
                    if row[i] is not None and not isinstance(row[i], str):
                        row[i] = json.dumps(row[i], ensure_ascii=False)
            copy.write_row(row)
    return len(rows)
