"""In-process domain events.

A lower domain publishes a named event from its service; a higher domain subscribes in
its AppConfig.ready(). Handlers run synchronously inside the publisher's transaction,
so the whole business action commits or none of it does (DESIGN.md §4).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Handler = Callable[..., None]

_subscribers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(event: str, handler: Handler) -> None:
    """Register `handler` for `event`; registering the same handler twice has no effect."""
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def publish(event: str, **payload: Any) -> None:
    """Call every handler of `event` with the payload, in subscription order."""
    for handler in list(_subscribers.get(event, ())):
        handler(**payload)
