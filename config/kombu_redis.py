"""kombu's Redis transport, with one redis-py client per channel instead of one per command.

kombu's Redis channel builds a new redis-py client for every message it publishes
(`Channel.conn_or_acquire`), and redis-py 8 fills in each new client's table of about
170 reply callbacks: about 0.2 ms of CPU for every task a socket server hands to the
workers. A redis-py client is thread-safe and borrows a connection from the channel's
pool for each command, so one per channel does; a new one is made when kombu replaces
the pool (after a connection error). Chosen in settings for `redis://` brokers.
"""

from kombu.transport import redis


class Channel(redis.Channel):
    _command_client = None

    def _create_client(self, asynchronous=False):
        if asynchronous:  # the consumer's own client (kombu keeps that one already)
            return super()._create_client(asynchronous=True)
        client = self._command_client
        if client is None or client.connection_pool is not self.pool:
            client = self._command_client = super()._create_client()
        return client


class Transport(redis.Transport):
    Channel = Channel
