"""The periodic jobs in the database at migrate, so beat (django-celery-beat's DatabaseScheduler)
has them without anyone adding them by hand, and staff see them in the admin before beat first
starts. The schedules themselves are declared once, in `config/celery.py`.

Only missing jobs are added: a schedule staff changed or paused in the admin is left as it is
(beat itself refreshes the declared ones when it starts)."""

from __future__ import annotations


def periodic_tasks_seed() -> list[str]:
    """Add every declared job that is not in the database yet; the names added."""
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    from config.celery import app

    existing = set(PeriodicTask.objects.values_list("name", flat=True))
    added = []
    for name, entry in app.conf.beat_schedule.items():
        if name not in existing:
            ModelEntry.from_entry(name, app=app, **entry)
            added.append(name)
    return added


def seed_periodic_tasks_after_migrate(sender, **kwargs) -> None:
    from django.apps import apps as global_apps

    # post_migrate fires once per app: seed after the last one, when every table exists.
    if sender.label != list(global_apps.get_app_configs())[-1].label:
        return
    periodic_tasks_seed()
