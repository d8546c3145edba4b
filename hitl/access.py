"""Who may see and do what with an approval: the one rule for the admin, the API, one-click links,
decisions by email or WhatsApp, the console socket and the services themselves.

- view: the tenant's staff roles that review approvals (admin, approver, compliance: the role's
  `view_hitlapproval`) see all of the tenant's; anyone else sees only what they asked for.
- decide (approve, reject, escalate, run again, mark failed): the role's `decide_hitlapproval`, or the
  django-guardian object permission given to whoever an approval was routed or escalated to. The
  services still check the level's eligibility and that nobody decides their own request.
- manage (stop someone else's request, edit workflows): tenant admins.
- reveal: django-guardian's `view_pii` on the tenant.
"""

import functools

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from hitl.errors import DecisionError
from hitl.models import HITLApproval
from tenants.access import Need, is_signed_in
from tenants.models import User
from tenants.privacy.audit import may_see_pii

VIEW_ALL = "hitl.view_hitlapproval"
DECIDE = "hitl.decide_hitlapproval"
MANAGE = "tenants.change_tenant"  # django-guardian's, on the tenant: those who manage it, its admins


@functools.cache
def decide_permission() -> Permission:
    """DECIDE's row, read once per process (as Django keeps content types): migrate writes it once and it never
    changes; hitl.apps forgets it after every migrate or flush, which may write it again."""
    return Permission.objects.get(
        content_type=ContentType.objects.get_for_model(HITLApproval), codename=DECIDE.split(".")[1]
    )


def forget_decide_permission(**kwargs):
    """post_migrate's receiver (hitl.apps): the next `decide_permission()` reads the row again."""
    decide_permission.cache_clear()


def approvals_for(user):
    """The approvals `user` may see."""
    if not is_signed_in(user):
        return HITLApproval.objects.none()
    approvals = HITLApproval.objects.for_user(user)
    if user.is_superuser or user.has_perm(VIEW_ALL):
        return approvals
    return approvals.filter(requested_by=user)


def reviewers_among(user_ids) -> set:
    """Those of `user_ids` who see all of their tenant's approvals (what `approvals_for` asks of one person,
    for many at once: the role group's or their own `view_hitlapproval`, or a superuser)."""
    app_label, codename = VIEW_ALL.split(".")
    grants = {"permissions__content_type__app_label": app_label, "permissions__codename": codename}
    through_group = {f"groups__{key}": value for key, value in grants.items()}
    own = {f"user_{key}": value for key, value in grants.items()}
    people = User.objects.filter(pk__in=user_ids, is_active=True)
    return set(people.filter(Q(is_superuser=True) | Q(**through_group) | Q(**own)).values_list("pk", flat=True))


def may_review(user) -> bool:
    """Whether `user` may see the tenant's approvals at all (the queue, the console's live feed)."""
    return is_signed_in(user) and (user.is_superuser or (user.tenant_id is not None and user.has_perm(VIEW_ALL)))


def may_decide(user, approval: HITLApproval | None = None) -> bool:
    """The role's decide permission, or the object permission on this approval."""
    return user.has_perm(DECIDE) or (approval is not None and user.has_perm(DECIDE, approval))


def may_manage(user) -> bool:
    """Whether `user` manages their tenant's approvals (stops others' requests, edits workflows)."""
    return is_signed_in(user) and (
        user.is_superuser or (user.tenant_id is not None and user.has_perm(MANAGE, user.tenant))
    )


def may(user, need: Need, approval: HITLApproval) -> bool:
    """Whether `user`, who can see `approval`, may do `need` with it."""
    if need == Need.VIEW:
        return True
    if need == Need.DECIDE:
        return may_decide(user, approval)
    if need == Need.MANAGE:
        return may_manage(user)
    if need == Need.REVEAL:
        return may_see_pii(user, approval.tenant)
    return False


def get_approval_for_user(user, approval_id, need: Need = Need.VIEW, *, for_update=False, nowait=False):
    """The approval if `user` may `need` it; row-locked with `for_update` (with `nowait`, a held row raises
    DatabaseError at once). Outside what they may see: `not_found`; seen but not allowed: `forbidden`."""
    approvals = approvals_for(user)
    if for_update:
        approvals = approvals.select_for_update(nowait=nowait, no_key=True)
    approval = approvals.filter(pk=approval_id).first()
    if approval is None:
        raise DecisionError("not_found", "No such approval.")
    if not may(user, need, approval):
        raise DecisionError("forbidden", f"You may not {Need(need).label} this approval.")
    return approval
