from config import dbpool  # noqa: F401  (first: a forked child must leave its parent's database pool)
from config.celery import app as celery_app

__all__ = ["celery_app"]
