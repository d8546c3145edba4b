"""Tenants' models, one module per responsibility; every name is re-exported so `from tenants.models import X`
and the migrations keep working."""

from tenants.models.access_log import AccessLog, AccessLogQuerySet
from tenants.models.identity_providers import IdentityProvider, SignInDomain
from tenants.models.integration_tokens import IntegrationToken, IntegrationTokenQuerySet
from tenants.models.invitations import Invitation
from tenants.models.people import User, UserManager, UserQuerySet
from tenants.models.phones import UserPhoneNumber
from tenants.models.preferences import BRIEF_SECTION_NAMES, BRIEF_SECTIONS, UserEmailPreference, all_brief_sections
from tenants.models.subject_requests import SubjectRequest
from tenants.models.tenant import (
    MAX_RETENTION_DAYS,
    MIN_ACCESS_LOG_DAYS,
    SupportNotice,
    Tenant,
    TenantQuerySet,
    validate_timezone,
)
from tenants.models.undeliverable import UndeliverableAddress

__all__ = [
    "BRIEF_SECTIONS",
    "BRIEF_SECTION_NAMES",
    "MAX_RETENTION_DAYS",
    "MIN_ACCESS_LOG_DAYS",
    "AccessLog",
    "SupportNotice",
    "AccessLogQuerySet",
    "IdentityProvider",
    "IntegrationToken",
    "IntegrationTokenQuerySet",
    "Invitation",
    "SubjectRequest",
    "SignInDomain",
    "Tenant",
    "TenantQuerySet",
    "UndeliverableAddress",
    "User",
    "UserEmailPreference",
    "UserManager",
    "UserPhoneNumber",
    "UserQuerySet",
    "all_brief_sections",
    "validate_timezone",
]
