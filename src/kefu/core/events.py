"""In-process domain events.

A lower domain publishes a named event from its service; a higher domain subscribes in
its AppConfig.ready(). Handlers run synchronously inside the publisher's transaction,
so the whole business action commits or none of it does (DESIGN.md §4).

A job that changes many records at once (the SLA sweep) publishes them together with
`publish_many`; a subscriber that can do its work set-based registers with `subscribe_many`
and receives the payloads as one list, whichever way they were published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Handler = Callable[..., None]
BatchHandler = Callable[[Sequence[Mapping[str, Any]]], None]

_subscribers: dict[str, list[Handler]] = defaultdict(list)
_batch_subscribers: dict[str, list[BatchHandler]] = defaultdict(list)


def subscribe(event: str, handler: Handler) -> None:
    """Register `handler` for `event`, called once per payload; registering it twice has no effect."""
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def subscribe_many(event: str, handler: BatchHandler) -> None:
    """Register `handler` for `event`, called with the list of payloads published together."""
    if handler not in _batch_subscribers[event]:
        _batch_subscribers[event].append(handler)


def publish(event: str, **payload: Any) -> None:
    """Call every handler of `event` with the payload, in subscription order."""
    publish_many(event, [payload])


def publish_many(event: str, payloads: Sequence[Mapping[str, Any]]) -> None:
    """Publish several occurrences of `event` at once: per-payload handlers run once for each."""
    if not payloads:
        return
    for handler in list(_subscribers.get(event, ())):
        for payload in payloads:
            handler(**payload)
    for batch_handler in list(_batch_subscribers.get(event, ())):
        batch_handler(payloads)
