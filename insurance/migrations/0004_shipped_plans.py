"""Load the shipped plan documents (insurance/plans/*.json) as active version rows."""

from django.db import migrations


def load(apps, schema_editor):
    from django.utils import timezone

    from insurance.engine import parse_plan, render_plan
    from insurance.plans import load_shipped_plans

    BenefitPlan = apps.get_model("insurance", "BenefitPlan")
    for code, document in load_shipped_plans().items():
        plan = parse_plan(document)
        BenefitPlan.objects.get_or_create(
            code=code,
            version=plan.version,
            defaults={
                "name": plan.name,
                "status": "active",
                "document": document,
                "effective_from": plan.effective_from,
                "effective_to": plan.effective_to,
                "example": plan.example,
                "source": f"{plan.source_seed} {'、'.join(plan.source_rules)}"[:300],
                "plain_words": render_plan(plan=plan, lang="zh"),
                "activated_at": timezone.now(),
            },
        )


def unload(apps, schema_editor):
    from insurance.plans import load_shipped_plans

    apps.get_model("insurance", "BenefitPlan").objects.filter(
        code__in=list(load_shipped_plans()), version=1, scheme_years__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("insurance", "0003_benefit_plan")]

    operations = [migrations.RunPython(load, unload)]
