"""The password reset link's token, without allauth's EmailAddress rows.

allauth's default generator (EmailAwarePasswordResetTokenGenerator) first copies the person's address into its
EmailAddress table, in clear, and then hashes the addresses it finds there. Walker keeps addresses encrypted and
that table empty (docs/identity.md), so this one hashes the same values straight from the person: Django's
(the password hash, the last sign-in, the address), then the address as allauth appends it. A link emailed by
allauth's generator to a person without other rows keeps working; the link still stops working once the password,
a sign-in or the address changes.
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator as DjangoGenerator


class PasswordResetTokenGenerator(DjangoGenerator):
    def _make_hash_value(self, user, timestamp) -> str:
        return super()._make_hash_value(user, timestamp) + (user.email or "")
