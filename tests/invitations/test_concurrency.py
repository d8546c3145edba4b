"""On PostgreSQL, with threads on their own connections: one invitation followed twice at once makes one account,
and invitations sent at once never pass the inviter's hourly limit."""

from django.db import connection

from tenants.identity import invitations
from tenants.models import Invitation, User
from tenants.roles import Role
from tests.concurrency import at_once
from tests.invitations.conftest import link_in


def _outcome(call):
    try:
        return call()
    except invitations.InvitationError as refused:
        return refused.code


def test_the_same_invitation_accepted_twice_at_once_makes_one_account(postgres_only, mail, tenant_admin):
    assert connection.vendor == "postgresql"
    made = invitations.invite(tenant_admin, tenant_admin.tenant, "new.hire@acme.test", Role.APPROVER)
    token = link_in(mail[0]).rstrip("/").rsplit("/", 1)[1]

    def accept():
        return _outcome(lambda: invitations.accept(token, password="a-long-unusual-passphrase").pk)

    outcomes = at_once(*[accept] * 4)
    accounts = User.objects.filter(email="new.hire@acme.test")
    assert accounts.count() == 1
    assert sorted(map(str, outcomes)) == sorted([str(accounts.get().pk), "used", "used", "used"])
    assert Invitation.objects.get(pk=made.pk).accepted_by_id == accounts.get().pk


def test_invitations_sent_at_once_stay_within_the_hourly_limit(postgres_only, mail, tenant_admin, monkeypatch):
    monkeypatch.setattr(invitations, "INVITES_PER_HOUR", 3)

    def invite(n):
        return lambda: _outcome(
            lambda: invitations.invite(tenant_admin, tenant_admin.tenant, f"p{n}@acme.test", "member").pk
        )

    outcomes = at_once(*[invite(n) for n in range(6)])
    assert Invitation.objects.count() == 3 and sorted(map(str, outcomes)).count("throttled") == 3
