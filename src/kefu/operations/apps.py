from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "kefu.operations"
    label = "operations"
    verbose_name = _("Orders and shipments")

    def ready(self) -> None:
        from kefu.core.presentation import register_action_labels

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
            }
        )
