"""Analytics keeps no address: the approval analytics' top approvers are named by id only, and the reason a
notification failed, copied into its platform event, has the address or number it quoted redacted."""

from django.db import migrations

from tenants.pii import redact

NOTIFICATION_EVENTS = ["notification_sent", "notification_delivered", "notification_failed"]


def forget_addresses(apps, schema_editor):
    HITLAnalytics = apps.get_model("analytics", "HITLAnalytics")
    for row in HITLAnalytics.objects.exclude(top_approvers=[]).only("pk", "top_approvers").iterator():
        kept = [{key: value for key, value in entry.items() if key != "email"} for entry in row.top_approvers]
        if kept != row.top_approvers:
            HITLAnalytics.objects.filter(pk=row.pk).update(top_approvers=kept)
    PlatformEvent = apps.get_model("analytics", "PlatformEvent")
    failed = PlatformEvent.objects.filter(event_type__in=NOTIFICATION_EVENTS, metadata__has_key="reason")
    for pk, metadata in failed.values_list("pk", "metadata").iterator():
        if (reason := redact(metadata["reason"])) != metadata["reason"]:
            PlatformEvent.objects.filter(pk=pk).update(metadata={**metadata, "reason": reason})


class Migration(migrations.Migration):
    dependencies = [("analytics", "0009_answer_failed_event")]

    operations = [migrations.RunPython(forget_addresses, migrations.RunPython.noop)]
