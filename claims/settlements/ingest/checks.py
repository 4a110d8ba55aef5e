"""Checks that need the database, run as set operations over a batch's staging rows.

Everything about settlement ids is scoped to the batch's contract: its stored records and this
file. Another insurer's settlement ids can be neither probed, pre-claimed nor reversed.
Each check returns (number of bad rows, the first `limit` errors in row order). No query per row.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from claims.settlements.ingest.errors import RowError, error
from claims.settlements.ingest.spec import MONEY_COLUMNS
from claims.settlements.models import SettlementRecord, SettlementStage
from insurance.models import Enrollment, Person

STAGE = SettlementStage._meta.db_table
RECORDS = SettlementRecord._meta.db_table
FEN = Decimal("0.01")


def _collect(queryset, code: str, column: str, value_field: str, limit: int):
    count = queryset.count()
    if not count:  # the ordered listing can be planned far slower than the count: skip it
        return 0, []
    rows = queryset.order_by("row_number").values_list("row_number", value_field)[:limit]
    return count, [error(number, column, code, value=value) for number, value in rows]


def _originals(fields: str) -> str:
    """The settlements a refund of the batch may reverse: the batch's own rows and the
    contract's stored records that are not refunds themselves (parameters batch, contract)."""
    return (
        f"SELECT {fields} FROM {STAGE} WHERE batch_id = %(batch)s AND NOT refd_setl_flag "  # noqa: S608
        f"UNION ALL SELECT {fields} FROM {RECORDS} "
        "WHERE contract_id = %(contract)s AND NOT refd_setl_flag"
    )


def _reversed_stored() -> str:
    """setl_ids of the contract's stored records that a stored refund already reverses."""
    return (
        f"SELECT init_setl_id FROM {RECORDS} "  # noqa: S608
        "WHERE contract_id = %(contract)s AND refd_setl_flag"
    )


def tie_reversals(*, batch_id: int, contract_id: int) -> list[RowError]:
    """A refund without init_setl_id (a 5203 dump has none) is tied to its original: the one
    settlement of the same person and mdtrt_id, not a refund, not already reversed, dated no
    later, whose medfee_sumamt it negates. It gets that init_setl_id; when there is no such
    settlement or several, the row gets an error naming the mdtrt_id."""
    params = {"batch": batch_id, "contract": contract_id}
    fields = "setl_id, psn_no, mdtrt_id, setl_time, medfee_sumamt"
    sql = (
        "SELECT r.id, r.row_number, r.mdtrt_id, count(o.setl_id), min(o.setl_id) "  # noqa: S608
        f"FROM {STAGE} r LEFT JOIN ({_originals(fields)}) o "
        "ON o.mdtrt_id = r.mdtrt_id AND o.psn_no = r.psn_no "
        "AND o.medfee_sumamt = -r.medfee_sumamt AND o.setl_time <= r.setl_time "
        f"AND o.setl_id NOT IN ({_reversed_stored()}) "
        "WHERE r.batch_id = %(batch)s AND r.refd_setl_flag AND r.init_setl_id = '' "
        "GROUP BY r.id, r.row_number, r.mdtrt_id ORDER BY r.row_number"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
        ties = [(setl_id, pk) for pk, _row, _mdtrt, count, setl_id in found if count == 1]
        if ties:
            cursor.executemany(f"UPDATE {STAGE} SET init_setl_id = %s WHERE id = %s", ties)  # noqa: S608
    return [
        error(
            row,
            "init_setl_id",
            "reversal_without_original" if count == 0 else "reversal_ambiguous",
            value=f"mdtrt_id={mdtrt_id}" if count == 0 else mdtrt_id,
        )
        for _pk, row, mdtrt_id, count, _setl_id in found
        if count != 1
    ]


def _amount(value) -> str:
    return str(Decimal(str(value)).quantize(FEN))


def reversal_problems(*, batch_id: int, contract_id: int) -> list[RowError]:
    """Every refund of the batch names an original of the contract, is its exact negation
    (same person, every amount negated) and is its only refund."""
    params = {"batch": batch_id, "contract": contract_id}
    compared = ("psn_no", *MONEY_COLUMNS)
    fields = ", ".join(("setl_id", *compared))
    sql = (
        f"SELECT r.row_number, r.init_setl_id, o.setl_id, {', '.join(f'r.{c}' for c in compared)}, "  # noqa: S608
        f"{', '.join(f'o.{c}' for c in compared)}, "
        f"r.init_setl_id IN ({_reversed_stored()}) "
        f"FROM {STAGE} r LEFT JOIN ({_originals(fields)}) o ON o.setl_id = r.init_setl_id "
        "WHERE r.batch_id = %(batch)s AND r.refd_setl_flag AND r.init_setl_id <> '' "
        "ORDER BY r.row_number"
    )
    problems: list[RowError] = []
    reversed_in_file: dict[str, int] = {}
    seen_rows: set[int] = set()
    width = len(compared)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            number, init, original = row[0], row[1], row[2]
            if number in seen_rows:  # an original both staged and stored: one is enough
                continue
            seen_rows.add(number)
            mine, theirs = row[3 : 3 + width], row[3 + width : 3 + 2 * width]
            if original is None:
                problems.append(error(number, "init_setl_id", "reversal_without_original",
                                      value=f"init_setl_id={init}"))  # fmt: skip
                continue
            if row[-1] or reversed_in_file.setdefault(init, number) != number:
                problems.append(error(number, "init_setl_id", "already_reversed", value=init))
                continue
            mismatch = _first_mismatch(compared, mine, theirs)
            if mismatch is not None:
                field, expected, actual = mismatch
                problems.append(error(number, field, "reversal_mismatch", original=init,
                                      field=field, expected=expected, actual=actual))  # fmt: skip
    return problems


def _first_mismatch(compared, mine, theirs):
    """(field, expected, actual) of the first value of the refund that is not the original's
    (psn_no) or its negation (amounts); None when it is the exact negation."""
    if mine[0] != theirs[0]:
        return "psn_no", theirs[0], mine[0]
    for field, amount, original in zip(compared[1:], mine[1:], theirs[1:], strict=True):
        if Decimal(str(amount)) != -Decimal(str(original)):
            return field, _amount(-Decimal(str(original))), _amount(amount)
    return None


def check_batch(
    *, batch_id: int, contract_id: int, scheme_id: int, reversals: bool = True, limit: int = 200
) -> tuple[dict, list[RowError]]:
    """Run every set-based check; return counts per error code and the located errors.
    `reversals`: whether any staged row is a reversal (else their check reads nothing)."""
    stage = SettlementStage.objects.filter(batch_id=batch_id)
    known = Exists(Person.objects.filter(psn_no=OuterRef("psn_no")))
    enrolled = Exists(
        Enrollment.objects.filter(
            person__psn_no=OuterRef("psn_no"),
            scheme_year__scheme_id=scheme_id,
            start_date__lte=OuterRef("service_date"),
            end_date__gte=OuterRef("service_date"),
        ).filter(
            Q(status="active") | Q(status="cancelled", cancelled_on__gt=OuterRef("service_date"))
        )
    )
    stored = Exists(
        SettlementRecord.objects.filter(contract_id=contract_id, setl_id=OuterRef("setl_id"))
    )
    checks = (
        (stage.filter(~known), "unknown_person", "psn_no", "psn_no"),
        (stage.filter(known).filter(~enrolled), "not_enrolled", "setl_time", "service_date"),
        (stage.filter(stored), "duplicate_stored", "setl_id", "setl_id"),
    )
    counts: dict[str, int] = {}
    errors: list[RowError] = []
    for queryset, code, column, value_field in checks:
        count, found = _collect(queryset, code, column, value_field, limit)
        if count:
            counts[code] = count
            errors.extend(found)
    if reversals:
        for problem in reversal_problems(batch_id=batch_id, contract_id=contract_id):
            counts[problem.code] = counts.get(problem.code, 0) + 1
            if len(errors) < 4 * limit:
                errors.append(problem)
    errors.sort(key=lambda e: (e.row, e.column))
    return counts, errors
