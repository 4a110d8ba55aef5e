"""Issue #18: the plan declares which settlement field carries the scheme's own payment, so the
per-contract `SupervisionConfig.paid_field` goes; the company scheme's common pool of unused
personal quotas (QuotaPoolEntry, R-ENT-2/3). A stored plan document without the declaration
gets the field its contracts were reconciled on (the most common among them), else the former
default of its schemes' kind (城乡居民大病 hifmi_pay, 企业补充 hifes_pay, others oth_pay), else
(no scheme uses it) the field the shipped document of its code declares, else oth_pay."""

from collections import Counter

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

KIND_DEFAULTS = {"resident_critical": "hifmi_pay", "enterprise_supp": "hifes_pay"}


def declare_own_payment_fields(apps, schema_editor):
    from insurance.engine import PlanError, parse_plan, render_plan
    from insurance.plans import load_shipped_plans

    shipped = {code: doc["own_payment_field"] for code, doc in load_shipped_plans().items()}

    BenefitPlan = apps.get_model("insurance", "BenefitPlan")
    SchemeYear = apps.get_model("insurance", "SchemeYear")
    Scheme = apps.get_model("insurance", "Scheme")
    SupervisionConfig = apps.get_model("claims", "SupervisionConfig")
    for plan in BenefitPlan.objects.all():
        document = plan.document
        if not isinstance(document, dict) or "own_payment_field" in document:
            continue
        schemes = SchemeYear.objects.filter(plan_id=plan.pk).values("scheme_id")
        configured = Counter(
            SupervisionConfig.objects.filter(contract__scheme_id__in=schemes).values_list(
                "paid_field", flat=True
            )
        )
        kinds = Counter(
            KIND_DEFAULTS.get(kind, "oth_pay")
            for kind in Scheme.objects.filter(id__in=schemes).values_list("kind", flat=True)
        )
        fallback = Counter([shipped.get(plan.code, "oth_pay")])
        chosen = (configured or kinds or fallback).most_common(1)[0][0]
        plan.document = {**document, "own_payment_field": chosen}
        try:
            plan.plain_words = render_plan(plan=parse_plan(plan.document), lang="zh")
        except PlanError:
            pass  # an invalid draft stays a draft with its old words
        plan.save(update_fields=["document", "plain_words"])


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0014_stage_without_setl_index'),
        ('contracts', '0003_evaluation'),
        ('insurance', '0006_person_eligibility_facts_and_plan_v2'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(declare_own_payment_fields, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='supervisionconfig',
            name='paid_field',
        ),
        migrations.AlterField(
            model_name='reconciliationresult',
            name='paid_field',
            field=models.CharField(choices=[('oth_pay', '其他支出（oth_pay）'), ('hifmi_pay', '居民大病保险支出（hifmi_pay）'), ('hifes_pay', '企业补充医疗保险支出（hifes_pay）'), ('hifob_pay', '职工大额医疗补助支出（hifob_pay）')], help_text='方案声明的本方案支付所在字段（own_payment_field）', max_length=16, verbose_name='赔付字段'),
        ),
        migrations.CreateModel(
            name='QuotaPoolEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('left_on', models.DateField(help_text='保障自当日终止', verbose_name='离职（退保）日期')),
                ('plan_code', models.CharField(max_length=64, verbose_name='待遇方案')),
                ('plan_version', models.PositiveIntegerField(verbose_name='方案版本')),
                ('line_id', models.CharField(max_length=64, verbose_name='限额报销责任')),
                ('cap_year', models.PositiveSmallIntegerField(help_text='离职日所在的封顶年度（自然年度或保单年度的起始年）', verbose_name='限额年度')),
                ('quota', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='个人年度限额')),
                ('used', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='当年已报销')),
                ('amount', models.DecimalField(decimal_places=2, help_text='个人年度限额 − 当年已报销，不低于 0', max_digits=14, verbose_name='转入公共账户')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='记录时间')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='经办人')),
                ('enrollment', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='insurance.enrollment', verbose_name='参保登记')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='insurance.person', verbose_name='参保人')),
                ('scheme_year', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='insurance.schemeyear', verbose_name='方案年度')),
            ],
            options={
                'verbose_name': '公共账户转入（个人限额余额）',
                'verbose_name_plural': '公共账户转入（个人限额余额）',
                'ordering': ['-left_on', '-id'],
                'indexes': [models.Index(fields=['scheme_year', '-left_on'], name='claims_quota_pool_year_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gte', 0)), name='claims_quota_pool_amount_not_negative')],
            },
        ),
    ]
