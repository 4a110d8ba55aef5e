"""The national med_type codes 22 (外伤住院) and 24 (急诊转住院) are inpatient kinds: their shipped
family becomes 21, which plans speak of. A row the bureau edited (another family) keeps its edit."""

from django.db import migrations
from django.db.models import F

INPATIENT_KINDS = ("22", "24")


def to_inpatient(apps, schema_editor):
    CodeMapping = apps.get_model("claims", "CodeMapping")
    # Still as shipped (the family is the code itself): not edited by the bureau.
    CodeMapping.objects.filter(
        column="med_type", region__isnull=True, code__in=INPATIENT_KINDS, family=F("code")
    ).update(family="21")


def back(apps, schema_editor):
    CodeMapping = apps.get_model("claims", "CodeMapping")
    CodeMapping.objects.filter(
        column="med_type", region__isnull=True, code__in=INPATIENT_KINDS, family="21"
    ).update(family=F("code"))


class Migration(migrations.Migration):
    dependencies = [("claims", "0018_hifdm_pay_money")]

    operations = [migrations.RunPython(to_inpatient, back, elidable=False)]
