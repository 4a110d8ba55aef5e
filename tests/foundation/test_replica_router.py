"""Without a replica the router leaves every read to `default`; migrations never run on a
replica. (tests/claims/test_read_replica.py proves the routing with a replica configured.)"""

from django.conf import settings

from audit.replica import REPLICA, ReplicaRouter, reports
from contracts.models import Insurer


def test_without_a_replica_the_router_leaves_reads_to_default():
    assert REPLICA not in settings.DATABASES
    with reports():
        assert ReplicaRouter().db_for_read(Insurer) is None
    assert ReplicaRouter().db_for_write(Insurer) is None


def test_migrations_never_run_on_the_replica():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "claims") is False
    assert router.allow_migrate("default", "claims") is None
