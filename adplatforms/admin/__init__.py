"""The console pages of the ad platforms: connections and guardrails, one module each."""

from adplatforms.admin import connections, guardrails  # noqa: F401
