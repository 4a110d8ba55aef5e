"""Issue 22: every amount is a MoneyField, numeric(16, 2) (premiums were numeric(12, 2), the scheme
year's reference amounts numeric(14, 2); on PostgreSQL a wider precision rewrites nothing)."""

import django.core.validators
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('insurance', '0007_schemeyear_insurance_year_start'),
    ]

    operations = [
        migrations.AlterField(
            model_name='enrollment',
            name='premium',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=16, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='个人保费'),
        ),
        migrations.AlterField(
            model_name='enrollment',
            name='refund_amount',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='退费金额'),
        ),
        migrations.AlterField(
            model_name='schemeyear',
            name='prev_basic_funding_per_capita',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='上年人均基本医保筹资额'),
        ),
        migrations.AlterField(
            model_name='schemeyear',
            name='prev_disposable_income_rural',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='上年农村居民人均可支配收入'),
        ),
        migrations.AlterField(
            model_name='schemeyear',
            name='prev_disposable_income_urban',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='上年城镇居民人均可支配收入'),
        ),
    ]
