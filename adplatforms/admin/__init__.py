"""The console pages of the ad platforms: connections, guardrails and performance rules, one module each."""

from adplatforms.admin import connections, guardrails, rules  # noqa: F401
