"""`seed-demo-visits` and `seed-demo-surveys` fill their modules once, through the real services."""

from django.core.management import call_command

from kefu.surveys.demo import seed_demo_surveys
from kefu.surveys.models import Response
from kefu.visits.choices import TaskStatus
from kefu.visits.demo import seed_demo_visits
from kefu.visits.models import CareCampaign, VisitTask


def test_demo_visits_and_surveys_load_once(db):
    call_command("seed-demo", "--customers", "80")
    made = seed_demo_visits()
    assert made > 0 and VisitTask.objects.count() >= made
    assert VisitTask.objects.filter(status=TaskStatus.DONE).exists()
    assert CareCampaign.objects.count() == 2
    assert seed_demo_visits() == 0
    responses = seed_demo_surveys(responses=40)
    assert responses > 0 and Response.objects.count() == responses
    assert seed_demo_surveys() == 0
    call_command("seed-demo-visits")
    call_command("seed-demo-surveys")
