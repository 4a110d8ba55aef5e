"""The code mapping a batch is read with: the national families and its city's own codes."""

from __future__ import annotations

import logging

from django.db import connections

from claims.settlements.ingest.codes import NATIONAL_CODES, CodeBook
from claims.settlements.ingest.spec import family_fits
from claims.settlements.models import CodeMapping
from insurance.models import Region

logger = logging.getLogger(__name__)


def _region_chain(region_id: int | None) -> list[int]:
    """The region and its ancestors, nearest first (a handful: one query per level)."""
    chain: list[int] = []
    while region_id is not None and region_id not in chain:
        chain.append(region_id)
        region_id = Region.objects.filter(pk=region_id).values_list("parent_id", flat=True).first()
    return chain


def codebook_for(*, contract) -> CodeBook:
    """column -> {code -> family} for the contract's city: a code of the scheme's region (or a
    region above it) overrides the national one, the nearest region winning."""
    chain = _region_chain(contract.scheme.region_id)
    rank = {None: len(chain), **{region_id: i for i, region_id in enumerate(chain)}}
    rows = CodeMapping.objects.filter(region__isnull=True) | CodeMapping.objects.filter(
        region_id__in=chain
    )
    book: CodeBook = {}
    # Farthest first, so that nearer regions overwrite.
    for column, code, family, _region_id in sorted(
        rows.values_list("column", "code", "family", "region_id"), key=lambda r: -rank[r[3]]
    ):
        if _storable(column, family):
            book.setdefault(column, {})[code] = family
    return book


def _storable(column: str, family: str) -> bool:
    """The admin checks each family; a row written around it that the stored column cannot
    hold is left out, and its code refused as unknown, rather than failing the batch."""
    if family_fits(column, family):
        return True
    logger.warning("code mapping of %s left out: %r is not a family code", column, family)
    return False


def national_codes_ensure(*, using: str = "default") -> int:
    """Add the shipped national codes the table lacks (a deleted one comes back, an edited
    one is kept); the number added."""
    rows = [
        CodeMapping(column=c.column, code=c.code, family=c.family, label=c.label)
        for c in NATIONAL_CODES
    ]
    before = CodeMapping.objects.using(using).filter(region__isnull=True).count()
    CodeMapping.objects.using(using).bulk_create(rows, ignore_conflicts=True)
    return CodeMapping.objects.using(using).filter(region__isnull=True).count() - before


def national_codes_after_migrate(sender, using="default", **kwargs) -> None:
    """After every migrate (and every flush of a test database): the national families are
    shipped data, as the roles are."""
    if CodeMapping._meta.db_table in connections[using].introspection.table_names():
        national_codes_ensure(using=using)
