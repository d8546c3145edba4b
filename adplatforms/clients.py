"""The client for a connection: each platform's module registers its client class when the app is ready
(adplatforms.apps), so what syncs and executes never names a platform. Every client handed out goes through the
shared limiter (adplatforms.limiter)."""

from collections.abc import Callable

from adplatforms import errors, limiter
from adplatforms.platform import AdPlatformClient, UsageObserver

# platform -> a callable(connection, on_usage=...) returning a client of the contract (adplatforms.platform)
_FACTORIES: dict[str, Callable[..., AdPlatformClient]] = {}


def register(platform: str, factory: Callable[..., AdPlatformClient]) -> None:
    _FACTORIES[platform] = factory


def client_for(connection, *, on_usage: UsageObserver | None = None) -> AdPlatformClient:
    """A client for `connection`'s account with its credentials, limited by the quota it shares with every
    tenant's (adplatforms.limiter); `on_usage` hears every usage report after the limiter."""
    factory = _FACTORIES.get(connection.platform)
    if factory is None:
        raise errors.InvalidRequest(f"Walker has no client for {connection.get_platform_display()}")
    keys = limiter.keys_for(connection)
    return limiter.LimitedClient(factory(connection, on_usage=limiter.observer(keys, on_usage)), keys)
