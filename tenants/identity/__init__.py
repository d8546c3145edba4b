"""Identity: who a person is and how they prove it. Sign-in and its second factors (`signin`), single sign-on
(`sso`), the API's sign-in and integration tokens and their scopes, invitations, the login guard, email changes and
phone verification. Imports tenancy (`tenants.models`, `tenants.access`, ...), never `tenants.privacy`
(docs/architecture.md)."""
