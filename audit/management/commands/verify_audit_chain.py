from django.core.management.base import BaseCommand, CommandError

from audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "校验审计日志哈希链，报告第一处断链 / verify the audit log hash chain"

    def handle(self, *args, **options):
        report = audit_chain_verify()
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(f"审计日志链完整 / chain intact: {report.checked}")
            )
            return
        if report.first_broken_id is None:  # every entry holds; the checkpoints do not
            raise CommandError(f"审计日志检查点不可信 / {report.problem}")
        raise CommandError(
            f"审计日志链被改动 / chain broken at entry {report.first_broken_id}: "
            f"{report.problem} ({report.checked} entries intact before it)"
        )
