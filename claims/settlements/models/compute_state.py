"""Where a person's running totals stand in a scheme after the settlements computed so far: the
next batch's compute continues from here instead of walking the person's whole year again
(claims/settlements/services/compute_state.py says when it may)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonComputeState(models.Model):
    """One person in one scheme. Written by the compute in the transaction of the compensations
    it follows; a row that no longer matches what is stored is not used (its person is then
    computed over the whole year again, as before it existed)."""

    # No database constraints: written by COPY a chunk at a time (a deferred check per row), and
    # only beside records, which already keep their person and scheme from being deleted.
    person = models.ForeignKey(
        "insurance.Person",
        verbose_name=_("参保人"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    scheme = models.ForeignKey(
        "insurance.Scheme",
        verbose_name=_("保险项目"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    # What the totals were computed with (the person's facts, the scheme's plans and reference
    # figures): a change of any makes the row unusable.
    fingerprint = models.CharField(_("计算依据指纹"), max_length=64)
    # The highest id among the records folded into the totals: a record of the batch at or
    # below it may have been computed already (by another batch's walk), and the person is
    # walked again.
    last_record_id = models.BigIntegerField(_("已计入的最大结算记录 ID"))
    # JSON: scheme year (the one whose plan computes it) -> {"last": [local time, setl_id] of the
    # last settlement folded in, "acc"/"line"/"plan": insurance.engine.accumulate.state_dump}.
    # Kept as text: only the compute reads it, whole, and every batch rewrites its people's rows;
    # as jsonb PostgreSQL parsed it on each write and printed it on each read (a chunk's 3,000
    # rows: 10 against 5 ms written, 11 against 7 ms read). UNLOGGED on PostgreSQL (0001).
    totals = models.TextField(_("累计状态"))
    batch = models.ForeignKey(
        "claims.SettlementBatch",
        verbose_name=_("批次"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        verbose_name = _("参保人累计状态")
        verbose_name_plural = _("参保人累计状态")
        constraints = [
            models.UniqueConstraint(fields=["person", "scheme"], name="claims_state_person_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.scheme_id}"
