"""What the claims lists export (issue 23): the list's rows, in words, personal columns masked."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from claims.settlements.models import SettlementBatch, SettlementRecord
from insurance.admin.exports import ListExportResource


class SettlementRecordExport(ListExportResource):
    columns = (
        "setl_id", "mdtrt_id", "psn_no", "insutype", "med_type", "fixmedins_code", "setl_time",
        "medfee_sumamt", "fund_pay_sumamt", "psn_part_amt", "refd_setl_flag", "contract",
        "batch_id", "compensation__total", "compensation__status",
    )  # fmt: skip
    headers = {"batch_id": _("批次号"), "compensation__total": _("应赔付")}

    class Meta:
        model = SettlementRecord
        fields = ()


class SettlementBatchExport(ListExportResource):
    columns = (
        "id", "filename", "contract", "insurer", "status", "source", "rows_total", "rows_good",
        "rows_bad", "reversals", "error_count", "received_at", "applied_at", "computed_at",
    )  # fmt: skip
    headers = {"id": _("批次号")}

    class Meta:
        model = SettlementBatch
        fields = ()
