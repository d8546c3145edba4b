"""How a connect flow fails, in words an admin can act on (never a token, never a stack trace)."""

from django.utils.translation import gettext as _


class ConnectFailed(Exception):
    """The flow stops here; `message` says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def denied(platform_name: str) -> ConnectFailed:
    return ConnectFailed(
        _("You did not allow Walker to use your %(platform)s accounts, so nothing was connected. Press the button "
          "again and choose Allow to connect.") % {"platform": platform_name}
    )  # fmt: skip


def no_accounts(platform_name: str) -> ConnectFailed:
    return ConnectFailed(
        _("The %(platform)s sign-in you used reaches no ad account Walker can manage. Sign in with a login that "
          "has access to an ad account, or ask its owner to add you.") % {"platform": platform_name}
    )  # fmt: skip


def provider_refused(platform_name: str, detail: str) -> ConnectFailed:
    return ConnectFailed(
        _("%(platform)s refused to finish the sign-in (%(detail)s). Nothing was connected; press the button to "
          "try again.") % {"platform": platform_name, "detail": detail}
    )  # fmt: skip


def not_reached(platform_name: str, account: str) -> ConnectFailed:
    return ConnectFailed(
        _("The %(platform)s login you used does not reach %(account)s, the account to reconnect. Sign in with a "
          "login that does.") % {"platform": platform_name, "account": account}
    )  # fmt: skip
