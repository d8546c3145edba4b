"""The reason a notification failed quoted the address or number at times ("x is marked undeliverable", a bounce's
"550 <x>"); it is now kept redacted (hitl.senders.failure), and so are the reasons kept so far."""

from django.db import migrations

from tenants.pii import redact


def redact_reasons(apps, schema_editor):
    HITLNotification = apps.get_model("hitl", "HITLNotification")
    failed = HITLNotification.objects.exclude(failure_reason="").values_list("pk", "failure_reason")
    for pk, reason in failed.iterator():
        if (redacted := redact(reason)) != reason:
            HITLNotification.objects.filter(pk=pk).update(failure_reason=redacted)


class Migration(migrations.Migration):
    dependencies = [("hitl", "0019_encrypt_typed_text")]

    operations = [migrations.RunPython(redact_reasons, migrations.RunPython.noop)]
