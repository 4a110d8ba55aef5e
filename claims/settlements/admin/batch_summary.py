"""What a batch's page says first: its outcome in words and colour, the rows, the amount owed,
where its records and error report are, and its live progress while it is being processed."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from claims.choices import BatchStatus
from claims.settlements.ingest.spec import BY_NAME
from claims.settlements.models import Compensation, SettlementBatch
from insurance.engine.money import quantize

# status -> (the card's colour, what it means for the person who sent the file)
OUTCOMES = {
    BatchStatus.RECEIVED: ("blue", _("已接收，排队等待校验。")),
    BatchStatus.VALIDATING: ("amber", _("正在逐行校验。")),
    BatchStatus.VALIDATED: ("amber", _("校验通过，正在入库。")),
    BatchStatus.APPLIED: ("green", _("已入库，应赔付已计算。")),
    BatchStatus.REJECTED: ("red", _("未通过校验，整批未入库：请按错误报告修改后重新上传。")),
    BatchStatus.FAILED: ("red", _("处理中断，整批未入库：请联系经办机构重新处理。")),
}
COMPUTING = _("已入库，正在计算应赔付。")
BAR_COLOURS = {"red": "#dc2626", "green": "#16a34a", "amber": "#d97706", "blue": "#2563eb"}
TIMING_PLACES = Decimal("0.01")


def in_progress(batch: SettlementBatch) -> bool:
    """Still moving on its own: the page keeps refreshing until this is False."""
    if batch.status in (BatchStatus.REJECTED, BatchStatus.FAILED):
        return False
    return batch.status != BatchStatus.APPLIED or batch.computed_at is None


def outcome(batch: SettlementBatch) -> tuple[str, str]:
    colour, text = OUTCOMES[BatchStatus(batch.status)]
    if batch.status == BatchStatus.APPLIED and batch.computed_at is None:
        return "amber", str(COMPUTING)
    return colour, str(text)


def bar_colour(batch: SettlementBatch) -> str:
    return BAR_COLOURS[outcome(batch)[0]]


def amount_owed(batch: SettlementBatch) -> Decimal:
    """What the supplementary cover owes on the batch's settlements, as computed."""
    total = Compensation.objects.filter(batch=batch).aggregate(s=Sum("total"))["s"]
    return total if total is not None else Decimal("0.00")


def column_label(name: str) -> str:
    """An error's column by its Chinese header ("医疗费总额"), not its field name."""
    column = BY_NAME.get(name)
    return column.label if column is not None else (name or "-")


def seconds_text(value: float | None) -> str:
    return "-" if value is None else str(quantize(Decimal(str(value)), places=TIMING_PLACES))


def progress(batch: SettlementBatch) -> dict:
    """The batch's state for the page and for its refresh (the JSON of `progress/`)."""
    colour, text = outcome(batch)
    return {
        "status": batch.status,
        "status_label": str(batch.get_status_display()),
        "outcome": text,
        "colour": colour,
        "bar_colour": BAR_COLOURS[colour],
        "percent": batch.progress_percent,
        "in_progress": in_progress(batch),
        "rows_total": batch.rows_total,
        "rows_good": batch.rows_good,
        "rows_bad": batch.rows_bad,
    }


def summary(batch: SettlementBatch) -> dict:
    """The card's context: progress, the amount owed and the links."""
    records = reverse("admin:claims_settlementrecord_changelist")
    errors = reverse("admin:claims_settlementbatch_errors", args=[batch.pk])
    applied = batch.status == BatchStatus.APPLIED
    return {
        **progress(batch),
        "amount_owed": amount_owed(batch) if applied else None,
        "records_url": f"{records}?batch__id__exact={batch.pk}" if applied else "",
        "errors_url": errors if batch.errors_preview else "",
        "error_count": batch.error_count,
        "file_problem": batch.file_problem,
        "progress_url": reverse("admin:claims_settlementbatch_progress", args=[batch.pk]),
    }
