from django.db.backends.postgresql import base as plain
from django_prometheus.db.backends.postgresql import base as counted

from config.db.counting import counting_cursor


class DatabaseWrapper(counted.DatabaseWrapper):
    def get_connection_params(self):
        params = plain.DatabaseWrapper.get_connection_params(self)  # Django's, without django-prometheus' new class
        params["cursor_factory"] = counting_cursor(params["cursor_factory"], self.alias, self.vendor)
        return params
