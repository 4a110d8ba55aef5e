"""Issue 22: one workflow machine, one money field.

The complaint and monthly-statement history tables are gone: their rows were copied into
`audit.StatusChange` by audit 0009, which this migration follows.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0015_own_payment_field_quota_pool"),
        ("audit", "0009_status_change"),
    ]

    operations = [
        migrations.DeleteModel(name="ComplaintTransition"),
        migrations.DeleteModel(name="StatementTransition"),
    ]
