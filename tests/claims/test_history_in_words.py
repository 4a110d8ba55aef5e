"""A document's history names every row in words, also the row of its birth (issue 23)."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from audit.workflow import history, registered, workflow_start
from claims.supervision.services.statements import statement_submit
from contracts.services.insurers import insurer_user_link
from tests.claims.supervision_data import applied_batch, claim


@pytest.mark.django_db
def test_a_submitted_statement_history_says_submitted_in_words(covered_city, role_user):
    contract, (person, *_rest) = covered_city["contract"], covered_city["people"]
    clerk = role_user("insurer", username="insurer_clerk")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    claim(applied_batch(contract), person, expected="100.00", paid="100.00")
    statement = statement_submit(contract=contract, period=dt.date(2025, 3, 15), actor=clerk)

    [row] = history(statement)
    assert (row["move"], row["from"], row["to"]) == ("提交月度核算", "-", "已提交")


@pytest.mark.django_db
def test_a_start_the_workflow_does_not_declare_is_refused(covered_city, role_user):
    contract, (person, *_rest) = covered_city["contract"], covered_city["people"]
    clerk = role_user("insurer", username="insurer_clerk")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    claim(applied_batch(contract), person, expected="100.00", paid="100.00")
    statement = statement_submit(contract=contract, period=dt.date(2025, 3, 15), actor=clerk)
    with pytest.raises(ImproperlyConfigured):
        workflow_start(doc=statement, move="born", actor=clerk)


def test_every_start_and_move_has_a_label_in_words():
    for workflow in registered().values():
        names = [*dict(workflow.starts), *(m.name for m in workflow.moves)]
        labels = [*dict(workflow.starts).values(), *(m.label for m in workflow.moves)]
        for name, label in zip(names, labels, strict=True):
            assert str(label) and str(label) != name, (workflow.model, name)
