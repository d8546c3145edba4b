"""Put every person in exactly their role's group, in their tenant (issue 29).

People a superuser added in the admin lost the group their save had just given them when the form's "groups"
field was saved after it (tenants.signals now keeps it); this repairs them, and anyone else who drifted.
Groups other than role groups are left as they are. A role group created here gets its permissions from
the post-migrate sync (tenants.signals.sync_role_groups_after_migrate).
"""

from django.db import migrations

PREFIX = "tenant:"  # role groups are named "tenant:<tenant id>:<role>" (tenants.roles.role_group_name)


def repair_role_membership(apps, schema_editor):
    User = apps.get_model("tenants", "User")
    Group = apps.get_model("auth", "Group")
    Membership = User.groups.through
    wanted = {
        user_id: f"{PREFIX}{tenant_id}:{role}"
        for user_id, tenant_id, role in User.objects.exclude(tenant=None).values_list("pk", "tenant_id", "role")
    }
    groups = dict(Group.objects.filter(name__in=set(wanted.values())).values_list("name", "pk"))
    for name in set(wanted.values()) - groups.keys():
        groups[name] = Group.objects.create(name=name).pk
    wanted_pk = {user_id: groups[name] for user_id, name in wanted.items()}

    held = Membership.objects.filter(group__name__startswith=PREFIX).values_list("pk", "user_id", "group_id")
    stray, kept = [], set()
    for pk, user_id, group_id in held:
        if wanted_pk.get(user_id) == group_id:
            kept.add(user_id)
        else:
            stray.append(pk)
    Membership.objects.filter(pk__in=stray).delete()
    Membership.objects.bulk_create(
        [Membership(user_id=user_id, group_id=group_id) for user_id, group_id in wanted_pk.items() if user_id not in kept]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("tenants", "0021_encrypt_tenant_webhook_secrets"),
    ]

    operations = [migrations.RunPython(repair_role_membership, migrations.RunPython.noop)]
