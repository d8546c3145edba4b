"""The requests a platform's recommendations filed so far are marked as theirs (hitl's `requested_by_automation`), so
approvers read "Google Ads recommendations" rather than a rule of that name."""

from django.db import migrations


def recommendations_so_far(apps, schema_editor):
    recommendations = apps.get_model("adplatforms", "PlatformRecommendation")
    approvals = apps.get_model("hitl", "HITLApproval")
    filed = recommendations.objects.exclude(approval=None).values("approval_id")
    approvals.objects.filter(pk__in=filed).update(requested_by_automation="recommendation")


class Migration(migrations.Migration):

    dependencies = [
        ("adplatforms", "0006_recommendations"),
        ("hitl", "0014_approval_requested_by_automation"),
    ]

    operations = [
        migrations.RunPython(recommendations_so_far, migrations.RunPython.noop),
    ]
