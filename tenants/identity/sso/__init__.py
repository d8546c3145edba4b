"""Single sign-on per tenant through allauth's OpenID Connect provider (docs/identity.md, "Single sign-on"): the
apps built from each tenant's IdentityProvider, discovery, ID-token checks, who may sign in, and the sign-in step."""
