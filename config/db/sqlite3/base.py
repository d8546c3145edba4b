from django_prometheus.db.backends.sqlite3 import base as counted

from config.db.counting import counting_cursor


class DatabaseWrapper(counted.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=counting_cursor(self.CURSOR_CLASS, self.alias, self.vendor))
