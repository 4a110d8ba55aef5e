"""Written conclusions of audits of the fund's use (R-SUP-3) and their follow-up actions.

The audited scheme or contract is named by id (no foreign key: the audit app imports no domain
app) and/or in words. A conclusion is drafted by an auditor and becomes read-only once signed;
only the follow-ups' progress (status, completion date, note) moves after that.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from audit.choices import AuditOpinion, ConclusionStatus, FollowUpStatus


class AuditConclusion(models.Model):
    title = models.CharField(_("标题"), max_length=200)
    scheme_id = models.BigIntegerField(_("方案ID"), null=True, blank=True, db_index=True)
    contract_id = models.BigIntegerField(_("合同ID"), null=True, blank=True, db_index=True)
    subject = models.CharField(
        _("审计对象"), max_length=200, blank=True, help_text=_("方案、合同或资金的文字说明")
    )
    period_from = models.DateField(_("审计期间起"))
    period_to = models.DateField(_("审计期间止"))
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审计人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    findings = models.TextField(_("审计发现"))
    opinion = models.CharField(_("审计意见类型"), max_length=16, choices=AuditOpinion.choices)
    conclusion = models.TextField(_("审计结论"))
    attachment = models.FileField(_("附件"), upload_to="audit-conclusions/%Y/", blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=ConclusionStatus.choices, default=ConclusionStatus.DRAFT
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审计结论")
        verbose_name_plural = _("审计结论")
        ordering = ["-period_to", "-id"]
        permissions = [
            ("sign_auditconclusion", _("可签发审计结论")),
            # Auditors write their own conclusions without any `change_` permission: their role
            # reads business data and never changes it.
            ("draft_auditconclusion", _("可起草、修改审计结论及整改事项")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__gte=F("period_from")), name="audit_conclusion_period"
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_at__isnull=False),
                name="audit_conclusion_signed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.period_from}–{self.period_to}）"

    @property
    def is_signed(self) -> bool:
        return self.status == ConclusionStatus.SIGNED


class AuditFollowUp(models.Model):
    conclusion = models.ForeignKey(
        AuditConclusion,
        verbose_name=_("审计结论"),
        on_delete=models.CASCADE,
        related_name="followups",
    )
    action = models.CharField(_("整改事项"), max_length=300)
    owner = models.CharField(_("责任人/部门"), max_length=100)
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.CharField(_("进展说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.action[:40]}（{self.owner}，{self.due_on}）"
