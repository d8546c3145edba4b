"""The demo tenant: Acme Outdoor, one person per role. Running it again changes nothing.

Other apps add their demo data with `@demo_seeder` in their own `demo.py`
(found by autodiscovery, so this lowest app never imports them).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from tenants.models import Tenant, User, UserEmailPreference, UserPhoneNumber
from tenants.roles import Role

DEMO_TENANT = {
    "slug": "acme-outdoor",
    "name": "Acme Outdoor",
    "subscription_tier": "pro",
    "timezone": "America/Los_Angeles",
    # MFA and step-up off, so the first hour needs no authenticator app; the dashboard says where to turn them on.
    "mfa_required_roles": [],
    "step_up_risk_level": "",
}
PLATFORM_ADMIN_EMAIL = "platform@walker.test"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    first_name: str
    last_name: str
    role: str
    phone: str
    brief_at: time


DEMO_PEOPLE = [
    DemoPerson("admin@acme.test", "Alex", "Rivera", Role.ADMIN, "+14155550101", time(7, 30)),
    DemoPerson("approver@acme.test", "Priya", "Shah", Role.APPROVER, "+14155550102", time(8, 0)),
    DemoPerson("support@acme.test", "Sam", "Okafor", Role.SUPPORT, "+14155550103", time(8, 30)),
    DemoPerson("compliance@acme.test", "Chloe", "Martin", Role.COMPLIANCE, "+14155550104", time(9, 0)),
    DemoPerson("member@acme.test", "Morgan", "Lee", Role.MEMBER, "+14155550105", time(7, 0)),
]


def _report(log, created: bool, what: str) -> None:
    log(f"  {'created' if created else 'exists '}  {what}")


@transaction.atomic
def seed_demo_tenant(password: str, log=print) -> Tenant:
    """Create what is missing of the demo tenant; never touch what exists (passwords included)."""
    slug = DEMO_TENANT["slug"]
    tenant, created = Tenant.objects.get_or_create(slug=slug, defaults=DEMO_TENANT)
    _report(log, created, f"tenant {tenant.name}")

    superuser = User.objects.filter(email=PLATFORM_ADMIN_EMAIL).first()
    if superuser is None:
        User.objects.create_superuser(PLATFORM_ADMIN_EMAIL, password, first_name="Platform", last_name="Admin")
    _report(log, superuser is None, f"platform superuser {PLATFORM_ADMIN_EMAIL}")

    for person in DEMO_PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User.objects.create_user(
                person.email,
                password,
                tenant=tenant,
                role=person.role,
                first_name=person.first_name,
                last_name=person.last_name,
            )
            _report(log, True, f"user {person.email} ({person.role})")
        else:
            _report(log, False, f"user {person.email} ({user.role})")

        _, created = UserPhoneNumber.objects.get_or_create(
            tenant=tenant, phone_number=person.phone, defaults={"user": user, "verified": True, "is_primary": True}
        )
        _report(log, created, f"phone {person.phone}")

        _, created = UserEmailPreference.objects.get_or_create(
            user=user, defaults={"tenant": tenant, "delivery_time": person.brief_at, "timezone": tenant.timezone}
        )
        _report(log, created, f"email brief at {person.brief_at:%H:%M} for {person.email}")
    return tenant


_seeders: list[Callable] = []


def demo_seeder(func: Callable) -> Callable:
    """Register `func(tenant, log)` to fill the demo tenant; it must change nothing when run again."""
    _seeders.append(func)
    return func


def run_demo_seeders(tenant, log=print) -> None:
    autodiscover_modules("demo")
    for seed in _seeders:
        with transaction.atomic():
            seed(tenant, log)
