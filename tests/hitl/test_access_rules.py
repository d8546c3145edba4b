"""hitl.access answers the same for one person and for many: `reviewers_among` (briefs read a chunk of readers
at once) holds exactly those whom `approvals_for` shows the whole tenant's approvals."""

from hitl.access import approvals_for, reviewers_among
from tenants.roles import Role
from tests.factories import UserFactory


def test_reviewers_among_many_is_approvals_for_each_one(tenant, ask, superuser):
    people = [UserFactory(tenant=tenant, role=role) for role in Role.values]
    people.append(UserFactory(tenant=tenant, role=Role.APPROVER, is_active=False))
    someone_elses = ask("700.00", by=UserFactory(tenant=tenant))
    seeing_all = {person.pk for person in people if approvals_for(person).filter(pk=someone_elses.pk).exists()}
    assert reviewers_among([person.pk for person in people]) == seeing_all
    assert {Role(p.role) for p in people if p.pk in seeing_all} == {Role.ADMIN, Role.APPROVER, Role.COMPLIANCE}
    assert reviewers_among([superuser.pk]) == {superuser.pk} and approvals_for(superuser).exists()
