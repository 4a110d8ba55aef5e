import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.triggers import delete_guard
from claims.choices import BatchSource, BatchStatus, FileFormat
from insurance.fields import MoneyField


def batch_upload_path(instance, filename: str) -> str:
    # A fresh name: the insurer's file name is kept as data, never trusted as a path.
    return f"settlements/{instance.contract_id}/{uuid.uuid4().hex}"


def _money(label):
    return MoneyField(label, default=0)


class SettlementBatch(models.Model):
    """One upload of settlement records by an insurer for one contract. All or nothing."""

    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("合同"), on_delete=models.PROTECT, related_name="+"
    )
    insurer = models.ForeignKey(
        "contracts.Insurer", verbose_name=_("保险机构"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.RECEIVED
    )
    source = models.CharField(_("来源"), max_length=16, choices=BatchSource.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    file = models.FileField(_("文件"), upload_to=batch_upload_path, max_length=255)
    filename = models.CharField(_("原文件名"), max_length=255)
    file_size = models.BigIntegerField(_("文件大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    # NULL, not "", when absent: the unique constraint must ignore batches sent without a key.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("幂等键"), max_length=128, null=True, blank=True
    )
    file_format = models.CharField(_("格式"), max_length=8, choices=FileFormat.choices, blank=True)
    encoding = models.CharField(_("编码"), max_length=32, blank=True)
    encoding_override = models.CharField(_("指定编码"), max_length=32, blank=True)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_good = models.PositiveIntegerField(_("正确行数"), default=0)
    rows_bad = models.PositiveIntegerField(_("错误行数"), default=0)
    reversals = models.PositiveIntegerField(_("冲销行数"), default=0)
    unknown_persons = models.PositiveIntegerField(_("未知人员数"), default=0)
    rows_processed = models.PositiveIntegerField(_("已处理行数"), default=0)
    # The compute step's progress: people whose compensations are committed, of all the
    # batch's people (the processes add their chunks to it as they commit).
    people_total = models.PositiveIntegerField(_("待计算人数"), default=0)
    people_computed = models.PositiveIntegerField(_("已计算人数"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=32, blank=True)
    errors_preview = models.JSONField(_("错误（前 200 条）"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    file_problem = models.CharField(_("文件问题"), max_length=500, blank=True)
    # Header cells that name no known column: their values were not read (docs/data-format.md).
    ignored_columns = models.JSONField(_("已忽略的列"), default=list, blank=True)
    error_report = models.FileField(_("错误报告"), upload_to="settlement-errors/", blank=True)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    validated_at = models.DateTimeField(_("校验完成时间"), null=True, blank=True)
    applied_at = models.DateTimeField(_("入库时间"), null=True, blank=True)
    computed_at = models.DateTimeField(_("待遇计算完成时间"), null=True, blank=True)
    # the nightly fraud screen looks at a batch's people once (claims/supervision/services/fraud.py)
    fraud_screened_at = models.DateTimeField(_("疑点筛查时间"), null=True, blank=True)
    # added to the dashboard's month figures once (claims/settlements/services/month_figures.py)
    figures_added_at = models.DateTimeField(_("计入月度汇总时间"), null=True, blank=True)
    # reconciled by the nightly run (claims/supervision/services/reconciliation.py,
    # reconciliation_nightly)
    reconciled_at = models.DateTimeField(_("对账时间"), null=True, blank=True)
    # {scheme year id: {figure: amount}}: the reference figures the compute step used, so an
    # explanation is rebuilt with them even if the year's figures are edited later.
    compute_references = models.JSONField(_("计算所用参考数据"), default=dict, blank=True)
    seconds_parse = models.FloatField(_("解析耗时（秒）"), null=True, blank=True)
    seconds_apply = models.FloatField(_("入库耗时（秒）"), null=True, blank=True)
    seconds_compute = models.FloatField(_("计算耗时（秒）"), null=True, blank=True)

    class Meta:
        verbose_name = _("结算数据批次")
        verbose_name_plural = _("结算数据批次")
        ordering = ["-id"]
        constraints = [
            # A file is received once per contract and stated encoding: the same file for
            # another contract is another batch, and so is a re-send stating the encoding.
            models.UniqueConstraint(
                fields=["insurer", "contract", "sha256", "encoding_override"],
                name="claims_batch_unique_file_per_contract",
            ),
            models.UniqueConstraint(
                fields=["insurer", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="claims_batch_unique_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["contract", "status"], name="claims_batch_contract_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename}"

    # Share of the bar for parsing, checking and applying; computing fills the rest.
    PROGRESS_BEFORE_COMPUTE = 60

    @property
    def progress_percent(self) -> int:
        """The whole pipeline: 0-59 while parsing and checking rows, 60-99 while computing,
        100 when rejected or computed. Only grows: a resumed compute starts from the people
        the interrupted one finished (see batch_compute)."""
        before = self.PROGRESS_BEFORE_COMPUTE
        if self.status == BatchStatus.REJECTED or self.computed_at is not None:
            return 100
        if self.status == BatchStatus.APPLIED:
            if not self.people_total:
                return before
            share = min(self.people_computed, self.people_total) / self.people_total
            return min(99, before + int((100 - before) * share))
        if not self.rows_total:
            return 0
        return min(before - 1, int(before * self.rows_processed / self.rows_total))


class SettlementRecord(models.Model):
    """One settlement (national platform fields) as the insurer reported it. Never edited."""

    # No database constraints on batch, contract and person: PostgreSQL would check each
    # reference once per row (a deferred trigger: over a second per 200,000 rows at commit).
    # The apply step checks them once per batch instead: it holds the batch row locked, and
    # its INSERT joins the people, none of whom can be deleted until it commits (it holds
    # PERSON_DELETE_LOCK shared, which a person's DELETE takes exclusively first).
    # Deletes stay refused by on_delete=PROTECT and, on PostgreSQL, for person and record by
    # a BEFORE DELETE trigger (audit.triggers.delete_guard in the models' Meta.triggers),
    # which also sees an apply that just committed.
    batch = models.ForeignKey(
        SettlementBatch,
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        related_name="records",
        db_index=False,
        db_constraint=False,
    )
    # The composite indexes below lead with batch, contract and person: no separate FK indexes.
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("合同"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    person = models.ForeignKey(
        "insurance.Person",
        verbose_name=_("参保人"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    row_number = models.PositiveIntegerField(_("文件行号"))
    setl_id = models.CharField(_("结算ID"), max_length=30)
    mdtrt_id = models.CharField(_("就诊ID"), max_length=30)
    psn_no = models.CharField(_("人员编号"), max_length=30)
    # Codes are kept as the family plans speak of and as the insurer sent them (CodeMapping);
    # records received before the mapping have no code as sent.
    insutype = models.CharField(_("险种类型"), max_length=3)
    insutype_code = models.CharField(_("险种类型（原代码）"), max_length=20, blank=True)
    psn_type = models.CharField(_("人员类别"), max_length=30, blank=True)
    med_type = models.CharField(_("医疗类别"), max_length=6)
    med_type_code = models.CharField(_("医疗类别（原代码）"), max_length=20, blank=True)
    fixmedins_code = models.CharField(_("定点医药机构编号"), max_length=30, blank=True)
    begndate = models.DateField(_("开始日期"), null=True, blank=True)
    enddate = models.DateField(_("结束日期"), null=True, blank=True)
    setl_time = models.DateTimeField(_("结算时间"))
    medfee_sumamt = _money(_("医疗费总额"))
    fulamt_ownpay_amt = _money(_("全自费金额"))
    overlmt_selfpay = _money(_("超限价自费费用"))
    preselfpay_amt = _money(_("先行自付金额"))
    inscp_scp_amt = _money(_("符合政策范围金额"))
    act_pay_dedc = _money(_("实际支付起付线"))
    hifp_pay = _money(_("统筹基金支出"))
    cvlserv_pay = _money(_("公务员医疗补助支出"))
    hifes_pay = _money(_("企业补充医疗保险支出"))
    hifmi_pay = _money(_("居民大病保险支出"))
    hifob_pay = _money(_("职工大额医疗补助支出"))
    hifdm_pay = _money(_("伤残人员医疗保障基金支出"))
    maf_pay = _money(_("医疗救助支出"))
    oth_pay = _money(_("其他支出"))
    fund_pay_sumamt = _money(_("基金支付总额"))
    psn_part_amt = _money(_("个人负担总金额"))
    hosp_part_amt = _money(_("医院负担金额"))
    acct_pay = _money(_("个人账户支出"))
    psn_cash_pay = _money(_("个人现金支出"))
    refd_setl_flag = models.BooleanField(_("退费结算"), default=False)
    init_setl_id = models.CharField(_("原结算ID"), max_length=30, blank=True)
    excl_item_amt = _money(_("除外项目金额"))
    inscp_over_max_amt = _money(_("超最高支付限额政策内费用"))
    special_drug_amt = _money(_("特药特材金额"))
    ooc_cancer_drug_amt = _money(_("目录外抗肿瘤药金额"))
    ooc_cancer_drug_reimbursed = _money(_("目录外抗肿瘤药已报销"))
    trt_category = models.CharField(_("治疗类别"), max_length=16, blank=True)
    cause = models.CharField(_("除外原因"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("结算记录")
        verbose_name_plural = _("结算记录")
        ordering = ["-id"]
        # Every index costs each bulk insert: exact lookups only, so no LIKE (`_like`) twins,
        # and none on psn_no (searched through the person:
        # claims/settlements/admin/record_search.py).
        # A settlement id is unique within a contract: another insurer's contract may hold the
        # same national settlement (a person covered by two schemes), and must not be able to
        # tell, block or reverse this one's. setl_id first: it also serves lookups by id.
        constraints = [
            models.UniqueConstraint(
                fields=["setl_id", "contract"], name="claims_record_contract_setl_uniq"
            ),
        ]
        indexes = [
            # A compute chunk finds its people of the batch by person id range (BatchChunk):
            # with the batch alone indexed, each chunk read every row of the batch.
            models.Index(fields=["batch", "person"], name="claims_record_batch_person_idx"),
            models.Index(fields=["person", "setl_time"], name="claims_record_person_idx"),
            models.Index(fields=["contract", "setl_time"], name="claims_record_contract_idx"),
            models.Index(fields=["mdtrt_id"], name="claims_record_mdtrt_idx"),
            # Only reversals carry an original's id: index those alone.
            models.Index(
                fields=["init_setl_id"],
                name="claims_record_init_setl_idx",
                condition=models.Q(refd_setl_flag=True),
            ),
        ]
        # The delete side of the foreign keys pointing here: none has a database constraint
        # (see Compensation; and PostgreSQL cannot point one at a table partitioned by year).
        triggers = [
            delete_guard(
                name="medsupp_keep_claims_settlementrecord",
                referencing="claims_compensation",
                column="record_id",
                more=(
                    ("claims_compensationadjustment", "record_id"),
                    ("claims_reconciliationresult", "record_id"),
                    ("claims_statementitem", "record_id"),
                    ("claims_fraudflag", "record_id"),
                    ("claims_fraudflag", "other_record_id"),
                    ("claims_complaint", "settlement_record_id"),
                ),
            )
        ]

    def __str__(self) -> str:
        return self.setl_id


class SettlementStage(models.Model):
    """Rows of a batch between parsing and apply; emptied when the batch is applied or rejected.

    The set-based checks (unknown person, enrolment, duplicates, reversal originals) run on it in
    SQL, so that no check costs a query per row.
    """

    batch_id = models.BigIntegerField()  # indexed with psn_no below: one index to keep up
    row_number = models.PositiveIntegerField()
    # On PostgreSQL, the id the row's record will have: drawn from the records' own sequence
    # as the row is staged (claims migration 0001), so that the compute step can run beside the
    # apply and write compensations for records that are not committed yet. Null on SQLite.
    record_id = models.BigIntegerField(null=True)
    setl_id = models.CharField(max_length=30)
    mdtrt_id = models.CharField(max_length=30)
    psn_no = models.CharField(max_length=30)
    insutype = models.CharField(max_length=3)
    insutype_code = models.CharField(max_length=20, blank=True)
    psn_type = models.CharField(max_length=30, blank=True)
    med_type = models.CharField(max_length=6)
    med_type_code = models.CharField(max_length=20, blank=True)
    fixmedins_code = models.CharField(max_length=30, blank=True)
    begndate = models.DateField(null=True)
    enddate = models.DateField(null=True)
    setl_time = models.DateTimeField()
    service_date = models.DateField()
    medfee_sumamt = _money("medfee_sumamt")
    fulamt_ownpay_amt = _money("fulamt_ownpay_amt")
    overlmt_selfpay = _money("overlmt_selfpay")
    preselfpay_amt = _money("preselfpay_amt")
    inscp_scp_amt = _money("inscp_scp_amt")
    act_pay_dedc = _money("act_pay_dedc")
    hifp_pay = _money("hifp_pay")
    cvlserv_pay = _money("cvlserv_pay")
    hifes_pay = _money("hifes_pay")
    hifmi_pay = _money("hifmi_pay")
    hifob_pay = _money("hifob_pay")
    hifdm_pay = _money("hifdm_pay")
    maf_pay = _money("maf_pay")
    oth_pay = _money("oth_pay")
    fund_pay_sumamt = _money("fund_pay_sumamt")
    psn_part_amt = _money("psn_part_amt")
    hosp_part_amt = _money("hosp_part_amt")
    acct_pay = _money("acct_pay")
    psn_cash_pay = _money("psn_cash_pay")
    refd_setl_flag = models.BooleanField(default=False)
    init_setl_id = models.CharField(max_length=30, blank=True)
    excl_item_amt = _money("excl_item_amt")
    inscp_over_max_amt = _money("inscp_over_max_amt")
    special_drug_amt = _money("special_drug_amt")
    ooc_cancer_drug_amt = _money("ooc_cancer_drug_amt")
    ooc_cancer_drug_reimbursed = _money("ooc_cancer_drug_reimbursed")
    trt_category = models.CharField(max_length=16, blank=True)
    cause = models.CharField(max_length=20, blank=True)

    class Meta:
        default_permissions = ()
        # One index: the compute step beside the apply reads a range of people's rows at a
        # time. None on setl_id: the checks by setl_id read the whole batch, as hash joins,
        # and each index slowed the staging COPY by a fifth.
        indexes = [
            models.Index(fields=["batch_id", "psn_no"], name="claims_stage_psn_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"
