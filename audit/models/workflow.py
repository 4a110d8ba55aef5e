"""The records of the workflow machine (`audit.workflow`): the one status-change table, and the
abstract models a workflow's document inherits: its history, and maker and checker.

Generic on purpose (the audit app imports no domain app): a status change names its document by
content type and id.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.fields import stamp_fields, user_field


class StatusChange(models.Model):
    """One move of one document through its workflow: which move, from where to where, who,
    when (and on which business date), why. Written only by `audit.workflow`."""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("单据类型"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("单据ID"))
    document = GenericForeignKey("content_type", "object_id")
    move = models.CharField(_("操作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=24, blank=True)
    to_status = models.CharField(_("新状态"), max_length=24)
    actor = user_field(_("操作人"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    effective_on = models.DateField(_("业务日期"))
    reason = models.TextField(_("原因/说明"), blank=True)

    class Meta:
        verbose_name = _("状态变更记录")
        verbose_name_plural = _("状态变更记录")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="audit_status_change_doc")
        ]

    def __str__(self) -> str:
        return f"{self.move}: {self.from_status or '-'} → {self.to_status}"


class StatusTracked(models.Model):
    """A document with a workflow: `history` is its status changes, oldest first (deleted with
    it)."""

    history = GenericRelation(StatusChange, verbose_name=_("状态变更记录"))

    class Meta:
        abstract = True


def two_people(checker: str, maker: str, *, name: str) -> models.CheckConstraint:
    """The database's own maker/checker rule: the checker is not the maker."""
    return models.CheckConstraint(
        condition=Q(**{f"{checker}__isnull": True}) | ~Q(**{checker: F(maker)}), name=name
    )


class MakerChecker(StatusTracked):
    """A money document made by one person and approved by another (R-ORD-2, R-CON-3): who
    prepared it and when, who approved (or refused) it and when; the database refuses one person
    in both."""

    prepared_by, prepared_at = stamp_fields(_("制单人"), _("制单时间"))
    approved_by, approved_at = stamp_fields(_("审批人"), _("审批时间"))

    class Meta:
        abstract = True
        constraints = [
            two_people("approved_by", "prepared_by", name="%(app_label)s_%(class)s_two_people")
        ]
