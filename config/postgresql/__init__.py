"""Django's PostgreSQL backend with a pool check that skips connections given back moments ago (base.py)."""
