"""The second factor of a password sign-in to the API (/api/v1/auth/token/, and the older /api/auth/token/).

A person who has a second factor (an authenticator app or a passkey), or whose tenant's policy needs one, sends, with
their email and password, `code`: a 6-digit code from their authenticator app or one of their recovery codes. An
enrolled factor is asked whatever the policy, as the sign-in page asks it (tenants.identity.signin.stages): a factor
someone
added is theirs to be asked for, and a script has no browser to trust. The code is checked by allauth.mfa's own
form, so it counts towards the same limit as on the sign-in page (5 wrong per person in 5 minutes), a TOTP code
works once, and a recovery code is used up. A passkey cannot be sent by a script: a person with only a passkey uses
an integration token or the console. No session is made: the API answers with tokens.
"""

from allauth.mfa.base.forms import BaseAuthenticateForm
from allauth.mfa.models import Authenticator
from django.utils.translation import gettext

from core.errors import WalkerError
from tenants.identity.signin.policy import is_enrolled, mfa_required

# Factors a script can send a code of (a passkey needs a browser).
CODE_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]


def check_second_factor(user, code: str) -> None:
    """Nothing when the person has no factor and their policy needs none, or `code` is one of theirs; else a
    WalkerError naming what to send. Call with allauth's request context (its middleware sets it), whose address its
    limit counts."""
    if not is_enrolled(user):
        if not mfa_required(user):
            return
        raise WalkerError(
            "mfa_enrolment_required",
            gettext(
                "Your role needs a second factor: add an authenticator app on /accounts/2fa/ in the console, "
                "or use an integration token."
            ),
        )
    if not Authenticator.objects.filter(user=user, type__in=CODE_FACTORS).exists():
        raise WalkerError(
            "mfa_passkey_only",
            gettext(
                "Your second factor is a passkey, which a script cannot use: sign in to the console, "
                "or use an integration token."
            ),
        )
    if not code:
        raise WalkerError(
            "mfa_required",
            gettext("Your account has a second factor: send `code`, from your authenticator app or a recovery code."),
        )
    form = BaseAuthenticateForm(data={"code": code}, user=user)
    if not form.is_valid():
        refusal = form.errors.as_data()["code"][0]
        if refusal.code == "too_many_login_attempts":
            raise WalkerError("too_many_attempts", gettext("Too many wrong codes: wait a few minutes and try again."))
        raise WalkerError("mfa_code_invalid", gettext("This code is wrong or was already used."))
    form.authenticator.record_usage()
