from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from insurance.choices import PlanStatus
from insurance.engine import Plan, parse_plan, render_plan, validate_plan


class BenefitPlan(models.Model):
    """A versioned benefit plan document (docs/plans.md), validated by the engine.

    An active version is never edited: a change is a new draft version, activated in its turn,
    so every stored compensation keeps pointing at the rules it was computed with.
    """

    code = models.CharField(_("方案编码"), max_length=64)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    document = models.JSONField(_("方案文档"))
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    example = models.BooleanField(
        _("示例参数"), default=False, help_text=_("政策原文未给出数额，使用了示例参数")
    )
    source = models.CharField(_("政策依据"), max_length=300, blank=True)
    plain_words = models.TextField(_("通俗表述"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待遇方案")
        verbose_name_plural = _("待遇方案")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="insurance_plan_version")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code} v{self.version}）"

    def clean(self) -> None:
        issues = validate_plan(self.document) if isinstance(self.document, dict) else None
        if issues is None:
            raise ValidationError({"document": _("方案文档必须是一个 JSON 对象。")})
        if issues:
            english = (get_language() or "").startswith("en")
            raise ValidationError(
                {
                    "document": [
                        f"{issue.path}: {issue.message_en if english else issue.message_zh}"
                        for issue in issues
                    ]
                }
            )
        self.fill_from_document()

    def fill_from_document(self) -> None:
        """Name, dates, example flag, source and plain words come from the document itself."""
        plan = parse_plan(self.document)
        self.code = plan.code
        self.version = plan.version
        self.name = plan.name
        self.effective_from = plan.effective_from
        self.effective_to = plan.effective_to
        self.example = plan.example
        rules = "、".join(plan.source_rules)
        self.source = f"{plan.source_seed} {rules}".strip()[:300]
        self.plain_words = render_plan(plan=plan, lang="zh")

    @cached_property
    def parsed(self) -> Plan:
        return parse_plan(self.document)

    @property
    def waiting_days(self) -> int:
        return self.parsed.eligibility.waiting_days
