"""The year-end settlement (contracts.YearEndSettlement, 年度清算) in the admin, in one place: the
read-only list and change page with its moves (the one move page), and the page that prepares it
(年度清算编制, `admin:claims_year_end_prepare`). The claims paid come from the claims data
(`claims.oversight.services.year_end.year_end_prepare_for`): the model is in contracts, which may
not import claims, so its admin lives here, above both. Finance staff (the maker,
`contracts.prepare_transfer`) prepare; a director approves on the settlement's own page.
"""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline

from audit.admin.doors import RestrictedInlineMixin, admin_door
from audit.admin.workflow import WorkflowAdminMixin, form_page
from claims.oversight.services.year_end import year_end_prepare_for
from contracts.admin.funds import ReadOnlyAdmin
from contracts.choices import SettlementStatus
from contracts.models import SettlementLine, YearEndSettlement
from contracts.permissions import PREPARE
from contracts.selectors import contract_for_user

REFUSED = _(
    "您没有编制年度清算的权限：需要「%(perm)s」权限（财务岗位）。请联系系统管理员分配财务角色。"
)


def _money_field(label, help_text):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        initial=0,
        help_text=help_text,
    )


class YearEndPrepareForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("合同"), queryset=None)
    year = forms.IntegerField(label=_("清算年度"), min_value=2000, max_value=2100)
    interest = _money_field(_("利息收入（元）"), _("专户当年利息，留空按 0 计"))
    allowed_costs = _money_field(_("合规经办费用（元）"), _("按合同可列支的经办费用，留空按 0 计"))
    policy_loss = _money_field(
        _("认定的政策性亏损（元）"),
        _("只用于约定仅分担政策性亏损的合同：因基本医保政策调整造成的亏损金额"),
    )
    policy_loss_reason = forms.CharField(
        label=_("政策性亏损认定依据"),
        required=False,
        max_length=255,
        help_text=_("所依据的政策调整文件或说明；录入政策性亏损时必填"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contract_for_user(user).order_by("number")


def _initial(request) -> dict:
    initial = {
        "year": timezone.localdate().year - 1,
        "interest": 0,
        "allowed_costs": 0,
        "policy_loss": 0,
    }
    for name in ("contract", "year"):
        value = request.GET.get(name, "")
        if value.isdigit():
            initial[name] = int(value)
    return initial


def _refused(request, host):
    """Shown for GET and POST alike: nothing is computed or written."""
    messages.error(request, REFUSED % {"perm": PREPARE})
    context = {
        **host.admin_site.each_context(request),
        "opts": host.model._meta,
        "original": "",
        "title": _("编制年度清算"),
        "refused": True,
        "back_url": reverse("admin:contracts_yearendsettlement_changelist"),
    }
    return TemplateResponse(request, "admin/workflow_form.html", context, status=403)


def year_end_urls(admin_site):
    host = SimpleNamespace(admin_site=admin_site, model=YearEndSettlement)

    def prepare_view(request):
        """GET shows the form; only a POST prepares. Refused without the maker's permission."""
        data = request.POST if request.method == "POST" else None
        form = YearEndPrepareForm(data, user=request.user, initial=_initial(request))

        def perform(d):
            settlement = year_end_prepare_for(
                contract=d["contract"],
                year=d["year"],
                actor=request.user,
                interest=d["interest"] or 0,
                allowed_costs=d["allowed_costs"] or 0,
                policy_loss=d["policy_loss"] or 0,
                policy_loss_reason=d["policy_loss_reason"],
                request=request,
            )
            messages.info(
                request,
                _("赔付支出 %(c)s 元，赔付率 %(r)s%%（来源：%(s)s）")
                % {"c": settlement.claims_paid, "r": settlement.payout_ratio,
                   "s": settlement.claims_source},
            )  # fmt: skip
            return reverse("admin:contracts_yearendsettlement_change", args=[settlement.pk])

        return form_page(
            request,
            admin=host,
            obj=None,
            title=_("编制年度清算"),
            form=form,
            perform=perform,
            back_url=reverse("admin:contracts_yearendsettlement_changelist"),
            details=[
                (_("赔付支出来源"), _("结算数据：引擎应赔付金额（含补报、冲销调整），按结算日期")),
                (
                    _("年度区间"),
                    _("方案年度的保障期（含追溯期），按合同保障期截取；季度与清算按保险年度"),
                ),
                (
                    _("前提"),
                    _("本年度季度拨付已全部支付；有考核预留款的，预留款已按考核结果拨付"),
                ),
            ],
        )

    return [
        path(
            "prepare/",
            admin_door(
                admin_site,
                prepare_view,
                model=YearEndSettlement,
                perms=(PREPARE,),
                refused=lambda request: _refused(request, host),
            ),
            name="claims_year_end_prepare",
        )
    ]


class LineInline(RestrictedInlineMixin, TabularInline):
    model = SettlementLine
    extra = 0
    fields = ["order", "label", "amount", "source"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(YearEndSettlement)
class YearEndSettlementAdmin(WorkflowAdminMixin, ReadOnlyAdmin):
    inlines = [LineInline]
    list_display = [
        "contract",
        "year",
        "rule",
        "payout_ratio",
        "to_return",
        "to_carry",
        "loss_fund_share",
        "adjustment_proposed",
        "status",
    ]
    list_filter = ["status", "year", "adjustment_proposed"]
    list_select_related = ["contract"]
    search_fields = ["=contract__number"]
    search_help_text = _("按完整合同编号精确查找（不支持部分匹配）")
    # The "prepare" page reads claims data: served here (`year_end_urls`).
    list_before_template = "claims/admin/year_end_links.html"

    def workflow_links(self, request, obj):
        links = super().workflow_links(request, obj)
        if obj.status == SettlementStatus.PREPARED and request.user.has_perm(PREPARE):
            url = reverse("admin:claims_year_end_prepare")
            links.append((_("重新编制"), f"{url}?contract={obj.contract_id}&year={obj.year}"))
        return links

    def get_urls(self):
        return [*year_end_urls(self.admin_site), *super().get_urls()]
