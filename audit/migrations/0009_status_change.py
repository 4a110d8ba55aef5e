"""Issue 22: one status-change table for every workflow (`audit.StatusChange`, written by the one
machine `audit.workflow`). The rows of the five history tables it replaces (contracts, evaluations,
fund documents, complaints, monthly statements) are copied into it here, oldest first; the tables
themselves are dropped by the contracts and claims migrations that follow this one.

Self-contained: the historical models only, the moves of old contract rows from their target
status (the contract table kept no move name). Reversible: the rows go back to the old tables
(once those are recreated), except the moves only the machine records (bond deductions, manual
claims, adjustments, disclosure reports), which had no table.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

# The contract workflow's moves by their target status (each target has one move).
CONTRACT_MOVE_TO = {
    "signed": "sign",
    "active": "activate",
    "renewal_requested": "request_renewal",
    "renewal_answered": "answer_renewal",
    "expired": "expire",
    "terminated": "terminate",
}
CHUNK = 1000


def _content_type(apps, app_label: str, model: str) -> int:
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0].pk


def _day(at):
    return timezone.localtime(at).date() if timezone.is_aware(at) else at.date()


def copy_history(apps, schema_editor):
    StatusChange = apps.get_model("audit", "StatusChange")
    rows = []

    def add(ct, object_id, move, source, target, actor_id, at, reason, on=None):
        rows.append(
            StatusChange(
                content_type_id=ct, object_id=object_id, move=move, from_status=source or "",
                to_status=target, actor_id=actor_id, at=at, effective_on=on or _day(at),
                reason=reason or "",
            )
        )  # fmt: skip

    contract_rows = apps.get_model("contracts", "ContractTransition").objects.order_by("id")
    if contract_rows.exists():
        ct = _content_type(apps, "contracts", "contract")
        for r in contract_rows.iterator():
            move = CONTRACT_MOVE_TO.get(r.to_status, r.to_status)
            add(ct, r.contract_id, move, r.from_status, r.to_status, r.actor_id, r.at, r.reason,
                r.effective_on)  # fmt: skip
    evaluation_rows = apps.get_model("contracts", "EvaluationTransition").objects.order_by("id")
    if evaluation_rows.exists():
        ct = _content_type(apps, "contracts", "evaluation")
        for r in evaluation_rows.iterator():
            add(ct, r.evaluation_id, r.move, r.from_status, r.to_status, r.actor_id, r.at, r.reason)
    for r in apps.get_model("contracts", "FundTransition").objects.order_by("id").iterator():
        add(r.content_type_id, r.object_id, r.move, r.from_status, r.to_status, r.actor_id, r.at,
            r.reason)  # fmt: skip
    complaint_rows = apps.get_model("claims", "ComplaintTransition").objects.order_by("id")
    if complaint_rows.exists():
        ct = _content_type(apps, "claims", "complaint")
        for r in complaint_rows.iterator():
            add(ct, r.complaint_id, r.move, r.from_status, r.to_status, r.actor_id, r.at, r.reason)
    statement_rows = apps.get_model("claims", "StatementTransition").objects.order_by("id")
    if statement_rows.exists():
        ct = _content_type(apps, "claims", "claimstatement")
        for r in statement_rows.iterator():
            add(ct, r.statement_id, r.move, r.source, r.target, r.actor_id, r.at, r.reason)
    rows.sort(key=lambda row: row.at)
    StatusChange.objects.bulk_create(rows, batch_size=CHUNK)


def _keep_at(model):
    """Old history models stamp `at` on insert: keep the copied time instead."""
    model._meta.get_field("at").auto_now_add = False
    return model


def copy_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    StatusChange = apps.get_model("audit", "StatusChange")
    tables = {
        ("contracts", "contract"): _keep_at(apps.get_model("contracts", "ContractTransition")),
        ("contracts", "evaluation"): _keep_at(apps.get_model("contracts", "EvaluationTransition")),
        ("claims", "complaint"): _keep_at(apps.get_model("claims", "ComplaintTransition")),
        ("claims", "claimstatement"): _keep_at(apps.get_model("claims", "StatementTransition")),
    }
    funds = _keep_at(apps.get_model("contracts", "FundTransition"))
    fund_models = {"fundingcalculation", "transfer", "reserverelease", "yearendsettlement"}
    out: dict[object, list] = {}
    for content_type in ContentType.objects.filter(app_label__in=["contracts", "claims"]):
        key = (content_type.app_label, content_type.model)
        changes = StatusChange.objects.filter(content_type=content_type).order_by("at", "id")
        for c in changes.iterator():
            common = {"actor_id": c.actor_id, "at": c.at, "reason": c.reason}
            if key == ("contracts", "contract"):
                row = tables[key](contract_id=c.object_id, from_status=c.from_status,
                                  to_status=c.to_status, effective_on=c.effective_on, **common)
            elif key == ("contracts", "evaluation"):
                row = tables[key](evaluation_id=c.object_id, move=c.move,
                                  from_status=c.from_status, to_status=c.to_status, **common)
            elif key == ("claims", "complaint"):
                row = tables[key](complaint_id=c.object_id, move=c.move,
                                  from_status=c.from_status, to_status=c.to_status, **common)
            elif key == ("claims", "claimstatement"):
                row = tables[key](statement_id=c.object_id, move=c.move, source=c.from_status,
                                  target=c.to_status, **common)
            elif key[0] == "contracts" and key[1] in fund_models:
                row = funds(content_type_id=content_type.pk, object_id=c.object_id, move=c.move,
                            from_status=c.from_status, to_status=c.to_status, **common)
            else:
                continue  # a workflow that had no history table
            out.setdefault(type(row), []).append(row)
    for model, rows in out.items():
        model.objects.bulk_create(rows, batch_size=CHUNK)  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0008_audit_chain_anchored"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("contracts", "0004_settlement_rules"),
        ("claims", "0015_own_payment_field_quota_pool"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StatusChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("object_id", models.PositiveBigIntegerField(verbose_name="单据ID")),
                ("move", models.CharField(max_length=32, verbose_name="操作")),
                ("from_status", models.CharField(blank=True, max_length=24, verbose_name="原状态")),
                ("to_status", models.CharField(max_length=24, verbose_name="新状态")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间")),
                ("effective_on", models.DateField(verbose_name="业务日期")),
                ("reason", models.TextField(blank=True, verbose_name="原因/说明")),
                ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="操作人")),
                ("content_type", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contenttypes.contenttype", verbose_name="单据类型")),
            ],
            options={
                "verbose_name": "状态变更记录",
                "verbose_name_plural": "状态变更记录",
                "ordering": ["at", "id"],
                "indexes": [models.Index(fields=["content_type", "object_id"], name="audit_status_change_doc")],
            },
        ),
        migrations.RunPython(copy_history, copy_back),
    ]
