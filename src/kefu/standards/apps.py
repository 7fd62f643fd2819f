from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "kefu.standards"
    label = "standards"
    verbose_name = _("Service standards")

    def ready(self) -> None:
        from kefu.core.presentation import register_action_labels
        from kefu.standards import tasks  # noqa: F401  (registers the periodic jobs)

        register_action_labels(
            {
                "kpi.snapshot_computed": _("KPI figures computed"),
                "kpi.recompute_requested": _("KPI recomputation requested"),
            }
        )
