import pytest
from django.db.backends.signals import connection_created

from audit.roles import ROLES
from audit.services import user_ensure


def _allow_test_flush(sender, connection, **kwargs):
    """pytest-django empties the test database with TRUNCATE after transactional tests; the audit
    table refuses TRUNCATE (a trigger in audit.AuditEntry's Meta.triggers) except in a test_
    database whose session says so. tests/audit/test_audit_anchor.py turns it off to prove the
    refusal."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET medsupp.test_flush = 'on'")


connection_created.connect(_allow_test_flush, dispatch_uid="tests.allow_test_flush")


# --- Seeds: the test database is made by the migrations, which hold no data; the seeds come
# from the same sync commands a deploy runs after `migrate` (docs/runbook.md).
@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from config.seeds import seeds_sync

    with django_db_blocker.unblock():
        seeds_sync()


@pytest.fixture
def role_user(db):
    """Make a staff user holding one role: `role_user("finance")`."""

    def make(role_code: str, username: str | None = None):
        user, _password = user_ensure(
            username=username or f"t_{role_code}", role_code=role_code, password="pw-for-tests-1"
        )
        return user

    return make


@pytest.fixture
def all_roles():
    return list(ROLES)


def login_verified(client, user):
    """Sign in as if the password and the second factor (TOTP) had both been given."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device, _created = TOTPDevice.objects.get_or_create(user=user, defaults={"confirmed": True})
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def verified_client(client):
    """`verified_client(user)`: the test client signed in with both factors."""
    return lambda user: login_verified(client, user)


def with_perms(user, *perms: str):
    """`user` also holding `perms` ("app_label.codename"), reloaded so no permission is cached."""
    from django.contrib.auth.models import Permission

    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return type(user).objects.get(pk=user.pk)


def _walked_here() -> dict[str, list]:
    """The doors tests/audit/test_access_walk.py walked in this process (none if not imported)."""
    import sys

    walk = sys.modules.get("tests.audit.test_access_walk")
    if walk is None:
        return {"admin": [], "api": []}
    return {kind: [list(door) for door in doors] for kind, doors in walk.WALKED.items()}


# --- pytest-xdist: the access walk's count from every worker -----------------------------------
# Under xdist the walk runs in a worker process; each worker sends the doors it walked back with
# its `workeroutput`, and the controller adds them up for the summary line below.
WALKED_BY_WORKERS = pytest.StashKey[dict]()


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workeroutput"):  # an xdist worker
        session.config.workeroutput["access_walk"] = _walked_here()


@pytest.hookimpl(optionalhook=True)  # an xdist hook: absent with -p no:xdist
def pytest_testnodedown(node, error):
    walked = node.config.stash.setdefault(WALKED_BY_WORKERS, {"admin": set(), "api": set()})
    for kind, doors in getattr(node, "workeroutput", {}).get("access_walk", {}).items():
        walked[kind] |= {tuple(door) for door in doors}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """How many doors the generated access walk walked (tests/audit/test_access_walk.py)."""
    walked = config.stash.get(WALKED_BY_WORKERS, None) or {
        kind: {tuple(door) for door in doors} for kind, doors in _walked_here().items()
    }
    if not (walked["admin"] or walked["api"]):
        return
    terminalreporter.write_line(
        f"access walk: {len(walked['admin'])} admin doors and {len(walked['api'])} "
        f"API doors walked four ways (anonymous, no permission, permission, other insurer/county)"
    )


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path_factory):
    """Each test's signed audit checkpoints in its own folder: a test database rolled back
    must not be measured against another test's checkpoints."""
    settings.MEDSUPP_AUDIT_CHECKPOINT_DIR = tmp_path_factory.mktemp("audit-checkpoints")


@pytest.fixture(autouse=True)
def _eager_results_may_be_joined():
    """A Celery worker started inside this process (celery.contrib.testing, for the real-worker
    test) sets a process-wide flag that makes every later eager `.get()` raise "Never call
    result.get() within a task!"; whichever test ran after it on the same xdist worker failed."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
