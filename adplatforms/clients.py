"""The client for a connection: each platform's module registers its client class when the app is ready
(adplatforms.apps), so what syncs and executes never names a platform."""

from collections.abc import Callable

from adplatforms import errors
from adplatforms.platform import AdPlatformClient, UsageObserver

# platform -> a callable(connection, on_usage=...) returning a client of the contract (adplatforms.platform)
_FACTORIES: dict[str, Callable[..., AdPlatformClient]] = {}


def register(platform: str, factory: Callable[..., AdPlatformClient]) -> None:
    _FACTORIES[platform] = factory


def client_for(connection, *, on_usage: UsageObserver | None = None) -> AdPlatformClient:
    """A client for `connection`'s account with its credentials; `on_usage` hears every usage report."""
    factory = _FACTORIES.get(connection.platform)
    if factory is None:
        raise errors.InvalidRequest(f"Walker has no client for {connection.get_platform_display()}")
    return factory(connection, on_usage=on_usage)
