"""The staging table keeps one index: setl_id is checked unique while the file is read
(fastcsv.py) and by hash joins elsewhere, and the index slowed every staged row."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0013_stage_record_id'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='settlementstage',
            name='claims_stage_setl_idx',
        ),
    ]
