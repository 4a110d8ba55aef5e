import pgtrigger
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.choices import AuditAction


class AuditEntry(models.Model):
    """One line of the tamper-evident audit log.

    Each entry's `hash` covers its own content and the previous entry's hash, so changing or
    removing any entry breaks every link after it (`manage.py verify_audit_chain` finds the first).
    The actor is stored by id and name, not as a foreign key: deleting a user must not touch the
    log.
    """

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    summary = models.CharField(_("摘要"), max_length=500, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    changes = models.JSONField(_("变更（前/后）"), default=dict, blank=True)
    extra = models.JSONField(_("附加信息"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        permissions = [
            ("reveal_personal_data", _("可查看完整个人信息（需说明理由）")),
            ("publish_disclosure", _("可发布信息公开报告")),
        ]
        # PostgreSQL only (pgtrigger skips other databases): the log is append-only in the
        # database itself. TRUNCATE is refused too, except in a test_ database whose session
        # sets medsupp.test_flush (pytest-django empties it between transactional tests).
        triggers = [
            pgtrigger.Trigger(
                name="audit_entry_append_only",
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                func="RAISE EXCEPTION 'audit_auditentry is append-only (% refused)', TG_OP "
                "USING ERRCODE = 'insufficient_privilege';",
            ),
            pgtrigger.Trigger(
                name="audit_entry_no_truncate",
                level=pgtrigger.Statement,
                when=pgtrigger.Before,
                operation=pgtrigger.Truncate,
                func="IF current_database() LIKE 'test!_%' ESCAPE '!' "
                "AND current_setting('medsupp.test_flush', true) = 'on' THEN RETURN NULL; END IF; "
                "RAISE EXCEPTION 'audit_auditentry is append-only (TRUNCATE refused)' "
                "USING ERRCODE = 'insufficient_privilege';",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_action_display()} {self.object_repr}"
