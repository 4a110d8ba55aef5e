"""Prepare (or re-prepare, while not approved) a contract's year-end settlement from the claims
data: `python manage.py year_end_prepare --contract ID --year YYYY --user finance_login`.

The named user is the maker: he needs `contracts.prepare_transfer` (finance), and a different
person approves in the admin. The same service as the admin page; it writes the audit event.
"""

from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.oversight.services.year_end import year_end_prepare_for
from contracts.models import Contract


def _amount(value: str, label: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise CommandError(f"{label}金额格式不正确 / not an amount: {value}") from None


class Command(BaseCommand):
    help = "编制合同年度清算（赔付支出取自结算数据） / prepare a contract's year-end settlement"

    def add_arguments(self, parser):
        parser.add_argument("--contract", type=int, required=True, help="合同ID / contract id")
        parser.add_argument("--year", type=int, required=True, help="清算年度 / year")
        parser.add_argument(
            "--user", required=True, help="制单人登录名（需财务权限） / the maker's username"
        )
        parser.add_argument("--interest", default="0", help="利息收入（元） / interest income")
        parser.add_argument(
            "--allowed-costs", default="0", help="合规经办费用（元） / allowed costs"
        )
        parser.add_argument(
            "--policy-loss", default="0", help="认定的政策性亏损（元） / policy-caused loss"
        )
        parser.add_argument(
            "--policy-loss-reason", default="", help="政策性亏损认定依据 / why (policy change)"
        )

    def handle(self, *args, **options):
        contract = Contract.objects.filter(pk=options["contract"]).first()
        if contract is None:
            raise CommandError(f"合同不存在 / no contract with id {options['contract']}")
        actor = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(f"用户不存在或已停用 / no active user {options['user']}")
        try:
            settlement = year_end_prepare_for(
                contract=contract,
                year=options["year"],
                actor=actor,
                interest=_amount(options["interest"], "利息收入"),
                allowed_costs=_amount(options["allowed_costs"], "合规经办费用"),
                policy_loss=_amount(options["policy_loss"], "政策性亏损"),
                policy_loss_reason=options["policy_loss_reason"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"年度清算 #{settlement.pk}（{contract.number} {settlement.year}）已编制 / prepared: "
            f"claims_paid={settlement.claims_paid} payout_ratio={settlement.payout_ratio}% "
            f"to_return={settlement.to_return} to_carry={settlement.to_carry} "
            f"to_pay={settlement.to_pay} loss_fund_share={settlement.loss_fund_share} "
            f"insurer_result={settlement.insurer_result}"
        )
