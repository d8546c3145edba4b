"""The Meta Marketing API client: plain Graph API calls over httpx (docs/adplatforms.md, "Meta")."""
