"""What the contracts lists export (issue 23): the list's rows, in words."""

from __future__ import annotations

from contracts.models import Transfer
from insurance.admin.exports import ListExportResource


class TransferExport(ListExportResource):
    columns = (
        "contract", "year", "quarter", "amount", "reserve_part", "status", "prepared_by",
        "prepared_at", "approved_by", "approved_at", "paid_on", "bank_reference",
    )  # fmt: skip

    class Meta:
        model = Transfer
        fields = ()
