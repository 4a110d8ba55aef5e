from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline

from audit.admin.doors import RestrictedInlineMixin
from audit.admin.workflow import bound, form_page
from contracts.admin.common import ScopedAdmin
from contracts.choices import CheckResult, TenderStatus
from contracts.models import Bid, BidCheck, EligibilityCriterion, Tender
from contracts.services import bid_check_review, bid_checks_open, bid_score, tender_award


@admin.register(EligibilityCriterion)
class CriterionAdmin(ScopedAdmin):
    list_display = ["code", "title", "mandatory", "rule", "is_active", "order"]
    list_filter = ["mandatory", "is_active"]
    search_fields = ["code", "title"]


class BidInline(RestrictedInlineMixin, TabularInline):
    model = Bid
    extra = 0
    fields = ["insurer", "payment_ratio", "profit_rate", "staff_city", "staff_county", "score"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AwardForm(forms.Form):
    bid = forms.ModelChoiceField(label=_("中标投标"), queryset=Bid.objects.none())
    number = forms.CharField(label=_("合同编号"), required=False, help_text=_("留空则用项目编号"))
    awarded_on = forms.DateField(label=_("定标日期"), required=False, help_text=_("留空为今天"))


@admin.register(Tender)
class TenderAdmin(ScopedAdmin):
    list_display = [
        "title",
        "project_no",
        "scheme",
        "term_start",
        "term_end",
        "status",
        "awarded_on",
    ]
    list_filter = ["status"]
    list_select_related = ["scheme"]
    search_fields = ["title", "=project_no"]
    autocomplete_fields = ["scheme"]
    filter_horizontal = ["criteria"]
    readonly_fields = ["status", "awarded_bid", "awarded_on", "awarded_by"]
    inlines = [BidInline]
    change_form_outer_before_template = "contracts/admin/tender_award_button.html"

    def get_urls(self):
        view = self.door(self.award_view, "view", "contracts.change_tender")
        return [
            path("<path:object_id>/award/", view, name="contracts_tender_award"),
            *super().get_urls(),
        ]

    def award_view(self, request, object_id):
        tender = self.get_object(request, object_id)
        if tender is None or not request.user.has_perm("contracts.change_tender"):
            raise PermissionDenied
        bids = tender.bids.select_related("insurer")

        class Form(AwardForm):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["bid"].queryset = bids

        def perform(data):
            tender_award(
                tender=tender,
                bid=data["bid"],
                actor=request.user,
                on=data["awarded_on"],
                number=data["number"],
                request=request,
            )

        return form_page(
            request,
            admin=self,
            obj=tender,
            title=_("定标并生成合同草稿"),
            form=Form(bound(request)),
            perform=perform,
            back_url=reverse("admin:contracts_tender_change", args=[tender.pk]),
        )

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["can_award"] = bool(
            obj
            and obj.status == TenderStatus.OPEN
            and request.user.has_perm("contracts.change_tender")
        )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


class BidCheckForm(forms.ModelForm):
    class Meta:
        model = BidCheck
        fields = ["evidence", "result", "note"]

    def clean(self):
        data = super().clean()
        if data.get("result") == CheckResult.FAILED and not (data.get("note") or "").strip():
            self.add_error("note", _("判定「不符合」时必须填写审查意见。"))
        return data


class BidCheckInline(RestrictedInlineMixin, TabularInline):
    model = BidCheck
    form = BidCheckForm
    extra = 0
    fields = ["criterion", "evidence", "result", "note", "reviewed_by", "reviewed_at"]
    readonly_fields = ["criterion", "reviewed_by", "reviewed_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class BidForm(forms.ModelForm):
    class Meta:
        model = Bid
        fields = [
            "tender",
            "insurer",
            "submitted_on",
            "payment_ratio",
            "profit_rate",
            "staff_city",
            "staff_county",
            "extra_services",
            "score_breakdown",
        ]


@admin.register(Bid)
class BidAdmin(ScopedAdmin):
    form = BidForm
    list_display = [
        "tender",
        "insurer",
        "payment_ratio",
        "profit_rate",
        "staff_city",
        "staff_county",
        "score",
    ]
    list_select_related = ["tender", "insurer"]
    list_filter = ["tender__status"]
    search_fields = ["insurer__name", "tender__title"]
    autocomplete_fields = ["insurer"]
    raw_id_fields = ["tender"]
    readonly_fields = ["score", "scored_by", "scored_at"]
    inlines = [BidCheckInline]

    def save_model(self, request, obj, form, change):
        breakdown_changed = "score_breakdown" in form.changed_data
        super().save_model(request, obj, form, change)
        bid_checks_open(bid=obj)
        if breakdown_changed and obj.score_breakdown:
            bid_score(bid=obj, breakdown=obj.score_breakdown, actor=request.user, request=request)

    def save_formset(self, request, form, formset, change):
        if formset.model is not BidCheck:
            return super().save_formset(request, form, formset, change)
        for check_form in formset.forms:
            if not check_form.has_changed():
                continue
            data = check_form.cleaned_data
            if data.get("result") == CheckResult.PENDING:
                continue
            bid_check_review(
                check=check_form.instance,
                result=data["result"],
                note=data.get("note", ""),
                evidence=data.get("evidence") or None,
                actor=request.user,
                request=request,
            )
        return None
