"""Inviting people: who may invite whom, the signed single-use link, and accepting it (docs/identity.md,
"Invitations and recovery").

The link carries `signing.dumps({"i": invitation id, "s": sends})`: unforgeable without SECRET_KEY, and only the
latest email's link works (a resend counts). Single use, expiry and revocation are the invitation row's, read under
its row lock when the link is followed, so two acceptances at once make one account.

`accept` binds the account to the invitation's tenant and role. Any way of proving the invitee holds the link
may call it: the acceptance page with a password, or a single sign-on provider with `password=None` (the account
then has no usable password and signs in through that provider).
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tenants.access import MANAGE_PEOPLE, AccessDenied, is_signed_in
from tenants.models import Invitation, Tenant, User
from tenants.roles import ROLE_MODEL_PERMISSIONS, ROLE_TENANT_PERMISSIONS, Role

log = logging.getLogger(__name__)

TTL = timedelta(days=7)
INVITES_PER_HOUR = 30  # new invitations and resends, per inviter
RESEND_AFTER = timedelta(minutes=1)
MAX_SENDS = 5
SALT = "walker.invitation"


class InvitationError(AccessDenied):
    """The invitation cannot be made, sent or accepted; `detail` says why in plain words."""


# --- who may invite whom ---------------------------------------------------------------------------------------


def may_invite(user, tenant: Tenant) -> bool:
    """Platform superusers into any tenant; a tenant's admins (manage_users on it) into their own."""
    if not is_signed_in(user):
        return False
    return user.is_superuser or (user.tenant_id == tenant.pk and user.has_perm(MANAGE_PEOPLE, tenant))


def grantable_roles(user) -> list[str]:
    """The roles `user` may give: a superuser any; anyone else only roles whose rights their own role holds."""
    if user.is_superuser:
        return list(Role.values)
    own_model = set(ROLE_MODEL_PERMISSIONS.get(user.role, ()))
    own_tenant = set(ROLE_TENANT_PERMISSIONS.get(user.role, ()))
    return [
        role
        for role in Role.values
        if set(ROLE_MODEL_PERMISSIONS[role]) <= own_model and set(ROLE_TENANT_PERMISSIONS[role]) <= own_tenant
    ]


def invitations_for(user):
    """The invitations `user` may see and act on: their tenant's if they may invite into it, every one for a
    superuser."""
    if not is_signed_in(user):
        return Invitation.objects.none()
    if user.is_superuser:
        return Invitation.objects.all()
    if user.tenant_id is None or not may_invite(user, user.tenant):
        return Invitation.objects.none()
    return Invitation.objects.for_user(user)


def get_invitation_for_user(user, invitation_id) -> Invitation:
    try:
        invitation_id = uuid.UUID(str(invitation_id))
    except ValueError:
        raise InvitationError("not_found", gettext("No such invitation.")) from None
    invitation = invitations_for(user).select_related("tenant").filter(pk=invitation_id).first()
    if invitation is None:
        raise InvitationError("not_found", gettext("No such invitation."))
    return invitation


def _check_inviter(user, tenant: Tenant, role: str) -> None:
    if not may_invite(user, tenant):
        if is_signed_in(user) and not user.is_superuser and user.tenant_id != tenant.pk:
            raise InvitationError("wrong_tenant", gettext("You may only invite people into your own tenant."))
        raise InvitationError("forbidden", gettext("Only the tenant's admins may invite people."))
    if role not in grantable_roles(user):
        raise InvitationError("forbidden", gettext("You may not give the role “%(role)s”.") % {"role": role})


def _count_sends(user, now) -> None:
    """Invitations and resends per inviter and hour. Counted under the inviter's row lock, so invitations made at
    once cannot all slip under the limit."""
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
    recent = Invitation.objects.filter(invited_by=user, sent_at__gt=now - timedelta(hours=1)).count()
    if recent >= INVITES_PER_HOUR:
        raise InvitationError(
            "throttled",
            gettext("You sent %(count)s invitations in the last hour; try again later.") % {"count": recent},
        )


# --- inviting ----------------------------------------------------------------------------------------------------


def invite(inviter, tenant: Tenant, email: str, role: str, language: str = "") -> Invitation:
    """A new invitation, emailed. Refused: not the inviter's tenant or role to give, an address with an account the
    inviter manages (see _known_account), one already invited (resend it), too many sent."""
    _check_inviter(inviter, tenant, role)
    email = (email or "").strip().lower()
    if _known_account(inviter, tenant, email):
        raise InvitationError(
            "already_member", gettext("This address already has a Walker account; it cannot be invited.")
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            _count_sends(inviter, now)
            invitation = Invitation.objects.create(
                tenant=tenant,
                email=email,
                role=role,
                language=language_or_default(language or getattr(inviter, "language", "")),
                invited_by=inviter,
                created_at=now,
                sent_at=now,
                sends=1,
                expires_at=now + TTL,
            )
    except IntegrityError:
        raise InvitationError(
            "already_invited",
            gettext("This address already has an open invitation to the tenant: resend or revoke it."),
        ) from None
    invitation.tenant = tenant
    _send(invitation)
    return invitation


def _known_account(inviter, tenant: Tenant, email: str) -> bool:
    """An account the inviter may be told of: one in the tenant they invite into (they manage its people), or any
    account for a platform superuser (they see every tenant's). An account in another tenant is not: a tenant admin
    is answered as for a fresh address, so invitations cannot tell them who has an account elsewhere. That invitation
    is made and emailed as any other; its link tells the address's owner (invitation_for_token)."""
    accounts = User.objects.filter(email=email)
    return accounts.exists() if inviter.is_superuser else accounts.filter(tenant=tenant).exists()


def resend(user, invitation_id) -> Invitation:
    """The email again, with a new link (the earlier one stops working) and a new expiry."""
    now = timezone.now()
    with transaction.atomic():
        invitation = _locked(user, invitation_id)
        status = invitation.status_at(now)
        if status in (Invitation.Status.ACCEPTED, Invitation.Status.REVOKED):
            raise InvitationError("closed", _closed_detail(status))
        if invitation.sent_at and now - invitation.sent_at < RESEND_AFTER:
            raise InvitationError("too_soon", gettext("It was sent less than a minute ago; wait before resending."))
        if invitation.sends >= MAX_SENDS:
            raise InvitationError(
                "too_many_sends",
                gettext("It was sent %(count)s times; revoke it and invite again.") % {"count": invitation.sends},
            )
        _count_sends(user, now)
        invitation.sends += 1
        invitation.sent_at, invitation.expires_at = now, now + TTL
        invitation.invited_by = invitation.invited_by or user
        invitation.save(update_fields=["sends", "sent_at", "expires_at", "invited_by"])
    _send(invitation)
    return invitation


def revoke(user, invitation_id) -> Invitation:
    """The link stops working at once; an accepted invitation cannot be revoked (deactivate the account)."""
    with transaction.atomic():
        invitation = _locked(user, invitation_id)
        status = invitation.status
        if status in (Invitation.Status.ACCEPTED, Invitation.Status.REVOKED):
            raise InvitationError("closed", _closed_detail(status))
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def _locked(user, invitation_id) -> Invitation:
    get_invitation_for_user(user, invitation_id)  # scoped first: another tenant's is not found, not locked
    return Invitation.objects.select_for_update(no_key=True).select_related("tenant").get(pk=invitation_id)


def language_or_default(language: str) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    return language if language in codes else codes[0]


# --- the link and its email ----------------------------------------------------------------------------------------


def make_token(invitation: Invitation) -> str:
    return signing.dumps({"i": str(invitation.pk), "s": invitation.sends}, salt=SALT, compress=True)


def accept_url(invitation: Invitation) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('invitation_accept', args=[make_token(invitation)])}"


def _send(invitation: Invitation) -> None:
    """Through Django's email API, so Walker's provider sends it and logs the delivery (channels_app.email.backend).
    A failed send leaves the invitation as it is, with its failed delivery row: resend it."""
    inviter = invitation.invited_by
    with translation.override(invitation.language):
        subject = gettext("You are invited to %(tenant)s on Walker") % {"tenant": invitation.tenant.name}
        body = "\n\n".join(
            [
                gettext("%(inviter)s invites you to join %(tenant)s on Walker as %(role)s.")
                % {
                    "inviter": inviter.get_full_name() if inviter else "Walker",
                    "tenant": invitation.tenant.name,
                    "role": Role(invitation.role).label,
                },
                gettext("Open this link to set your password and sign in: %(url)s") % {"url": accept_url(invitation)},
                gettext("The link works once and until %(date)s (UTC). If you did not expect it, ignore this email.")
                % {"date": invitation.expires_at.strftime("%Y-%m-%d %H:%M")},
            ]
        )
    email = EmailMessage(subject, body, to=[invitation.email])
    email.walker = {"tenant_id": invitation.tenant_id, "reference": f"invitation:{invitation.pk}:{invitation.sends}"}
    try:
        email.send()
    except Exception:  # the provider's refusal or outage; recorded on the delivery log row
        log.exception("The invitation %s could not be sent", invitation.pk)
        raise InvitationError(
            "not_sent", gettext("The invitation is saved but its email could not be sent; resend it later.")
        ) from None


# --- accepting -------------------------------------------------------------------------------------------------------


def _closed_detail(status: str) -> str:
    if status == Invitation.Status.ACCEPTED:
        return gettext("This invitation was already used. Sign in, or ask for a new password from the sign-in page.")
    if status == Invitation.Status.REVOKED:
        return gettext("This invitation was withdrawn. Ask the person who invited you for a new one.")
    return gettext("This invitation has expired. Ask the person who invited you to send it again.")


def invitation_for_token(token: str, *, for_update: bool = False) -> Invitation:
    """The pending invitation a link names, or a refusal in plain words (expired, used, withdrawn, replaced, an
    address that has an account: told to whoever holds the link, who holds the address, before they type anything).
    The invitation stays open: it can be revoked, and works if that account is erased meanwhile."""
    try:
        data = signing.loads(token, salt=SALT, max_age=TTL)
    except signing.SignatureExpired:
        raise InvitationError("expired", _closed_detail(Invitation.Status.EXPIRED)) from None
    except signing.BadSignature:
        raise InvitationError("not_found", gettext("This invitation link is not valid.")) from None
    rows = Invitation.objects.select_related("tenant")
    if for_update:
        rows = rows.select_for_update(no_key=True, of=("self",))
    try:
        invitation = rows.filter(pk=uuid.UUID(str(data.get("i")))).first()
    except ValueError:
        invitation = None
    if invitation is None:
        raise InvitationError("not_found", gettext("This invitation link is not valid."))
    status = invitation.status
    if status != Invitation.Status.PENDING:
        raise InvitationError(status if status != Invitation.Status.ACCEPTED else "used", _closed_detail(status))
    if invitation.sends != data.get("s"):
        raise InvitationError("replaced", gettext("A newer invitation email replaced this one: open the latest."))
    if User.objects.filter(email=invitation.email).exists():  # in any tenant: an address has one account
        raise InvitationError(
            "already_member",
            gettext(
                "This address already has a Walker account, and an account belongs to one organisation: sign in "
                "with it, or ask who invited you to invite another address."
            ),
        )
    return invitation


def accept(token: str, *, password: str | None, first_name: str = "", last_name: str = "") -> User:
    """The account the invitation promised, in its tenant with its role, and the invitation used up. With
    `password=None` the account has no usable password (single sign-on). Validate the password first."""
    with transaction.atomic():
        invitation = invitation_for_token(token, for_update=True)
        person = User(
            email=invitation.email,
            tenant=invitation.tenant,
            role=invitation.role,
            language=invitation.language,
            first_name=first_name.strip()[:150],
            last_name=last_name.strip()[:150],
        )
        if password is None:
            person.set_unusable_password()
        else:
            person.set_password(password)
        person.save()
        invitation.accepted_at, invitation.accepted_by = timezone.now(), person
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return person


def open_invitation(tenant: Tenant, email: str, *, for_update: bool = False) -> Invitation | None:
    """The invitation still open for this address in this tenant. A first single sign-on accepts it
    (tenants.identity.sso):
    the person gets the role they were invited to, not the provider's default."""
    rows = Invitation.objects.filter(
        tenant=tenant,
        email=(email or "").strip().lower(),
        accepted_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    )
    if for_update:
        rows = rows.select_for_update(no_key=True, of=("self",))
    return rows.first()


def accept_by_single_sign_on(person: User) -> None:
    """The person's open invitation, if any, used up by the account their first single sign-on just made."""
    invitation = open_invitation(person.tenant, person.email, for_update=True)
    if invitation is not None:
        invitation.accepted_at, invitation.accepted_by = timezone.now(), person
        invitation.save(update_fields=["accepted_at", "accepted_by"])


# --- personal data (tenants.privacy.personal_data) --------------------------------------------------------------------


def export_invitations(person: User) -> list[dict]:
    rows = Invitation.objects.filter(email=person.email).order_by("created_at")
    return [
        {"tenant": str(row.tenant_id), "role": row.role, "created_at": row.created_at.isoformat(), "status": row.status}
        for row in rows
    ]


def erase_invitations(person: User, now) -> int:
    """The invitations sent to the person's address go with it (accepted or not)."""
    return Invitation.objects.filter(email=person.email).delete()[0]
