"""Asking the API to reveal personal data: `?reveal=1&reason=<why>`, for holders of the tenant's view_pii.

Every door masks by default; a reveal names its reason, which the high-sensitivity access record keeps.
"""

from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError

from tenants.identity.signin.step_up import require_for_api
from tenants.pii import mask
from tenants.privacy.audit import REASON_MAX, may_see_pii


class RevealQuery(serializers.Serializer):
    reveal = serializers.BooleanField(
        default=False, help_text="Personal data unmasked (needs view_pii and a reason; recorded as a reveal)."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX, help_text="Why you need it unmasked."
    )

    def to_internal_value(self, data):
        # DRF reads an empty form value as "not given" (the default, False): say so instead of masking silently
        if data.get("reveal") == "":
            raise serializers.ValidationError({"reveal": "Give reveal=1 (or true) to unmask, or leave it out."})
        return super().to_internal_value(data)

    def validate(self, data):
        if data["reveal"] and not data["reason"].strip():
            raise serializers.ValidationError({"reason": "Say why you need to see personal data unmasked."})
        return data


def requested_reveal(request, tenant) -> tuple[bool, str]:
    """(reveal, reason) from the query string; a reveal without a reason is 400, without view_pii 403, without a
    fresh second factor under the tenant's step-up policy 403 `step_up_required`."""
    form = RevealQuery(data=request.query_params)
    if not form.is_valid():
        raise ValidationError({"code": "invalid", **form.errors})
    if not form.validated_data["reveal"]:
        return False, ""
    if not (request.user.is_superuser or may_see_pii(request.user, tenant)):
        raise PermissionDenied({"code": "pii_forbidden", "detail": "You may not view this tenant's personal data."})
    require_for_api(request, tenant)
    return True, form.validated_data["reason"].strip()


def shown_email(email: str, *, own: bool, revealed: bool) -> str:
    """A person's address where people are named to their colleagues (approvals, their CSV, the approval report):
    in full to the person themselves and on a reveal, else masked (p•••@acme.test)."""
    return email if own or revealed else mask(email)
