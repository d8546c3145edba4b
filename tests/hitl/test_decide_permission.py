"""The decide permission's row is read once per process, and again after a migrate or flush may have rewritten it."""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_migrate

from hitl.access import DECIDE, decide_permission
from hitl.models import HITLApproval


def test_read_once_then_again_after_a_migrate(db, django_assert_num_queries):
    decide_permission.cache_clear()
    ContentType.objects.get_for_model(HITLApproval)  # Django's own cache, warm in any process that served a page
    with django_assert_num_queries(1):
        first = decide_permission()
    assert f"{first.content_type.app_label}.{first.codename}" == DECIDE
    with django_assert_num_queries(0):
        assert decide_permission() is first
    hitl = apps.get_app_config("hitl")
    post_migrate.send(sender=hitl, app_config=hitl, verbosity=0, interactive=False, using="default", apps=apps)
    ContentType.objects.get_for_model(HITLApproval)  # Django forgets its content types then too
    with django_assert_num_queries(1):
        assert decide_permission() == first
