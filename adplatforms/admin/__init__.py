"""The console pages of the ad platforms: connections, guardrails, performance rules and the changes made outside
Walker, one module each."""

from adplatforms.admin import connections, guardrails, outside, rules  # noqa: F401
