"""Settlement files read right (issue 20): the code mapping (its national families are added
after every migrate, see claims.apps), the codes as sent and hifdm_pay kept on records,
settlement ids unique per contract, ignored columns listed on the batch, and the failed state.
The raw-CSV tables of the removed SQL parsing path are dropped if a crash left any."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def drop_raw_csv_tables(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname ~ '^medsupp_csv_[0-9]+$'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0015_own_payment_field_quota_pool'),
        ('contracts', '0003_evaluation'),
        ('insurance', '0005_plan_status_label'),
    ]

    operations = [
        migrations.CreateModel(
            name='CodeMapping',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('column', models.CharField(choices=[('med_type', '医疗类别 med_type'), ('insutype', '险种类型 insutype')], max_length=16, verbose_name='字段')),
                ('code', models.CharField(help_text='保险机构文件中出现的代码或名称', max_length=20, verbose_name='文件中的代码')),
                ('family', models.CharField(help_text='待遇方案中使用的类别代码，如 21（住院）', max_length=6, validators=[django.core.validators.RegexValidator('^[0-9A-Za-z]+$', '类别代码只能由字母和数字组成。')], verbose_name='归属类别')),
                ('label', models.CharField(blank=True, max_length=64, verbose_name='名称')),
            ],
            options={
                'verbose_name': '代码对照',
                'verbose_name_plural': '代码对照',
                'ordering': ['column', 'region', 'code'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='settlementrecord',
            name='claims_record_setl_id_uniq',
        ),
        migrations.AddField(
            model_name='settlementbatch',
            name='ignored_columns',
            field=models.JSONField(blank=True, default=list, verbose_name='已忽略的列'),
        ),
        migrations.AddField(
            model_name='settlementrecord',
            name='hifdm_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='伤残人员医疗保障基金支出'),
        ),
        migrations.AddField(
            model_name='settlementrecord',
            name='insutype_code',
            field=models.CharField(blank=True, max_length=20, verbose_name='险种类型（原代码）'),
        ),
        migrations.AddField(
            model_name='settlementrecord',
            name='med_type_code',
            field=models.CharField(blank=True, max_length=20, verbose_name='医疗类别（原代码）'),
        ),
        migrations.AddField(
            model_name='settlementstage',
            name='hifdm_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='hifdm_pay'),
        ),
        migrations.AddField(
            model_name='settlementstage',
            name='insutype_code',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name='settlementstage',
            name='med_type_code',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AlterField(
            model_name='settlementbatch',
            name='status',
            field=models.CharField(choices=[('received', '已接收'), ('validating', '校验中'), ('rejected', '已退回'), ('validated', '校验通过'), ('applied', '已入库'), ('failed', '处理失败')], default='received', max_length=16, verbose_name='状态'),
        ),
        migrations.AddConstraint(
            model_name='settlementrecord',
            constraint=models.UniqueConstraint(fields=('setl_id', 'contract'), name='claims_record_contract_setl_uniq'),
        ),
        migrations.AddField(
            model_name='codemapping',
            name='region',
            field=models.ForeignKey(blank=True, help_text='留空：全国通用', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='insurance.region', verbose_name='适用统筹区'),
        ),
        migrations.AddConstraint(
            model_name='codemapping',
            constraint=models.UniqueConstraint(fields=('column', 'region', 'code'), name='claims_codemapping_city_uniq'),
        ),
        migrations.AddConstraint(
            model_name='codemapping',
            constraint=models.UniqueConstraint(condition=models.Q(('region__isnull', True)), fields=('column', 'code'), name='claims_codemapping_national_uniq'),
        ),
        migrations.RunPython(drop_raw_csv_tables, migrations.RunPython.noop, elidable=False),
    ]
