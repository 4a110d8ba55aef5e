"""The test profile: fast hashing, tasks in-process unless a test asks for the real worker."""

import os

from .base import *  # noqa: F403
from .base import CACHES, DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
AXES_ENABLED = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True  # no collectstatic before tests

# pytest-xdist: each worker (gw0, gw1...) has its own test database (pytest-django adds the
# suffix); its cache keys get their own prefix, so workers sharing REDIS_URL never read or
# clear each other's entries (processes a test starts inherit PYTEST_XDIST_WORKER).
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker:
    CACHES["default"]["KEY_PREFIX"] = f"test-{_xdist_worker}"
