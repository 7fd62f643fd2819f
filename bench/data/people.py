"""Staff and customers: the demo company's people, at the plan's number of customers.

Customers come from the same generator as `manage.py seed-demo` (`kefu.customers.demo`:
contacts with encrypted phones, grades by the grade rules, search tokens), so they are exactly
what the archive expects; it is the slowest part per row (Fernet), hence fewer customers than
cases (see `Plan.customers`).
"""

from __future__ import annotations

from typing import Any

from bench.data import Context, generator


@generator("staff")
def staff(ctx: Context) -> dict[str, Any]:
    from kefu.accounts.models import User
    from kefu.customers import demo

    demo.ensure_staff()
    ctx.shared["users"] = {u.username: u for u in User.objects.filter(is_active=True).select_related("department")}
    return {"users": len(ctx.shared["users"])}


@generator("customers", after=("staff",))
def customers(ctx: Context) -> dict[str, Any]:
    from kefu.customers import demo
    from kefu.customers.models import Customer

    existing = Customer.objects.count()
    wanted = ctx.plan.customers
    made = contacts = 0
    if existing < wanted:
        made, contacts = demo.generate_customers(wanted - existing, seed=ctx.seed, batch_size=2000, now=ctx.now)
    ctx.shared["customers"] = list(
        Customer.objects.filter(is_active=True).order_by("pk").values_list("pk", "name", "grade", "team_id")
    )
    return {"customers": made, "contacts": contacts, "active_customers": len(ctx.shared["customers"])}
