"""Who wrote an inbound message: by account, verified phone number or email address."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

from conversations.normalized import InboundMessage, IngestError
from tenants.models import User, UserPhoneNumber
from tenants.phones import normalize_phone

UNKNOWN = gettext_lazy(
    "We don't recognise this sender. Ask your Walker admin to add your phone number or email address."
)


def identify_sender(inbound: InboundMessage) -> User:
    users = User.objects.filter(is_active=True, tenant__isnull=False).select_related("tenant")
    if inbound.tenant_id:
        users = users.filter(tenant_id=inbound.tenant_id)

    if inbound.user_id:
        candidates = list(users.filter(pk=inbound.user_id))
    elif inbound.sender_phone:
        try:
            phone = normalize_phone(inbound.sender_phone)
        except ValidationError as err:
            raise IngestError("invalid_sender", err.messages[0]) from None
        owners = UserPhoneNumber.objects.filter(phone_number=phone, verified=True).values("user_id")
        candidates = list(users.filter(pk__in=owners))
    elif inbound.sender_email:
        candidates = list(users.filter(email__iexact=inbound.sender_email.strip()))
    else:
        raise IngestError("unknown_sender", gettext("The message names no sender."))

    if not candidates:
        raise IngestError("unknown_sender", str(UNKNOWN))
    if len(candidates) > 1:
        raise IngestError(
            "ambiguous_sender",
            gettext("This number belongs to people in several businesses; write to your business's own number."),
        )
    return candidates[0]
