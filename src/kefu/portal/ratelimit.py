"""Per-client-IP rate limits for the public portal, counted in Django's cache.

Fixed windows: a key per (scope, client, window length, window number) counts the hits; the
first hit in a window creates it with the window as its lifetime. With the default LocMemCache
each process counts on its own; production should configure a shared cache (Redis, database).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from kefu.core.ui import client_ip


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


# Scope → limits; every limit must hold.
LIMITS: dict[str, tuple[Limit, ...]] = {
    "submit": (Limit(5, 10 * 60), Limit(20, 24 * 60 * 60)),
    "lookup": (Limit(10, 10 * 60), Limit(50, 24 * 60 * 60)),
    "act": (Limit(20, 10 * 60), Limit(100, 24 * 60 * 60)),
    "survey": (Limit(20, 10 * 60), Limit(100, 24 * 60 * 60)),
}


def _keys(scope: str, client: str, now: float) -> list[tuple[str, Limit]]:
    return [
        (f"portal-rl:{scope}:{client}:{limit.seconds}:{int(now // limit.seconds)}", limit) for limit in LIMITS[scope]
    ]


def retry_after(request: HttpRequest, scope: str) -> int | None:
    """Seconds until the client may try again, or None when it is within every limit."""
    now = time.time()
    client = client_ip(request) or "unknown"
    waits = [
        limit.seconds - int(now % limit.seconds)
        for key, limit in _keys(scope, client, now)
        if (cache.get(key) or 0) >= limit.count
    ]
    return max(waits) if waits else None


def hit(request: HttpRequest, scope: str) -> None:
    """Count one attempt of this client in every window of the scope."""
    now = time.time()
    client = client_ip(request) or "unknown"
    for key, limit in _keys(scope, client, now):
        cache.add(key, 0, timeout=limit.seconds)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=limit.seconds)
