from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "kefu.operations"
    label = "operations"
    verbose_name = _("Orders and shipments")

    def ready(self) -> None:
        from kefu.core import events
        from kefu.core.presentation import register_action_labels
        from kefu.operations.subscribers import on_customer_changed

        # A renamed customer's exceptions and claims are found by the new name.
        events.subscribe("customers.customer.changed", on_customer_changed)

        register_action_labels(
            {
                "operations.order.created": _("Order created"),
                "operations.order.held": _("Order held for credit approval"),
                "operations.order.released": _("Credit hold released"),
                "operations.order.rejected": _("Order rejected"),
                "operations.order.stock_checked": _("Stock checked"),
                "operations.order.dispatched": _("Vehicle and driver dispatched"),
                "operations.order.imported": _("Orders imported"),
                "operations.shipment.event": _("Tracking event"),
                "operations.shipment.delivered": _("Delivery recorded"),
                "operations.exception.reported": _("Exception reported"),
                "operations.claim.filed": _("Claim filed"),
                "operations.claim.assessed": _("Claim assessed"),
                "operations.claim.approved": _("Claim approved"),
                "operations.claim.paid": _("Claim paid"),
                "operations.claim.rejected": _("Claim rejected"),
                "operations.standard.saved": _("Compensation standard saved"),
                "operations.stock.taken": _("Stock-take recorded"),
                "operations.fleet.saved": _("Vehicle or driver saved"),
                "operations.credit.saved": _("Credit limits saved"),
                "operations.events.imported": _("Tracking events imported"),
                "operations.rules.saved": _("After-sales rules saved"),
                "operations.cancellation.requested": _("Cancellation applied for"),
                "operations.cancellation.signed": _("Cancellation signed by the customer"),
                "operations.cancellation.withdrawn": _("Cancellation withdrawn"),
                "operations.cancellation.decided": _("Cancellation decided"),
                "operations.return.requested": _("Return or exchange applied for"),
                "operations.return.inspected": _("Returned goods inspected"),
                "operations.return.decided": _("Return or exchange decided"),
                "operations.refund.paid": _("Refund paid"),
                "operations.repair.requested": _("Repair notice opened"),
                "operations.repair.contacted": _("Repair: customer contacted"),
                "operations.repair.diagnosed": _("Repair: answer given"),
                "operations.repair.repaired": _("Repair done"),
                "operations.repair.returned": _("Repaired goods returned"),
                "operations.repair.called": _("Repair: satisfaction call made"),
                "operations.statement.sent": _("Statement sent"),
                "operations.statement.disputed": _("Statement line disputed"),
                "operations.statement.resolved": _("Statement dispute resolved"),
                "operations.statement.confirmed": _("Statement confirmed"),
                "operations.receivable.paid": _("Payment received"),
                "operations.receivable.reminded": _("Overdue reminder sent"),
            }
        )
