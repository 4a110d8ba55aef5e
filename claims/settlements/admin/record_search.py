"""Exact search of settlement records: by setl_id, mdtrt_id or the person's psn_no.

A record keeps the psn_no the insurer sent, but that column has no index: every index costs
each bulk insert (about half a second per 200,000 rows). A psn_no is looked up on the people
register instead (unique) and its records found through the (person, setl_time) index; apply
joins each row to the person with that psn_no, so both ways find the same records.
"""

from __future__ import annotations

from django.db.models import Q

from insurance.models import Person


def record_search_q(term: str, *, prefix: str = "", mdtrt: bool = True) -> Q | None:
    """The records (through `prefix`, e.g. "record__") whose ids or person match `term`."""
    term = term.strip()
    if not term:
        return None
    found = Q(**{f"{prefix}setl_id": term})
    if mdtrt:
        found |= Q(**{f"{prefix}mdtrt_id": term})
    # Ids, not a subquery: inside an OR only a list lets PostgreSQL use the index.
    person_ids = list(Person.objects.filter(psn_no=term).values_list("id", flat=True))
    if person_ids:
        found |= Q(**{f"{prefix}person_id__in": person_ids})
    return found


class RecordSearchMixin:
    """Admin search through record_search_q; `search_fields` only turns the search box on."""

    record_prefix = ""
    record_search_mdtrt = True

    def get_search_results(self, request, queryset, search_term):
        found = record_search_q(
            search_term, prefix=self.record_prefix, mdtrt=self.record_search_mdtrt
        )
        return (queryset if found is None else queryset.filter(found)), False
