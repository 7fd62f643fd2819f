from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "kefu.visits"
    label = "visits"
    verbose_name = _("Follow-up visits")

    def ready(self) -> None:
        from kefu.core import events
        from kefu.core.presentation import register_action_labels, register_field_labels, register_value_labels
        from kefu.visits import tasks  # noqa: F401  (registers the periodic jobs)
        from kefu.visits.choices import Outcome, VisitEvent
        from kefu.visits.services import on_domain_event

        # Event-driven rules: every event a rule may follow schedules its visits. The operations
        # events fire once that app publishes them; nothing else needs wiring.
        for event in VisitEvent.values:
            if event not in (VisitEvent.OCCASION, VisitEvent.PREVIOUS_VISIT_DONE):
                events.subscribe(event, on_domain_event(event))

        register_action_labels(
            {
                "visits.rule.created": _("Visit rule added"),
                "visits.rule.changed": _("Visit rule changed"),
                "visits.script.created": _("Script added"),
                "visits.script.changed": _("Script changed"),
                "visits.policy.changed": _("Visit settings changed"),
                "visits.tasks.generated": _("Visits generated"),
                "visits.task.scheduled": _("Visit scheduled after an event"),
                "visits.task.not_reached": _("Customer not reached; retry scheduled"),
                "visits.task.unreachable": _("Customer not reached; given up"),
                "visits.task.done": _("Visit recorded"),
                "visits.task.case_opened": _("Case opened from the visit"),
                "visits.task.assigned": _("Visit assigned"),
                "visits.campaign.created": _("Care campaign scheduled"),
                "visits.campaign.sent": _("Care campaign sent"),
                "visits.campaign.cancelled": _("Care campaign cancelled"),
            }
        )
        subject = "visits.visittask"
        register_value_labels("outcome", dict(Outcome.choices), subject_type=subject)
        register_value_labels("event", dict(VisitEvent.choices), subject_type=subject)
        register_field_labels(
            {
                "outcome": _("outcome"),
                "evaluation": _("customer's evaluation"),
                "improvement": _("what to improve"),
                "attempts": _("attempts"),
                "due_at": _("due"),
                "note": _("note"),
                "case": _("case"),
                "kind": _("kind"),
                "assignee": _("assignee"),
                "event": _("event"),
                "source": _("source"),
            },
            subject_type=subject,
        )
