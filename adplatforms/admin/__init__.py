"""The console pages of the ad platforms: connections, guardrails, performance rules, the changes made outside
Walker and the platforms' recommendations, one module each."""

from adplatforms.admin import connections, guardrails, outside, recommendations, rules  # noqa: F401
