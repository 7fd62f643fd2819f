from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kefu.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from kefu.core.presentation import register_action_labels

        register_action_labels(
            {
                "accounts.department.created": _("Department added"),
                "accounts.department.changed": _("Department changed"),
                "accounts.team.created": _("Team added"),
                "accounts.user.created": _("Staff member added"),
                "accounts.user.changed": _("Staff member changed"),
                "accounts.user.language_set": _("Language chosen"),
                "accounts.user.password_changed": _("Password changed"),
                "accounts.user.locked": _("Account locked after failed logins"),
                "accounts.user.unlocked": _("Account unlocked"),
                "accounts.user.logged_in": _("Logged in"),
                "accounts.token.issued": _("API token created"),
                "accounts.token.revoked": _("API token revoked"),
            }
        )
