"""Adding a factor proves it (allauth asks for a valid code or a passkey first): the session counts as signed in
with it, so the policy does not ask for it again at once. Every session is listed, and its row keeps no client
address."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.signals import authenticator_added
from allauth.usersessions.models import UserSession
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_save
from django.dispatch import receiver

from tenants.identity.signin.policy import SECOND_FACTORS


@receiver(authenticator_added, dispatch_uid="walker_factor_added_counts")
def count_the_new_factor(sender, request, user, authenticator, **kwargs):
    if request is not None and authenticator.type in SECOND_FACTORS:  # not recovery codes, which back one up
        record_authentication(request, user, method="mfa", type=authenticator.type)


# allauth records the client's address on each session's row (a required column); Walker keeps no one's address
# (tenants 0023), so the row holds the unspecified one. The browser's name stays: people know their devices by it.
NO_ADDRESS = "0.0.0.0"


@receiver(pre_save, sender=UserSession, dispatch_uid="walker_session_keeps_no_address")
def forget_the_address(sender, instance, **kwargs):
    instance.ip = NO_ADDRESS


@receiver(user_logged_in, dispatch_uid="walker_every_session_listed")
def list_the_session(sender, request, user, **kwargs):
    """allauth lists the sessions its own sign-in makes; Django's login() (any other way in) is listed too, so a
    person's sessions all end when they must (tenants.identity.signin.sessions)."""
    if request is None or not request.session.session_key:
        return
    agent = request.META.get("HTTP_USER_AGENT", "")[: UserSession._meta.get_field("user_agent").max_length]
    UserSession.objects.get_or_create(
        session_key=request.session.session_key, defaults={"user": user, "user_agent": agent}
    )
