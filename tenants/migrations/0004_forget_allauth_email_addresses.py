"""allauth's password reset copied the person's address into its EmailAddress table, in clear
(tenants.signin.password_reset now makes the token without it): the rows it left are removed."""

from django.db import migrations


def forget_addresses(apps, schema_editor):
    apps.get_model("account", "EmailAddress").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0003_sign_in_domain_proof"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(forget_addresses, migrations.RunPython.noop)]
