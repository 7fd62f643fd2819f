from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "kefu.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from kefu.core import events
        from kefu.notify.subscribers import on_change_request_decided, subscribe_case_notifications
        from kefu.notify.webhooks import subscribe_all as subscribe_webhooks

        events.subscribe("customers.change_request.decided", on_change_request_decided)
        subscribe_case_notifications()
        subscribe_webhooks()
