"""Fast bulk writes: COPY on PostgreSQL, chunked bulk_create elsewhere."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection, models


def copy_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]) -> int:
    """Insert `rows` (tuples in `fields` order; JSON fields as Python values) in one go."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=2000
        )
        return len(rows)
    json_positions = [
        i
        for i, name in enumerate(fields)
        if isinstance(model._meta.get_field(name), models.JSONField)
    ]
    columns = ", ".join(model._meta.get_field(name).column for name in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            if json_positions:
                row = list(row)
                for i in json_positions:
                    row[i] = json.dumps(row[i], ensure_ascii=False)
            copy.write_row(row)
    return len(rows)
