"""`compute_benefits` streams through an external sort (insurance/what_if.py): the same results
as the engine over the whole file in memory, in the file's order, whatever the order of the
rows (issue #24)."""

import csv
import random
from dataclasses import replace

import pytest
from django.core.management import call_command

from insurance.engine import Enrolment, PersonFacts, compute_many, parse_plan
from insurance.plans import load_shipped_plans
from insurance.what_if import Spill
from tests.benchmarks.bench_engine import make_settlements
from tests.insurance.what_if_files import write_settlements


def _expected(plan_code, settlements, persons):
    plan = parse_plan(load_shipped_plans()[plan_code])
    line_ids = [line.id for line in plan.lines]
    rows = {}
    for person in compute_many(plan=plan, persons=persons, settlements=settlements):
        for r in person.settlements:
            rows[r.setl_id] = [
                r.setl_id, person.psn_no, f"{r.total:.2f}",
                *(f"{r.lines.get(i, 0):.2f}" for i in line_ids),
            ]  # fmt: skip
    return rows


@pytest.mark.django_db
def test_streamed_results_equal_the_engine_in_memory_in_file_order(tmp_path):
    settlements = list(make_settlements(settlements=3000, people=700, year=2018))
    random.Random(3).shuffle(settlements)  # a city's file: people interleaved, not grouped
    write_settlements(tmp_path / "s.csv", settlements)
    out = tmp_path / "out.csv"
    call_command(
        "compute_benefits", "--plan", "ordos-2018", "--settlements", str(tmp_path / "s.csv"),
        "--output", str(out),
    )  # fmt: skip
    # without a persons file everyone is enrolled since always, urban, with no statuses
    from insurance.management.commands.compute_benefits import ALWAYS

    persons = {
        s.psn_no: PersonFacts(
            psn_no=s.psn_no, insutype=s.insutype, enrolments=(Enrolment(start=ALWAYS),),
            insured_since=ALWAYS, hire_date=ALWAYS,
        )
        for s in settlements
    }  # fmt: skip
    expected = _expected("ordos-2018", settlements, persons)
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert [row[0] for row in rows[1:]] == [s.setl_id for s in settlements]  # the file's order
    assert {row[0]: row for row in rows[1:]} == expected
    assert any(row[2] != "0.00" for row in rows[1:])


@pytest.mark.django_db
def test_a_persons_file_is_joined_and_its_last_row_of_a_person_wins(tmp_path):
    settlements = [
        replace(s, med_type="21")
        for s in make_settlements(settlements=40, people=10, year=2018)
        if not s.refd_setl_flag
    ]
    write_settlements(tmp_path / "s.csv", settlements)
    people = tmp_path / "p.csv"
    people.write_text(
        "psn_no,cvlserv_flag\nP00000001,0\nP00000001,1\nP00000002,1\n", encoding="utf-8"
    )
    out = tmp_path / "out.csv"
    call_command(
        "compute_benefits", "--plan", "ordos-2018", "--settlements", str(tmp_path / "s.csv"),
        "--persons", str(people), "--output", str(out),
    )  # fmt: skip
    from insurance.management.commands.compute_benefits import ALWAYS

    persons = {
        psn: PersonFacts(psn_no=psn, insutype="", cvlserv_flag=True,
                         enrolments=(Enrolment(start=ALWAYS),))
        for psn in ("P00000001", "P00000002")
    }  # fmt: skip
    expected = _expected("ordos-2018", settlements, persons)
    with out.open(encoding="utf-8") as fh:
        got = {row["setl_id"]: row for row in csv.DictReader(fh)}
    assert {k: list(v.values()) for k, v in got.items()} == expected


def test_the_spill_reports_a_repeated_settlement_id_and_sorts_on_disk(tmp_path):
    one, two = list(make_settlements(settlements=2, people=2, year=2018))
    with Spill(directory=str(tmp_path)) as spill:
        spill.add_settlement(2, two.setl_id, two.psn_no, ("second",))
        spill.add_settlement(3, one.setl_id, one.psn_no, ("first",))
        assert spill.first_duplicate() is None
        spill.add_settlement(4, one.setl_id, one.psn_no, ("again",))
        spill.add_settlement(5, two.setl_id, two.psn_no, ("again",))
        assert spill.first_duplicate() == (4, one.setl_id)  # the first repeat in file order
        assert spill.first_duplicate(before=4) is None  # only the rows before a bad one
        people = list(spill.people())
        assert [(psn, [n for n, _row in rows]) for psn, _f, rows in people] == [
            (one.psn_no, [3, 4]), (two.psn_no, [2, 5]),
        ]  # fmt: skip
        assert people[0][2][0] == (3, ("first",))  # the row comes back as it went in
        assert list(tmp_path.iterdir())  # the sort's file is on disk, not in memory
    assert not list(tmp_path.iterdir())  # and removed afterwards
