from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from config.celery import app as celery_app
from tenants.tasks import clear_expired_sessions


def test_every_beat_entry_names_a_registered_task():
    registered = set(celery_app.tasks)
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in registered, f"beat entry {name!r} runs an unknown task"


def test_beat_schedule_is_loaded_into_the_database_scheduler(transactional_db):
    # transactional_db: the scheduler calls close_old_connections(), which would drop a test transaction.
    DatabaseScheduler(app=celery_app)
    rows = PeriodicTask.objects.filter(name__in=list(settings.CELERY_BEAT_SCHEDULE))
    assert {row.name: row.task for row in rows} == {
        name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    }
    assert all(row.enabled for row in rows)  # visible, and pausable, in the admin


def test_clear_expired_sessions_task_deletes_only_expired_sessions(db):
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="live", session_data="", expire_date=now + timedelta(days=1))
    clear_expired_sessions.delay()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


def test_celery_runs_in_utc():
    assert celery_app.conf.timezone == "UTC" and settings.TIME_ZONE == "UTC"
