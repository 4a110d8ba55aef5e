"""`python manage.py rotate_data_keys`: re-encrypt every encrypted field with the current key.

Put the new key first in MEDSUPP_DATA_KEYS (keep the old ones after it), run this, then drop the
old keys. Works through every model with an `EncryptedTextField`, in primary-key chunks, one
transaction per chunk; values already under the current key are left alone, so a re-run (or a
run interrupted half-way) is harmless. One audit entry (`key_rotation`) records the counts.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from audit import crypto, events
from audit.choices import AuditAction
from audit.fields import EncryptedTextField


def encrypted_models():
    for model in apps.get_models():
        columns = [
            f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if columns and not model._meta.proxy and model._meta.managed:
            yield model, columns


def rotate_model(model, columns: list[str], *, chunk: int = 5000) -> int:
    """Re-encrypt stale values of one model; returns the number of rows rewritten."""
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    cols = ", ".join(qn(c) for c in columns)
    # Names come from model metadata and are quoted; values are parameters.
    select = f"SELECT {pk}, {cols} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s"  # noqa: S608
    update = f"UPDATE {table} SET {', '.join(f'{qn(c)} = %s' for c in columns)} WHERE {pk} = %s"  # noqa: S608
    current = crypto.current_version()
    last, rewritten = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(select, [last, chunk])
            rows = cursor.fetchall()
            if not rows:
                return rewritten
            changes = []
            for row_pk, *values in rows:
                stale = any(
                    crypto.is_encrypted(v) and crypto.key_version(v) != current for v in values
                )
                if stale:
                    fresh = [
                        crypto.reencrypt(v) or v if crypto.is_encrypted(v) else v for v in values
                    ]
                    changes.append([*fresh, row_pk])
            if changes:
                cursor.executemany(update, changes)
                rewritten += len(changes)
            last = rows[-1][0]


class Command(BaseCommand):
    help = "用当前密钥重新加密全部个人信息字段（可重复运行） / re-encrypt personal data"

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=5000)

    def handle(self, *args, **options):
        current = crypto.current_version()
        counts = {}
        for model, columns in encrypted_models():
            counts[model._meta.label_lower] = rotate_model(model, columns, chunk=options["chunk"])
            self.stdout.write(f"{model._meta.label}: {counts[model._meta.label_lower]}")
        events.record(
            action=AuditAction.KEY_ROTATION,
            summary=f"个人信息密钥轮换至版本 {current}，重新加密 {sum(counts.values())} 行",
            extra={"key_version": current, "rows": counts},
        )
        self.stdout.write(self.style.SUCCESS(f"key version {current}: {sum(counts.values())} rows"))
