"""A person's links to their company's provider accounts, for subject requests: the issuer and the provider's
subject id (tenants.identity.sso.provider keeps nothing else). Erased, the person's next sign-in there is refused or
made
anew by the admission rules, never linked to the anonymised account."""

from allauth.socialaccount.models import SocialAccount


def export_links(person) -> list[dict]:
    return [
        {
            "provider": link.provider,
            "issuer": link.extra_data.get("iss"),
            "subject": link.uid,
            "since": link.date_joined.isoformat(),
        }
        for link in SocialAccount.objects.filter(user=person).order_by("date_joined")
    ]


def erase_links(person, now) -> int:
    return SocialAccount.objects.filter(user=person).delete()[0]
