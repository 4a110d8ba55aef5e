"""A person's consent for an insurer to look up his data (R-SUP-5, R-JN-3).

The audit app imports no domain app: the person is named by `psn_no` and the insurer by
`insurer_id`, both plain indexed columns, never foreign keys. Consents are recorded and revoked
only through `audit.services.consent`; `consent_valid` is the one check the look-ups use.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from audit.choices import ConsentChannel, ConsentScope


class Consent(models.Model):
    psn_no = models.CharField(_("人员编号"), max_length=32, db_index=True)
    insurer_id = models.BigIntegerField(_("保险机构ID"), db_index=True)
    scope = models.CharField(_("授权范围"), max_length=16, choices=ConsentScope.choices)
    period_from = models.DateField(_("数据期间起"), null=True, blank=True)
    period_to = models.DateField(_("数据期间止"), null=True, blank=True)
    channel = models.CharField(_("授权方式"), max_length=16, choices=ConsentChannel.choices)
    given_at = models.DateTimeField(_("授权时间"))
    expires_at = models.DateTimeField(_("到期时间"))
    evidence = models.FileField(_("授权凭证"), upload_to="consents/%Y/%m/", blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoke_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("个人信息查询授权")
        verbose_name_plural = _("个人信息查询授权")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["psn_no", "insurer_id", "scope"], name="audit_consent_lookup_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("given_at")), name="audit_consent_expires_after"
            ),
            models.CheckConstraint(
                condition=Q(period_to__isnull=True)
                | Q(period_from__isnull=True)
                | Q(period_to__gte=F("period_from")),
                name="audit_consent_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.psn_no} → #{self.insurer_id} {self.get_scope_display()}"

    def status_label(self) -> str:
        from django.utils import timezone

        if self.revoked_at is not None:
            return str(_("已撤回"))
        if self.expires_at <= timezone.now():
            return str(_("已过期"))
        return str(_("有效"))

    status_label.short_description = _("状态")
