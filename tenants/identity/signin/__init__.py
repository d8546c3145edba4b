"""Signing in with django-allauth: the tenant's MFA policy, its enforcement, the login stages that read it, and
an admin's reset of a colleague's factors (docs/identity.md)."""
