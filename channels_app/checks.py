"""Tell the operator when a chosen channel provider has no adapter in this build.

The SendGrid (email) adapter is not built yet. Its settings are validated so a
deployment can be prepared, but until the adapter lands email uses the console
provider, and this check says so at every `manage.py` command (`make run` runs
`migrate`) instead of letting an operator believe messages are leaving.
"""

from django.conf import settings
from django.core.checks import Warning, register

NOT_BUILT = {
    "EMAIL_PROVIDER": ("sendgrid", "the SendGrid adapter", "emails", "walker.W002"),
}


@register()
def providers_without_an_adapter(app_configs, **kwargs):
    warnings = []
    for variable, (provider, adapter, what, check_id) in NOT_BUILT.items():
        if getattr(settings, variable) == provider:
            warnings.append(
                Warning(
                    f"{variable}={provider}, but {adapter} is not built yet.",
                    hint=f"{what} are printed by the console provider instead of being sent.",
                    id=check_id,
                )
            )
    return warnings
