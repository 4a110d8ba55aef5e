"""Person facts for eligibility (hire date, rural; insured_since is the start of the current
uninterrupted basic insurance) and the shipped plans' new versions (issue #18): a database made
before them gets each new shipped version as the active one, the older version retired. Scheme
years keep the version they point at: the bureau moves a year to a new version in the admin."""

from django.db import migrations, models


def load_new_shipped_versions(apps, schema_editor):
    from django.utils import timezone

    from insurance.engine import parse_plan, render_plan
    from insurance.plans import load_shipped_plans

    BenefitPlan = apps.get_model("insurance", "BenefitPlan")
    for code, document in load_shipped_plans().items():
        plan = parse_plan(document)
        if BenefitPlan.objects.filter(code=code, version=plan.version).exists():
            continue  # a new database: 0004 loaded this version already
        BenefitPlan.objects.filter(code=code, status="active").update(status="retired")
        BenefitPlan.objects.create(
            code=code,
            version=plan.version,
            name=plan.name,
            status="active",
            document=document,
            effective_from=plan.effective_from,
            effective_to=plan.effective_to,
            example=plan.example,
            source=f"{plan.source_seed} {'、'.join(plan.source_rules)}"[:300],
            plain_words=render_plan(plan=plan, lang="zh"),
            activated_at=timezone.now(),
        )


class Migration(migrations.Migration):

    dependencies = [
        ('insurance', '0005_plan_status_label'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='hire_date',
            field=models.DateField(blank=True, help_text='在本单位（集团）连续工作的起始日期，用于企业补充医疗保险的工作年限条件（R-ENT-2）', null=True, verbose_name='入职日期'),
        ),
        migrations.AddField(
            model_name='person',
            name='rural',
            field=models.BooleanField(default=False, help_text='城乡居民医保中的农村居民：大病保险起付线按上年农村居民人均纯收入（R-IM-2）', verbose_name='农村居民'),
        ),
        migrations.AlterField(
            model_name='person',
            name='insured_since',
            field=models.DateField(blank=True, help_text='本次连续参加基本医疗保险的第一天；中断后重新参保的，填重新参保之日。待遇等待期自此日起算（R-QD-5）；不详的视为早已参保。', null=True, verbose_name='本次连续参保起始日期'),
        ),
        migrations.AlterField(
            model_name='schemeyear',
            name='waiting_period_days',
            field=models.PositiveSmallIntegerField(default=0, help_text='首次参保或中断后重新参保的等待天数；连续续保无等待期。选定待遇方案后取自方案，起算日也按方案（如自参加基本医疗保险之日起算）。', verbose_name='等待期（天）'),
        ),
        migrations.RunPython(load_new_shipped_versions, migrations.RunPython.noop),
    ]
