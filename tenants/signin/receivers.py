"""Adding a factor proves it (allauth asks for a valid code or a passkey first): the session counts as signed in
with it, so the policy does not ask for it again at once."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver

from tenants.signin.policy import SECOND_FACTORS


@receiver(authenticator_added, dispatch_uid="walker_factor_added_counts")
def count_the_new_factor(sender, request, user, authenticator, **kwargs):
    if request is not None and authenticator.type in SECOND_FACTORS:  # not recovery codes, which back one up
        record_authentication(request, user, method="mfa", type=authenticator.type)
