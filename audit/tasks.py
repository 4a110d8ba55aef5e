from celery import shared_task
from django.utils import timezone


@shared_task(name="audit.tasks.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """A no-op that proves a worker is consuming; also used by the real-worker test."""
    return timezone.now().isoformat()


@shared_task(name="audit.tasks.add", ignore_result=False)
def add(x: int, y: int) -> int:
    return x + y
