"""Privacy: what Walker does with a person's data. The access log (`audit`), revealing masked values, sealed text,
subject requests and the registry of who holds personal data, retention of the access log, PII in log lines and
error reports, and passes over encrypted columns. Imports tenancy and identity (a reveal asks for a fresh second
factor), and nothing imports it from either (docs/architecture.md)."""
