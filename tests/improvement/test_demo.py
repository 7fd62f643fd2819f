"""`seed-demo-improvement` loads one cycle with an analysis and an approved plan in progress, once; every page
of it renders."""

from __future__ import annotations

from django.core.management import call_command

from kefu.improvement.demo import seed_demo_improvement
from kefu.improvement.models import Cycle, Plan


def test_demo_cycle_loads_once_and_its_pages_render(db, client):
    call_command("seed-demo", "--customers", "30")
    call_command("seed-demo-cases")
    call_command("seed-demo-standards")
    call_command("seed-demo-improvement")
    assert seed_demo_improvement() == 0
    cycle = Cycle.objects.get()
    plan = Plan.objects.get(cycle=cycle)
    assert plan.status == "approved" and plan.items.exists()
    assert cycle.analysis.causes.exists()
    assert all(item.progress.exists() for item in plan.items.all())
    from kefu.accounts.models import User

    client.force_login(User.objects.get(username="csmanager"))
    for url in (
        "/improvement/",
        f"/improvement/{cycle.pk}/",
        f"/improvement/{cycle.pk}/analysis/",
        f"/improvement/{cycle.pk}/analysis/cases/",
        f"/improvement/plans/{plan.pk}/",
        f"/improvement/plans/{plan.pk}/print/",
    ):
        assert client.get(url).status_code == 200, url
