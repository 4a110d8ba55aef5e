"""Issue 22: one workflow machine, maker and checker from one abstract model, one money field.

The contract, evaluation and fund-document history tables are gone: their rows were copied into
`audit.StatusChange` by audit 0009, which this migration follows. Funding calculations and bond
deductions take the maker/checker fields of `audit.models.workflow.MakerChecker` (renamed in
place, values kept: computed_by -> prepared_by, proposed_by -> prepared_by, decided_by ->
approved_by...), and every maker/checker check constraint is named after its model.
"""

import django.db.models.deletion
from django.conf import settings
import django.core.validators
from decimal import Decimal
from django.db import migrations, models
from django.db.models import F, Q


def two_people(name):
    return models.CheckConstraint(
        condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("prepared_by")), name=name
    )


def user(label):
    return models.ForeignKey(
        blank=True,
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to=settings.AUTH_USER_MODEL,
        verbose_name=label,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0004_settlement_rules"),
        ("audit", "0009_status_change"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # maker and checker: the old constraints name the old fields
        migrations.RemoveConstraint(model_name="bonddeduction", name="contracts_deduction_two_people"),
        migrations.RemoveConstraint(model_name="fundingcalculation", name="contracts_funding_two_people"),
        migrations.RemoveConstraint(model_name="reserverelease", name="contracts_release_two_people"),
        migrations.RemoveConstraint(model_name="yearendsettlement", name="contracts_settlement_two_people"),
        migrations.RenameField(model_name="fundingcalculation", old_name="computed_by", new_name="prepared_by"),
        migrations.RenameField(model_name="fundingcalculation", old_name="computed_at", new_name="prepared_at"),
        migrations.RenameField(model_name="bonddeduction", old_name="proposed_by", new_name="prepared_by"),
        migrations.RenameField(model_name="bonddeduction", old_name="proposed_at", new_name="prepared_at"),
        migrations.RenameField(model_name="bonddeduction", old_name="decided_by", new_name="approved_by"),
        migrations.RenameField(model_name="bonddeduction", old_name="decided_at", new_name="approved_at"),
        migrations.AlterField(model_name="fundingcalculation", name="prepared_by", field=user("制单人")),
        migrations.AlterField(
            model_name="fundingcalculation",
            name="prepared_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="制单时间"),
        ),
        migrations.AlterField(model_name="bonddeduction", name="prepared_by", field=user("制单人")),
        migrations.AlterField(
            model_name="bonddeduction",
            name="prepared_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="制单时间"),
        ),
        migrations.AlterField(model_name="yearendsettlement", name="prepared_by", field=user("制单人")),
        migrations.AlterField(
            model_name="yearendsettlement",
            name="prepared_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="制单时间"),
        ),
        migrations.AlterModelOptions(
            name="bonddeduction",
            options={"ordering": ["-prepared_at"], "verbose_name": "保函扣款", "verbose_name_plural": "保函扣款"},
        ),
        migrations.AddConstraint(model_name="bonddeduction", constraint=two_people("contracts_bonddeduction_two_people")),
        migrations.AddConstraint(model_name="fundingcalculation", constraint=two_people("contracts_fundingcalculation_two_people")),
        migrations.AddConstraint(model_name="reserverelease", constraint=two_people("contracts_reserverelease_two_people")),
        migrations.AddConstraint(model_name="yearendsettlement", constraint=two_people("contracts_yearendsettlement_two_people")),
        # the history tables: their rows are in audit.StatusChange (audit 0009)
        migrations.DeleteModel(name="ContractTransition"),
        migrations.DeleteModel(name="EvaluationTransition"),
        migrations.DeleteModel(name="FundTransition"),
        # every amount a MoneyField: numeric(16, 2) (the rest already were)
        migrations.AlterField(
            model_name='bonddeduction',
            name='amount',
            field=models.DecimalField(decimal_places=2, max_digits=16, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='扣款金额'),
        ),
        migrations.AlterField(
            model_name='contract',
            name='platform_fee_amount',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='平台费固定金额'),
        ),
        migrations.AlterField(
            model_name='performancebond',
            name='amount',
            field=models.DecimalField(decimal_places=2, default=Decimal('2000000.00'), max_digits=16, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='保函金额'),
        ),
        migrations.AlterField(
            model_name='settlementline',
            name='amount',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='金额/比例'),
        ),
    ]
