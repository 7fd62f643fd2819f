from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kefu.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kefu.core.presentation import register_action_labels, register_field_labels, register_value_labels
        from kefu.customers.models import Contact, Customer

        register_action_labels(
            {
                "customers.customer.created": _("Customer archive opened"),
                "customers.customer.changed": _("Customer information changed"),
                "customers.customer.activated": _("Customer reactivated"),
                "customers.customer.deactivated": _("Customer deactivated"),
                "customers.customer.grade_overridden": _("Grade set by hand"),
                "customers.customer.grade_override_cleared": _("Manual grade removed"),
                "customers.customer.regraded": _("Grade re-evaluated by the rules"),
                "customers.customer.imported": _("Customers imported"),
                "customers.customer.complained": _("Complained (special record)"),
                "customers.contact.added": _("Contact added"),
                "customers.contact.changed": _("Contact changed"),
                "customers.contact.removed": _("Contact removed"),
                "customers.change_request.submitted": _("Change request submitted"),
                "customers.change_request.approved": _("Change request verified and applied"),
                "customers.change_request.rejected": _("Change request rejected"),
                "customers.grade_rule.created": _("Grade rule added"),
                "customers.grade_rule.changed": _("Grade rule changed"),
                "customers.grade_rule.deleted": _("Grade rule deleted"),
            }
        )
        labels = {f.name: f.verbose_name for f in Customer._meta.get_fields() if hasattr(f, "verbose_name")}
        labels.update({f"contact.{f.name}": f.verbose_name for f in Contact._meta.fields})
        labels.update(
            {
                "contact": _("contact"),
                "request": _("change request"),
                "fields": _("fields"),
                "verified_by": _("identity verified by"),
                "reason": _("reason"),
                "note": _("note"),
                "created": _("created"),
                "rejected_rows": _("rejected rows"),
            }
        )
        subject = "customers.customer"
        register_field_labels(labels, subject_type=subject)
        register_value_labels("fields", {f.name: f.verbose_name for f in Customer._meta.fields}, subject_type=subject)
        for field in Customer._meta.fields:
            if field.choices:
                register_value_labels(
                    field.name, {str(code): label for code, label in field.choices}, subject_type=subject
                )
