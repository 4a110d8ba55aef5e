"""Issue 22: one workflow machine, one money field.

The complaint and monthly-statement history tables are gone: their rows were copied into
`audit.StatusChange` by audit 0009, which this migration follows. Every amount becomes a
MoneyField, numeric(16, 2) instead of numeric(14, 2): on PostgreSQL a wider precision of the same
scale changes the column's type only, without rewriting the table.
"""

import django.core.validators
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0016_ingest_codes_and_scopes"),
        ("audit", "0009_status_change"),
    ]

    operations = [
        migrations.DeleteModel(name="ComplaintTransition"),
        migrations.DeleteModel(name="StatementTransition"),
        # every amount a MoneyField: numeric(16, 2) (on PostgreSQL a wider precision rewrites nothing)
        migrations.AlterField(
            model_name='claimstatement',
            name='claimed_total',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='申报赔付总额'),
        ),
        migrations.AlterField(
            model_name='claimstatement',
            name='correction_total',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='复核调整合计'),
        ),
        migrations.AlterField(
            model_name='claimstatement',
            name='expected_total',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='应赔付总额（引擎）'),
        ),
        migrations.AlterField(
            model_name='claimstatement',
            name='review_threshold',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='大额必审金额'),
        ),
        migrations.AlterField(
            model_name='compensation',
            name='total',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='应赔付金额'),
        ),
        migrations.AlterField(
            model_name='compensationadjustment',
            name='new_total',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='调整后金额'),
        ),
        migrations.AlterField(
            model_name='compensationadjustment',
            name='paid_before',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='调整前金额'),
        ),
        migrations.AlterField(
            model_name='compensationadjustment',
            name='total',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='调整金额'),
        ),
        migrations.AlterField(
            model_name='manualclaim',
            name='amount_claimed',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='申请金额'),
        ),
        migrations.AlterField(
            model_name='manualclaim',
            name='approved_amount',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='核准金额'),
        ),
        migrations.AlterField(
            model_name='quotapoolentry',
            name='amount',
            field=models.DecimalField(decimal_places=2, help_text='个人年度限额 − 当年已报销，不低于 0', max_digits=16, verbose_name='转入公共账户'),
        ),
        migrations.AlterField(
            model_name='quotapoolentry',
            name='quota',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='个人年度限额'),
        ),
        migrations.AlterField(
            model_name='quotapoolentry',
            name='used',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='当年已报销'),
        ),
        migrations.AlterField(
            model_name='reconciliationresult',
            name='difference',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='差额（已付−应付）'),
        ),
        migrations.AlterField(
            model_name='reconciliationresult',
            name='expected',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='应赔付（引擎）'),
        ),
        migrations.AlterField(
            model_name='reconciliationresult',
            name='paid',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='保险机构已付'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='acct_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='个人账户支出'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='act_pay_dedc',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='实际支付起付线'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='cvlserv_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='公务员医疗补助支出'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='excl_item_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='除外项目金额'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='fulamt_ownpay_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='全自费金额'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='fund_pay_sumamt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='基金支付总额'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='hifes_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='企业补充医疗保险支出'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='hifmi_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='居民大病保险支出'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='hifob_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='职工大额医疗补助支出'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='hifp_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='统筹基金支出'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='inscp_over_max_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='超最高支付限额政策内费用'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='inscp_scp_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='符合政策范围金额'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='maf_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='医疗救助支出'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='medfee_sumamt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='医疗费总额'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='ooc_cancer_drug_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='目录外抗肿瘤药金额'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='ooc_cancer_drug_reimbursed',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='目录外抗肿瘤药已报销'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='oth_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='其他支出'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='overlmt_selfpay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='超限价自费费用'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='preselfpay_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='先行自付金额'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='psn_cash_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='个人现金支出'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='psn_part_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='个人负担总金额'),
        ),
        migrations.AlterField(
            model_name='settlementrecord',
            name='special_drug_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='特药特材金额'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='acct_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='acct_pay'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='act_pay_dedc',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='act_pay_dedc'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='cvlserv_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='cvlserv_pay'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='excl_item_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='excl_item_amt'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='fulamt_ownpay_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='fulamt_ownpay_amt'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='fund_pay_sumamt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='fund_pay_sumamt'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='hifes_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='hifes_pay'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='hifmi_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='hifmi_pay'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='hifob_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='hifob_pay'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='hifp_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='hifp_pay'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='inscp_over_max_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='inscp_over_max_amt'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='inscp_scp_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='inscp_scp_amt'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='maf_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='maf_pay'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='medfee_sumamt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='medfee_sumamt'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='ooc_cancer_drug_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='ooc_cancer_drug_amt'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='ooc_cancer_drug_reimbursed',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='ooc_cancer_drug_reimbursed'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='oth_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='oth_pay'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='overlmt_selfpay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='overlmt_selfpay'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='preselfpay_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='preselfpay_amt'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='psn_cash_pay',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='psn_cash_pay'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='psn_part_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='psn_part_amt'),
        ),
        migrations.AlterField(
            model_name='settlementstage',
            name='special_drug_amt',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='special_drug_amt'),
        ),
        migrations.AlterField(
            model_name='statementadjustment',
            name='amount',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='调整金额'),
        ),
        migrations.AlterField(
            model_name='statementitem',
            name='claimed',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='保险机构已付'),
        ),
        migrations.AlterField(
            model_name='statementitem',
            name='corrected_amount',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='核定金额'),
        ),
        migrations.AlterField(
            model_name='statementitem',
            name='expected',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='应赔付（引擎）'),
        ),
        migrations.AlterField(
            model_name='supervisionconfig',
            name='review_threshold',
            field=models.DecimalField(decimal_places=2, default=Decimal('50000.00'), help_text='保险机构支付金额达到此数的结算全部纳入复核', max_digits=16, verbose_name='大额必审金额（元）'),
        ),
        migrations.AlterField(
            model_name='supervisionconfig',
            name='tolerance',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.01'), max_digits=16, validators=[django.core.validators.MinValueValidator(0)], verbose_name='对账容差（元）'),
        ),
    ]
