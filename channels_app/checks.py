"""Tell the operator when a chosen channel provider has no adapter in this build.

The Twilio (WhatsApp) and SendGrid (email) adapters are not built yet. Their
settings are validated so a deployment can be prepared, but until the adapters
land those channels use the console providers, and this check says so at every
`manage.py` command (`make run` runs `migrate`) instead of letting an operator
believe messages are leaving.
"""

from django.conf import settings
from django.core.checks import Warning, register

NOT_BUILT = {
    "WHATSAPP_PROVIDER": ("twilio", "the Twilio adapter", "WhatsApp messages"),
    "EMAIL_PROVIDER": ("sendgrid", "the SendGrid adapter", "emails"),
}


@register()
def providers_without_an_adapter(app_configs, **kwargs):
    warnings = []
    for number, (variable, (provider, adapter, what)) in enumerate(NOT_BUILT.items(), start=1):
        if getattr(settings, variable) == provider:
            warnings.append(
                Warning(
                    f"{variable}={provider}, but {adapter} is not built yet.",
                    hint=f"{what} are printed by the console provider instead of being sent.",
                    id=f"walker.W00{number}",
                )
            )
    return warnings
