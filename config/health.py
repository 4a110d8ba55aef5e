"""`/healthz`: is the database answering, and Redis when it is configured."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    client.ping()
    return "ok"


@never_cache
def healthz(request):
    checks: dict[str, str] = {}
    healthy = True
    for name, check, wanted in (
        ("database", _check_database, True),
        ("redis", _check_redis, bool(settings.REDIS_URL)),
    ):
        if not wanted:
            checks[name] = "not configured"
            continue
        try:
            checks[name] = check()
        except Exception as exc:  # any failure is the answer here, not a crash
            checks[name] = f"error: {exc.__class__.__name__}"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
