"""The 客户服务标准单 in force: the two approved versions `seed-demo-standards` makes (last year's, and a
tighter one since three months ago), with the seeded indicators, weights and targets per customer type,
through the standards services (a few dozen rows). Without it the KPI report has no standard to compute."""

from __future__ import annotations

from typing import Any

from bench.data import Context, generator


@generator("standards", after=("staff",))
def standards(ctx: Context) -> dict[str, Any]:
    from kefu.standards.demo import seed_demo_standards
    from kefu.standards.models import StandardItem

    versions = seed_demo_standards()
    return {"versions": versions, "items": StandardItem.objects.count()}
