"""Public disclosure reports (信息公开, R-SUP-4).

The audit app imports no domain app, so a report names its scheme by id plus its code and name as
text. The figures are a JSON document built by `claims.oversight.services.disclosure`; only
aggregates,
small cells already suppressed. Draft -> checked (reviewer) -> published (director, another
person). A published report is frozen: a correction is a new version that `supersedes` it and says
what changed in `change_note`.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.choices import DisclosureStatus
from audit.fields import stamp_fields, user_field
from audit.models.workflow import StatusTracked, two_people


def content_sha256(content: dict) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DisclosureReport(StatusTracked):
    scheme_id = models.BigIntegerField(_("保险方案ID"), db_index=True)
    scheme_code = models.CharField(_("方案编码"), max_length=32)
    scheme_name = models.CharField(_("方案名称"), max_length=128)
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(
        _("状态"), max_length=16, choices=DisclosureStatus.choices, default=DisclosureStatus.DRAFT
    )
    content = models.JSONField(_("公开内容"), default=dict, blank=True)
    content_sha256 = models.CharField(_("内容 SHA-256"), max_length=64, blank=True)
    built_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    drafted_by = user_field(_("起草人"))
    checked_by, checked_at = stamp_fields(_("复核人"), _("复核时间"))
    published_by, published_at = stamp_fields(_("发布人"), _("发布时间"))
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正的版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    change_note = models.TextField(_("更正说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("信息公开报告")
        verbose_name_plural = _("信息公开报告")
        ordering = ["-year", "scheme_code", "-version"]
        permissions = [("check_disclosurereport", _("可复核信息公开报告"))]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme_id", "year", "version"], name="audit_disclosure_version_unique"
            ),
            two_people("published_by", "checked_by", name="audit_disclosure_two_people"),
            models.CheckConstraint(
                condition=models.Q(version=1, supersedes__isnull=True)
                | models.Q(version__gt=1, supersedes__isnull=False),
                name="audit_disclosure_correction_links",
            ),
        ]
        indexes = [models.Index(fields=["status", "scheme_code", "year"], name="audit_discl_idx")]

    def __str__(self) -> str:
        return f"{self.scheme_name} {self.year}年信息公开（第{self.version}版）"

    def save(self, *args, **kwargs):
        """A published report never changes: any save of a row already published is refused."""
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == DisclosureStatus.PUBLISHED:
                raise ValidationError(_("已发布的信息公开报告不能修改；如需更正，请新建更正版本。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_frozen:
            raise ValidationError(_("已发布的信息公开报告不能删除。"))
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status == DisclosureStatus.PUBLISHED
