"""Every write to the customer archive: one function per business action.

Each function checks the actor's permission (actor=None means the system itself, e.g. the
demo seeder or a worker job), validates, writes in one transaction, records its audit
event and publishes its domain event.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import events
from kefu.core.crypto import lookup_hash
from kefu.core.services import (
    DomainError,
    PermissionDeniedError,
    StaleVersionError,
    audit_record,
    number_next,
    search_index_bulk,
    search_index_replace,
    validate_or_refuse,
)
from kefu.customers.choices import AccessAction, ChangeStatus, VerificationMethod
from kefu.customers.coercion import coerce_fields
from kefu.customers.grading import GRADE_INPUTS, compute_grade
from kefu.customers.models import AccessLog, ChangeRequest, Contact, Customer, GradeRule

SEARCH_KIND = "customer"

CUSTOMER_FIELDS = (
    "kind",
    "name",
    "short_name",
    "id_number",
    "registration_number",
    "ownership",
    "credit_rating",
    "industry",
    "region",
    "city",
    "address",
    "channel",
    "customer_role",
    "cooperation_mode",
    "cooperation_start",
    "service_type",
    "satisfaction",
    "loyalty",
    "annual_amount",
    "is_key",
    "account_manager",
    "team",
    "notes",
)
CONTACT_FIELDS = (
    "name",
    "title",
    "mobile",
    "landline",
    "email",
    "wechat",
    "preferred_contact_time",
    "is_primary",
)
SENSITIVE_FIELDS = frozenset({"id_number", "mobile", "landline"})
_SEARCH_INPUTS = frozenset({"name", "short_name", "registration_number", "city", "address"})


def _require(actor: Any, perm: str, obj: Any = None) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDeniedError()


def _audit_value(name: str, value: Any) -> Any:
    if name in SENSITIVE_FIELDS:
        return "***" if value else ""
    if hasattr(value, "pk"):
        return str(value)
    return value if isinstance(value, bool | int | str | type(None)) else str(value)


def _apply_fields(instance: Any, data: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, list[Any]]:
    """Set the given fields and return {field: [before, after]} for those that changed."""
    allowed = set(allowed)
    unknown = set(data) - allowed
    if unknown:
        raise DomainError(_("Unknown field: %s") % ", ".join(sorted(unknown)), field=sorted(unknown)[0])
    changes: dict[str, list[Any]] = {}
    for name, value in data.items():
        before = getattr(instance, name)
        if value is None and name not in ("account_manager", "team", "cooperation_start"):
            value = ""
        if before != value:
            changes[name] = [_audit_value(name, before), _audit_value(name, value)]
            setattr(instance, name, value)
    return changes


def _search_text(customer: Customer, contacts: Iterable[Contact]) -> str:
    parts = [customer.number, customer.name, customer.short_name, customer.registration_number]
    parts += [customer.city, customer.address]
    for contact in contacts:
        parts += [contact.name, contact.email, contact.wechat]
    return " ".join(p for p in parts if p)


def _reindex(customer: Customer) -> None:
    text = _search_text(customer, customer.contacts.all())
    Customer.objects.filter(pk=customer.pk).update(search_text=text.lower())
    customer.search_text = text.lower()
    search_index_replace(kind=SEARCH_KIND, object_id=customer.pk, text=text)


def _active_rules() -> list[GradeRule]:
    return list(GradeRule.objects.filter(is_active=True))


def _regrade(customer: Customer, rules: list[GradeRule] | None = None) -> None:
    customer.computed_grade = compute_grade(customer, rules if rules is not None else _active_rules())
    customer.grade = customer.grade_override or customer.computed_grade


def _protect_identifiers(customer: Customer) -> None:
    customer.id_number = (customer.id_number or "").strip().upper()
    customer.id_number_hash = lookup_hash(customer.id_number)


def _protect_contact(contact: Contact) -> None:
    contact.mobile_hash = lookup_hash(contact.mobile or "")
    contact.landline_hash = lookup_hash(contact.landline or "")


@transaction.atomic
def customer_create(*, actor: Any, data: Mapping[str, Any], contacts: Iterable[Mapping[str, Any]] = ()) -> Customer:
    """Open a customer archive with its contacts; grades it and indexes it for search."""
    _require(actor, "customers.add_customer")
    customer = Customer(number="pending")
    _apply_fields(customer, data, CUSTOMER_FIELDS)
    _protect_identifiers(customer)
    validate_or_refuse(customer, exclude=["number"])
    _regrade(customer)
    customer.number = number_next(prefix="KH")
    customer.save()
    new_contacts = [_build_contact(customer, c) for c in contacts]
    for contact in new_contacts:
        contact.save()
    _reindex(customer)
    audit_record(
        actor=actor,
        action="customers.customer.created",
        subject=customer,
        changes={name: _audit_value(name, getattr(customer, name)) for name in data},
    )
    events.publish("customers.customer.created", customer=customer, actor=actor)
    return customer


def _build_contact(customer: Customer, data: Mapping[str, Any]) -> Contact:
    contact = Contact(customer=customer)
    _apply_fields(contact, data, CONTACT_FIELDS)
    validate_or_refuse(contact, exclude=["customer"])
    _protect_contact(contact)
    return contact


def _locked(customer: Customer, version: int | None) -> Customer:
    current = Customer.objects.select_for_update().get(pk=customer.pk)
    if version is not None and current.version != version:
        raise StaleVersionError()
    return current


def _save_changes(customer: Customer, changes: dict[str, list[Any]]) -> None:
    if changes.keys() & {"id_number"}:
        _protect_identifiers(customer)
    validate_or_refuse(customer)
    if changes.keys() & set(GRADE_INPUTS):
        _regrade(customer)
    customer.version += 1
    customer.updated_at = timezone.now()
    customer.save()
    if changes.keys() & _SEARCH_INPUTS:
        _reindex(customer)


@transaction.atomic
def customer_update(*, actor: Any, customer: Customer, version: int, data: Mapping[str, Any]) -> Customer:
    """Edit the archive directly (customer-service staff); a stale `version` is refused."""
    _require(actor, "customers.change_customer", customer)
    current = _locked(customer, version)
    changes = _apply_fields(current, data, CUSTOMER_FIELDS)
    if not changes:
        return current
    _save_changes(current, changes)
    audit_record(actor=actor, action="customers.customer.changed", subject=current, changes=changes)
    events.publish("customers.customer.changed", customer=current, actor=actor, changes=changes)
    return current


@transaction.atomic
def customer_set_active(*, actor: Any, customer: Customer, active: bool, reason: str) -> Customer:
    _require(actor, "customers.deactivate_customer", customer)
    if not reason.strip():
        raise DomainError(_("Say why the customer is (de)activated."), field="reason")
    current = _locked(customer, None)
    if current.is_active == active:
        return current
    current.is_active = active
    current.version += 1
    current.save(update_fields=["is_active", "version"])
    audit_record(
        actor=actor,
        action="customers.customer.activated" if active else "customers.customer.deactivated",
        subject=current,
        changes={"reason": reason},
    )
    return current


@transaction.atomic
def customer_override_grade(*, actor: Any, customer: Customer, grade: str, reason: str) -> Customer:
    """Set the grade by hand (or clear the override with grade=""); the reason is kept on record."""
    _require(actor, "customers.override_grade", customer)
    if grade and not reason.strip():
        raise DomainError(_("A manual grade needs a reason."), field="reason")
    if grade not in ("", "A", "B", "C"):
        raise DomainError(_("Grade must be A, B or C."), field="grade")
    current = _locked(customer, None)
    before = current.grade
    current.grade_override = grade
    current.grade_override_reason = reason.strip() if grade else ""
    current.grade = grade or current.computed_grade
    current.version += 1
    current.save(update_fields=["grade_override", "grade_override_reason", "grade", "version"])
    audit_record(
        actor=actor,
        action="customers.customer.grade_overridden" if grade else "customers.customer.grade_override_cleared",
        subject=current,
        changes={"grade": [before, current.grade], "reason": reason},
    )
    return current


def customers_regrade(*, customer_ids: Iterable[int] | None = None) -> int:
    """Re-evaluate computed grades (after a rule change, or daily as cooperation years grow).

    Returns how many customers changed grade; each change is audited.
    """
    rules = _active_rules()
    queryset = Customer.objects.all() if customer_ids is None else Customer.objects.filter(pk__in=customer_ids)
    changed = 0
    for customer in queryset.only(*GRADE_INPUTS, "grade", "computed_grade", "grade_override", "name").iterator(
        chunk_size=2000
    ):
        new = compute_grade(customer, rules)
        if new == customer.computed_grade:
            continue
        with transaction.atomic():
            before = customer.grade
            grade = customer.grade_override or new
            Customer.objects.filter(pk=customer.pk).update(computed_grade=new, grade=grade)
            audit_record(
                actor=None,
                action="customers.customer.regraded",
                subject=customer,
                changes={"computed_grade": [customer.computed_grade, new], "grade": [before, grade]},
            )
        changed += 1
    return changed


@transaction.atomic
def contact_add(*, actor: Any, customer: Customer, data: Mapping[str, Any]) -> Contact:
    _require(actor, "customers.change_customer", customer)
    contact = _build_contact(customer, data)
    contact.save()
    _reindex(customer)
    audit_record(
        actor=actor,
        action="customers.contact.added",
        subject=customer,
        changes={"contact": contact.name, **{k: _audit_value(k, v) for k, v in data.items()}},
    )
    return contact


@transaction.atomic
def contact_update(*, actor: Any, contact: Contact, version: int, data: Mapping[str, Any]) -> Contact:
    _require(actor, "customers.change_customer", contact.customer)
    current = Contact.objects.select_for_update().get(pk=contact.pk)
    if current.version != version:
        raise StaleVersionError()
    changes = _apply_fields(current, data, CONTACT_FIELDS)
    if not changes:
        return current
    validate_or_refuse(current)
    _protect_contact(current)
    current.version += 1
    current.save()
    _reindex(current.customer)
    audit_record(
        actor=actor,
        action="customers.contact.changed",
        subject=current.customer,
        changes={"contact": current.name, **changes},
    )
    return current


@transaction.atomic
def contact_remove(*, actor: Any, contact: Contact) -> None:
    customer = contact.customer
    _require(actor, "customers.change_customer", customer)
    name = contact.name
    contact.delete()
    _reindex(customer)
    audit_record(actor=actor, action="customers.contact.removed", subject=customer, changes={"contact": name})


@transaction.atomic
def change_request_submit(*, actor: Any, customer: Customer, changes: Mapping[str, Any], reason: str) -> ChangeRequest:
    """客户信息变更登记: staff outside customer service propose a change for CS to verify."""
    _require(actor, "customers.request_change", customer)
    if not changes:
        raise DomainError(_("Name at least one field to change."), field="changes")
    unknown = set(changes) - set(CUSTOMER_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field: %s") % ", ".join(sorted(unknown)), field="changes")
    if not reason.strip():
        raise DomainError(_("Say why the information changes."), field="reason")
    coerce_fields(Customer, changes)
    request = ChangeRequest.objects.create(
        customer=customer, submitted_by=actor, changes=dict(changes), reason=reason.strip()
    )
    audit_record(
        actor=actor,
        action="customers.change_request.submitted",
        subject=customer,
        changes={"request": request.pk, "fields": sorted(changes)},
    )
    events.publish("customers.change_request.submitted", request=request, actor=actor)
    return request


def _pending(request: ChangeRequest) -> ChangeRequest:
    current = ChangeRequest.objects.select_for_update().select_related("customer").get(pk=request.pk)
    if current.status != ChangeStatus.PENDING:
        raise DomainError(_("This change request has already been decided."), field="status")
    return current


@transaction.atomic
def change_request_approve(
    *, actor: Any, request: ChangeRequest, verification_method: str, note: str = ""
) -> ChangeRequest:
    """Apply a change after customer service verified the customer's identity."""
    _require(actor, "customers.review_change", request.customer)
    if verification_method not in VerificationMethod.values:
        raise DomainError(
            _("Record how the customer's identity was verified before approving."),
            field="verification_method",
        )
    current = _pending(request)
    customer = _locked(current.customer, None)
    applied = _apply_fields(customer, coerce_fields(Customer, current.changes), CUSTOMER_FIELDS)
    if applied:
        _save_changes(customer, applied)
    current.status = ChangeStatus.APPROVED
    current.verification_method = verification_method
    current.reviewed_by = actor
    current.reviewed_at = timezone.now()
    current.review_note = note
    current.applied_changes = applied
    current.save()
    audit_record(
        actor=actor,
        action="customers.change_request.approved",
        subject=customer,
        changes={"request": current.pk, "verified_by": verification_method, **applied},
    )
    if applied:  # the customer changed, as by `customer_update`: whatever follows a customer follows it
        events.publish("customers.customer.changed", customer=customer, actor=actor, changes=applied)
    events.publish("customers.change_request.decided", request=current, actor=actor)
    return current


@transaction.atomic
def change_request_reject(*, actor: Any, request: ChangeRequest, note: str) -> ChangeRequest:
    _require(actor, "customers.review_change", request.customer)
    if not note.strip():
        raise DomainError(_("Tell the submitter why the change is rejected."), field="note")
    current = _pending(request)
    current.status = ChangeStatus.REJECTED
    current.reviewed_by = actor
    current.reviewed_at = timezone.now()
    current.review_note = note.strip()
    current.save()
    audit_record(
        actor=actor,
        action="customers.change_request.rejected",
        subject=current.customer,
        changes={"request": current.pk, "note": note},
    )
    events.publish("customers.change_request.decided", request=current, actor=actor)
    return current


def customer_record_complaint(*, customer: Customer, case_number: str, at: Any) -> None:
    """特别记录: flag the customer who complained, for whoever contacts them next."""
    customers_record_complaints(complaints=[(customer, case_number)], at=at)


def customers_record_complaints(*, complaints: Sequence[tuple[Customer, str]], at: Any) -> None:
    """特别记录 for several complaints received together: one UPDATE per distinct count of complaints
    a customer made in the batch (almost always one), one audit event per complaint."""
    made = Counter(customer.pk for customer, _number in complaints)
    by_count: dict[int, list[int]] = defaultdict(list)
    for pk, count in made.items():
        by_count[count].append(pk)
    for count, pks in by_count.items():
        Customer.objects.filter(pk__in=pks).update(complaint_count=F("complaint_count") + count, last_complaint_at=at)
    for customer, case_number in complaints:
        audit_record(
            actor=None, action="customers.customer.complained", subject=customer, changes={"case": case_number}
        )


def access_record(
    *,
    actor: Any,
    action: str,
    customer: Customer | None = None,
    detail: str = "",
    ip_address: str | None = None,
) -> AccessLog:
    """查阅登记: log who looked at or exported the archive."""
    if action not in AccessAction.values:
        raise DomainError(_("Unknown access action."), field="action")
    return AccessLog.objects.create(
        user=actor, customer=customer, action=action, detail=detail[:300], ip_address=ip_address
    )


def _regrade_later() -> None:
    from kefu.customers.tasks import regrade_customers

    regrade_customers.enqueue()


@transaction.atomic
def grade_rule_save(*, actor: Any, data: Mapping[str, Any], rule: GradeRule | None = None) -> GradeRule:
    """Create or change a grade rule; the worker then re-grades every customer."""
    _require(actor, "customers.manage_grade_rules")
    created = rule is None
    rule = rule or GradeRule()
    changes = _apply_fields(
        rule,
        data,
        (
            "position",
            "grade",
            "name",
            "min_annual_amount",
            "min_cooperation_years",
            "min_credit_rating",
            "key_customer",
            "is_active",
        ),
    )
    validate_or_refuse(rule)
    rule.save()
    audit_record(
        actor=actor,
        action="customers.grade_rule.created" if created else "customers.grade_rule.changed",
        subject=rule,
        changes=changes,
    )
    transaction.on_commit(_regrade_later)
    return rule


@transaction.atomic
def grade_rule_delete(*, actor: Any, rule: GradeRule) -> None:
    _require(actor, "customers.manage_grade_rules")
    audit_record(actor=actor, action="customers.grade_rule.deleted", subject=rule)
    rule.delete()
    transaction.on_commit(_regrade_later)


@dataclass
class ImportReport:
    """What an import did: rows created, and every bad row with the field and the problem."""

    total_rows: int = 0
    created: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def customers_import(
    *,
    actor: Any,
    rows: list[tuple[int, dict[str, Any], dict[str, Any]]],
    parse_errors: Iterable[tuple[int, str, str]] = (),
    valid_only: bool = False,
) -> ImportReport:
    """Create customers from parsed rows of (row number, customer data, contact data).

    Every row is validated first; `parse_errors` are rows the file reader already refused.
    If any row is bad nothing is imported, unless `valid_only` asks to import the good
    rows and report the rest.
    """
    _require(actor, "customers.import_customers")
    report = ImportReport(errors=list(parse_errors))
    report.total_rows = len(rows) + len(report.errors)
    rules = _active_rules()
    good: list[tuple[Customer, Contact | None]] = []
    seen_registrations: dict[str, int] = {}
    existing = set(Customer.objects.exclude(registration_number="").values_list("registration_number", flat=True))
    for row_number, data, contact_data in rows:
        try:
            customer = Customer(number="pending")
            _apply_fields(customer, data, CUSTOMER_FIELDS)
            _protect_identifiers(customer)
            validate_or_refuse(customer, exclude=["number"])
            reg = customer.registration_number
            if reg and (reg in existing or reg in seen_registrations):
                raise DomainError(_("This registration number is already in the archive."), field="registration_number")
            if reg:
                seen_registrations[reg] = row_number
            contact = None
            if any(contact_data.values()):
                contact = Contact(customer=customer)
                _apply_fields(contact, {**contact_data, "is_primary": True}, CONTACT_FIELDS)
                validate_or_refuse(contact, exclude=["customer"])
                _protect_contact(contact)
            customer.computed_grade = compute_grade(customer, rules)
            customer.grade = customer.computed_grade
            good.append((customer, contact))
        except DomainError as exc:
            report.errors.append((row_number, exc.field or "", exc.message))
    report.errors.sort()
    if report.errors and not valid_only:
        return report
    with transaction.atomic():
        for customer, contact in good:
            customer.number = number_next(prefix="KH")
            customer.search_text = _search_text(customer, [contact] if contact else []).lower()
            customer.save()
            if contact is not None:
                contact.customer = customer
                contact.save()
        search_index_bulk(
            kind=SEARCH_KIND,
            texts=((c.pk, _search_text(c, [ct] if ct else [])) for c, ct in good),
        )
        report.created = len(good)
        if actor is not None:
            access_record(actor=actor, action=AccessAction.IMPORT, detail=f"{report.created}/{report.total_rows} rows")
            audit_record(
                actor=actor,
                action="customers.customer.imported",
                subject=actor,
                subject_label=_("Customer import"),
                changes={"created": report.created, "rejected_rows": [e[0] for e in report.errors]},
            )
    return report
