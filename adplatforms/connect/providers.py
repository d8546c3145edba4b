"""The platforms a "Connect" button exists for, and whether this installation has what each needs."""

from django.conf import settings

from adplatforms.connect import google, meta

PROVIDERS = {"google": google, "meta": meta}


def missing(platform: str) -> list[str]:
    """The installation settings `platform`'s button still needs (empty: it is offered)."""
    return [name for name in PROVIDERS[platform].SETTINGS if not getattr(settings, name)]


def offered() -> dict[str, list[str]]:
    """Each platform's missing settings, for the connections page and `make run`'s banner."""
    return {platform: missing(platform) for platform in PROVIDERS}
