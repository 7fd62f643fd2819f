from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "kefu.tickets"
    label = "tickets"
    verbose_name = _("Complaints and service requests")

    def ready(self) -> None:
        from kefu.core import events
        from kefu.core.presentation import register_action_labels, register_field_labels, register_value_labels
        from kefu.tickets.choices import CaseChannel, CaseKind, Metric, Priority, Satisfaction, Severity
        from kefu.tickets.models import Case
        from kefu.tickets.services import cases_record_emails_sent

        register_action_labels(
            {
                "tickets.case.received": _("Case received"),
                "tickets.case.judged_invalid": _("Judged not valid; explanation sent"),
                "tickets.case.judged_valid": _("Judged valid and routed"),
                "tickets.case.objected": _("Customer objected; reopened"),
                "tickets.case.accepted": _("Accepted by the department"),
                "tickets.case.bounced": _("Sent back by the department"),
                "tickets.case.investigated": _("Investigation recorded"),
                "tickets.case.solution_proposed": _("Solution proposed"),
                "tickets.case.solution_approved": _("Solution approved"),
                "tickets.case.implemented": _("Solution carried out"),
                "tickets.case.confirmed": _("Customer accepted the solution"),
                "tickets.case.rejected_by_customer": _("Customer rejected the solution"),
                "tickets.case.followed_up": _("Follow-up call recorded"),
                "tickets.case.closed": _("Case closed"),
                "tickets.case.appealed": _("Customer appealed"),
                "tickets.case.waiting": _("Waiting for the customer"),
                "tickets.case.resumed": _("Customer answered; clocks resumed"),
                "tickets.case.assigned": _("Assignee changed"),
                "tickets.case.priority_set": _("Priority changed"),
                "tickets.case.breached": _("Time limit breached"),
                "tickets.case.escalated": _("Escalated"),
                "tickets.case.attachment_added": _("File attached"),
                "tickets.case.message_in": _("Message from the customer"),
                "tickets.case.message_out": _("Message to the customer"),
                "tickets.case.customer_matched": _("Caller matched to a customer"),
            }
        )
        # notify writes e-mails about a case to the outbox; the case keeps them, so replies thread.
        events.subscribe_many("notify.case_email.queued", cases_record_emails_sent)
        # A shipment exception opens (or links) a complaint case.
        from kefu.tickets.subscribers_operations import on_exception_reported

        events.subscribe("operations.exception.reported", on_exception_reported)
        from kefu.tickets.subscribers_customers import on_customer_changed

        events.subscribe("customers.customer.changed", on_customer_changed)
        case = "tickets.case"
        register_value_labels("channel", dict(CaseChannel.choices), subject_type=case)
        register_value_labels("kind", dict(CaseKind.choices), subject_type=case)
        register_value_labels("severity", dict(Severity.choices), subject_type=case)
        register_value_labels("clock", dict(Metric.choices), subject_type=case)
        register_value_labels("satisfaction", dict(Satisfaction.choices), subject_type=case)
        register_value_labels("priority", {str(k): v for k, v in Priority.choices}, subject_type=case)
        register_field_labels(
            {
                **{f.name: f.verbose_name for f in Case._meta.fields},
                "solution": _("solution"),
                "amount": _("compensation (CNY)"),
                "clock": _("time limit"),
                "due_at": _("due"),
                "level": _("escalation level"),
                "reason": _("reason"),
                "note": _("note"),
                "subject": _("subject"),
                "file": _("file"),
            },
            subject_type=case,
        )
