from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def target_of(item: Any, customer_type: str) -> Any:
    """The item's target for one customer type, blank when it has none (targets are prefetched)."""
    for target in item.targets.all():
        if target.customer_type == customer_type:
            return format(target.target.normalize(), "f")
    return ""
