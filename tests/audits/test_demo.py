"""`seed-demo-audits` loads one completed audit and one countersigned evaluation, once."""

from __future__ import annotations

from django.core.management import call_command

from kefu.audits import selectors
from kefu.audits.demo import seed_demo_audits
from kefu.audits.models import Audit, Evaluation


def test_demo_audits_load_once(db):
    call_command("seed-demo", "--customers", "10")
    call_command("seed-demo-standards")
    assert seed_demo_audits() == 2
    assert seed_demo_audits() == 0
    call_command("seed-demo-audits")
    audit = Audit.objects.get()
    assert audit.status == "completed" and audit.answers.count() == 36
    assert selectors.audit_scores(audit).overall.score is not None
    evaluation = Evaluation.objects.get()
    assert evaluation.status == "final"
    assert evaluation.items.count() == 7  # the transport and warehouse indicators of the standard in force
    assert all(p.signature is not None for p in selectors.evaluation_signatures(evaluation))
