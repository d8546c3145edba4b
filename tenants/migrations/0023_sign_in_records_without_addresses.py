"""django-axes' records keep no address in clear: its log of sign-ins (now off) named each account by its email,
and attempts made before their POST data was starred kept the address typed. The logs get the keyed hash the
lockout counts by; such attempts (counters that lapse within the cool-off anyway) are dropped."""

from django.db import migrations
from django.db.models import Q

from tenants.fields import hash_of


def forget_addresses(apps, schema_editor):
    for name in ("AccessLog", "AccessFailureLog"):
        model = apps.get_model("axes", name)
        for pk, username in model.objects.filter(username__contains="@").values_list("pk", "username").iterator():
            model.objects.filter(pk=pk).update(username=hash_of("email", username))
    attempts = apps.get_model("axes", "AccessAttempt").objects
    attempts.filter(Q(username__contains="@") | Q(post_data__contains="@") | Q(get_data__contains="@")).delete()


class Migration(migrations.Migration):
    dependencies = [("tenants", "0022_repair_role_membership"), ("axes", "0010_accessattemptexpiration")]

    operations = [migrations.RunPython(forget_addresses, migrations.RunPython.noop)]
