"""Django's database backends as django-prometheus counts them, with the counting cursor class made once per
process (config.db.counting)."""
