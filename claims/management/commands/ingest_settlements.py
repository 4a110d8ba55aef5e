"""Run the settlement pipeline in the foreground (back-fills, re-runs by bureau IT)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.choices import BatchSource, BatchStatus
from claims.settlements.ingest.report import error_report_response
from claims.settlements.services.batches import batch_process, batch_receive
from contracts.models import Contract


class Command(BaseCommand):
    help = "导入结算数据文件（前台运行，与上传相同的流程） / ingest a file in the foreground"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--contract", type=int, required=True, help="合同ID / contract id")
        parser.add_argument("--encoding", default="", help="utf-8, gbk, gb18030 (default: detect)")
        parser.add_argument(
            "--report", type=Path, default=None, help="错误报告保存路径（默认与文件同目录）"
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {path}")
        contract = Contract.objects.filter(pk=options["contract"]).first()
        if contract is None:
            raise CommandError(f"合同不存在 / no contract with id {options['contract']}")
        try:
            with path.open("rb") as fh:
                received = batch_receive(
                    contract=contract, fileobj=fh, filename=path.name,
                    source=BatchSource.COMMAND, encoding=options["encoding"], queue=False,
                )  # fmt: skip
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        # In-process even with a broker: the operator is waiting for the outcome.
        try:
            batch = batch_process(batch_id=received.batch.pk)
        except Exception as exc:  # the batch is failed, nothing stored (batch_process)
            raise CommandError(
                f"批次 #{received.batch.pk} 处理失败，未入库；排除原因后重新运行本命令 / "
                f"batch {received.batch.pk} failed, nothing stored; run this command again once "
                f"the cause is mended: {type(exc).__name__}: {exc}"
            ) from exc
        if received.duplicate:
            self.stdout.write(
                f"该文件已导入过（批次 #{batch.pk}） / already received as batch {batch.pk}"
            )
        self.stdout.write(
            f"批次 #{batch.pk}: {batch.get_status_display()} ({batch.status}); "
            f"rows={batch.rows_total} good={batch.rows_good} bad={batch.rows_bad} "
            f"reversals={batch.reversals}"
        )
        if batch.status == BatchStatus.REJECTED:
            report = options["report"] or path.with_name(f"{path.stem}.errors.csv")
            report.write_bytes(error_report_response(batch, "csv").content)
            detail = f" {batch.file_problem}" if batch.file_problem else ""
            raise CommandError(f"批次被退回 / batch rejected:{detail} 错误报告 / report: {report}")
