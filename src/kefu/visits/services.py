"""Every write about follow-up visits: rules, scripts, settings, generating tasks, outcomes, care SMS.

Tasks are generated set-based (one query for the customers a rule covers, one bulk insert); the
unique constraint on (rule, customer, occasion) makes running the job twice a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import events
from kefu.core.services import DomainError, PermissionDeniedError, StaleVersionError, audit_record
from kefu.customers.models import Contact, Customer
from kefu.notify.services import message_enqueue
from kefu.tickets.choices import CaseChannel, CaseKind, ComplaintNature
from kefu.tickets.models import Case
from kefu.tickets.services import case_receive
from kefu.visits.choices import (
    INTERRUPTING_METHODS,
    UNHAPPY_OUTCOMES,
    CampaignStatus,
    KeyCustomers,
    Method,
    Outcome,
    RuleKind,
    TaskStatus,
    VisitEvent,
)
from kefu.visits.models import CareCampaign, CareMessage, VisitPolicy, VisitRule, VisitScript, VisitTask
from kefu.visits.timing import RestHoursError, first_free_moment, parse_periods, period_of, preferred_window

VISIT_HOUR = dt.time(10, 0)
BATCH_SIZE = 2000
ANALYZE_AFTER = 5000  # rows inserted by one rule after which PostgreSQL's statistics are refreshed


def _require(actor: Any, perm: str, obj: Any = None) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDeniedError()


def policy() -> VisitPolicy:
    """The visit settings row (created with the defaults on first use)."""
    found, _created = VisitPolicy.objects.get_or_create(pk=1)
    return found


def due_moment(at: dt.datetime, method: str, preferred: str = "", rest_hours: str | None = None) -> dt.datetime:
    """`at`, moved out of the customer's rest times (and into their preferred window) for calls and visits."""
    if method not in INTERRUPTING_METHODS:
        return at
    periods = parse_periods(policy().rest_hours if rest_hours is None else rest_hours)
    local = timezone.localtime(at)
    return first_free_moment(local, periods, preferred_window(preferred))


# --- configuration --------------------------------------------------------------------------------

RULE_FIELDS = (
    "code",
    "name",
    "kind",
    "grade",
    "key_customers",
    "interval_months",
    "event",
    "follows",
    "delay_hours",
    "method",
    "script",
    "team",
    "is_active",
    "position",
)


def _check_version(obj: Any, version: int | None) -> None:
    if version is not None and obj.pk and obj.version != version:
        raise StaleVersionError()


def _changes(obj: Any, data: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    changes = {}
    for name in fields:
        if name in data and getattr(obj, name) != data[name]:
            changes[name] = [str(getattr(obj, name) or ""), str(data[name] or "")]
            setattr(obj, name, data[name])
    return changes


@transaction.atomic
def visit_rule_save(
    *, actor: Any, data: Mapping[str, Any], rule: VisitRule | None = None, version: int | None = None
) -> VisitRule:
    """Add or change a visit rule; a periodic rule needs its interval, an event rule its event."""
    _require(actor, "visits.manage_rules")
    if rule is not None:
        rule = VisitRule.objects.select_for_update().get(pk=rule.pk)
        _check_version(rule, version)
    created = rule is None
    rule = rule or VisitRule()
    changes = _changes(rule, data, RULE_FIELDS)
    if rule.kind == RuleKind.PERIODIC:
        if not rule.interval_months:
            raise DomainError(_("Say every how many months the customers are visited."), field="interval_months")
        rule.event, rule.follows = "", None
    elif rule.kind == RuleKind.EVENT:
        if not rule.event:
            raise DomainError(_("Choose the event the visit follows."), field="event")
        if rule.event == VisitEvent.PREVIOUS_VISIT_DONE and rule.follows is None:
            raise DomainError(_("Choose the rule whose visit this one follows."), field="follows")
        if rule.follows is not None and rule.follows.pk == rule.pk:
            raise DomainError(_("A rule cannot follow itself."), field="follows")
        rule.interval_months = None
    else:
        raise DomainError(_("Choose the kind of rule."), field="kind")
    if not str(rule.name).strip() or not str(rule.code).strip():
        raise DomainError(_("Give the rule a code and a name."), field="name")
    if VisitRule.objects.filter(code=rule.code).exclude(pk=rule.pk).exists():
        raise DomainError(_("Another rule has this code."), field="code")
    rule.version += 0 if created else 1
    rule.save()
    audit_record(
        actor=actor, action="visits.rule.created" if created else "visits.rule.changed", subject=rule, changes=changes
    )
    return rule


@transaction.atomic
def visit_script_save(
    *, actor: Any, data: Mapping[str, Any], script: VisitScript | None = None, version: int | None = None
) -> VisitScript:
    _require(actor, "visits.manage_rules")
    if script is not None:
        script = VisitScript.objects.select_for_update().get(pk=script.pk)
        _check_version(script, version)
    created = script is None
    script = script or VisitScript()
    changes = _changes(script, data, ("code", "name", "body"))
    if not str(script.body).strip() or not str(script.name).strip():
        raise DomainError(_("A script needs a name and its text."), field="body")
    try:
        render_script(script.body, {})
    except (ValueError, IndexError) as exc:
        raise DomainError(_("The script has a broken placeholder: %s") % exc, field="body") from exc
    if VisitScript.objects.filter(code=script.code).exclude(pk=script.pk).exists():
        raise DomainError(_("Another script has this code."), field="code")
    script.version += 0 if created else 1
    script.save()
    audit_record(
        actor=actor,
        action="visits.script.created" if created else "visits.script.changed",
        subject=script,
        changes={k: v for k, v in changes.items() if k != "body"} | ({"body": "…"} if "body" in changes else {}),
    )
    return script


@transaction.atomic
def visit_policy_save(*, actor: Any, data: Mapping[str, Any], version: int | None = None) -> VisitPolicy:
    _require(actor, "visits.manage_rules")
    current = VisitPolicy.objects.select_for_update().get(pk=policy().pk)
    _check_version(current, version)
    changes = _changes(current, data, ("rest_hours", "retry_hours", "max_attempts", "care_sms_per_week"))
    try:
        parse_periods(current.rest_hours)
    except RestHoursError as exc:
        raise DomainError(
            _("“%(value)s” is not a time range such as 12:00-14:00.") % {"value": exc}, field="rest_hours"
        ) from exc
    if current.max_attempts < 1 or current.retry_hours < 1:
        raise DomainError(_("Try at least once, after at least an hour."), field="max_attempts")
    current.version += 1
    current.save()
    audit_record(actor=actor, action="visits.policy.changed", subject=current, changes=changes)
    return current


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_script(body: str, values: Mapping[str, str]) -> str:
    """Fill the placeholders of a script; unknown ones stay as written."""
    return body.format_map(_Blank(values))


def script_values(task: VisitTask, agent: Any) -> dict[str, str]:
    contact = task.contact
    return {
        "customer": task.customer.name,
        "contact": contact.name if contact else "",
        "title": contact.title if contact and contact.title else "",
        "agent": str(agent) if agent is not None else "",
        "company": settings.KEFU_COMPANY_NAME,
    }


# --- generating tasks -----------------------------------------------------------------------------


def _primary_contact(field: str) -> Subquery:
    return Subquery(Contact.objects.filter(customer_id=OuterRef("pk")).order_by("-is_primary", "id").values(field)[:1])


def _covered_customers(rule: VisitRule) -> QuerySet[Customer]:
    customers = Customer.objects.filter(is_active=True)
    if rule.grade:
        customers = customers.filter(grade=rule.grade)
    if rule.key_customers == KeyCustomers.ONLY:
        customers = customers.filter(is_key=True)
    elif rule.key_customers == KeyCustomers.EXCLUDE:
        customers = customers.filter(is_key=False)
    return customers


def _insert_tasks(rule: VisitRule, rows: Iterable[Mapping[str, Any]], due: Any, occasion: Any) -> int:
    """Bulk-insert one task per row (a customer with its contact); conflicts with existing tasks are skipped."""
    tasks = []
    created = 0
    for row in rows:
        tasks.append(
            VisitTask(
                rule=rule,
                customer_id=row["pk"],
                contact_id=row["contact_id"],
                occasion=occasion(row),
                method=rule.method,
                due_at=due(row),
                assignee_id=row["account_manager_id"],
                team_id=row["team_id"] or rule.team_id,
                grade=row["grade"],
                is_key=row["is_key"],
            )
        )
        if len(tasks) >= BATCH_SIZE:
            created += len(VisitTask.objects.bulk_create(tasks, ignore_conflicts=True))
            tasks = []
    if tasks:
        created += len(VisitTask.objects.bulk_create(tasks, ignore_conflicts=True))
    return created


ROW_FIELDS = ("pk", "account_manager_id", "team_id", "grade", "is_key", "contact_id", "preferred")


def _customer_conditions(rule: VisitRule) -> tuple[str, list[Any]]:
    """The SQL condition on customers_customer (alias c) of the customers `rule` covers."""
    where: list[str] = ["c.is_active = %s"]
    params: list[Any] = [True]
    if rule.grade:
        where.append("c.grade = %s")
        params.append(rule.grade)
    if rule.key_customers:
        where.append("c.is_key = %s")
        params.append(rule.key_customers == KeyCustomers.ONLY)
    return " AND ".join(where), params


def _periodic(rule: VisitRule, day: dt.date, tz: Any, rest_hours: str) -> int:
    """One task per covered customer per period, in one INSERT ... SELECT: due on a day spread over the
    period by customer id (never before `day`), at the first moment outside rest times; customers
    already holding this period's task are skipped (NOT EXISTS, and the unique constraint behind it).
    Contacts with a preferred contact time are then moved into it, one UPDATE per distinct preference."""
    months = rule.interval_months or 1
    start, end = period_of(day, months)
    span = (end - start).days
    occasion = f"{start:%Y-%m}/{months}m"
    midnight = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    offset = due_moment(dt.datetime.combine(start, VISIT_HOUR, tzinfo=tz), rule.method, "", rest_hours) - midnight
    base = (midnight + offset).astimezone(dt.UTC)
    first_slot = (day - start).days
    task, customer, contact = VisitTask._meta.db_table, Customer._meta.db_table, Contact._meta.db_table
    base_param: Any = base
    if connection.vendor == "postgresql":
        due_sql = "%s::timestamptz + GREATEST(c.id %% %s, %s) * interval '1 day'"
    else:
        due_sql, base_param = "datetime(%s, '+' || MAX(c.id %% %s, %s) || ' days')", base.strftime("%Y-%m-%d %H:%M:%S")
    condition, condition_params = _customer_conditions(rule)
    sql = f"""
        INSERT INTO {task} (rule_id, customer_id, contact_id, occasion, method, due_at, assignee_id, team_id, grade,
            is_key, status, outcome, attempts, evaluation, improvement, suggestions, complaints, notes, created_at,
            search_text, version)
        SELECT %s, c.id,
            (SELECT k.id FROM {contact} k WHERE k.customer_id = c.id ORDER BY k.is_primary DESC, k.id LIMIT 1),
            %s, %s, {due_sql}, c.account_manager_id, COALESCE(c.team_id, %s), c.grade, c.is_key,
            %s, '', 0, '', '', '', '', '', %s, '', 1
        FROM {customer} c
        WHERE {condition}
          AND NOT EXISTS (SELECT 1 FROM {task} t WHERE t.rule_id = %s AND t.customer_id = c.id AND t.occasion = %s)
        ON CONFLICT DO NOTHING
    """  # noqa: S608  (table names from the models; every value is a parameter)
    params = [
        rule.pk,
        occasion,
        rule.method,
        base_param,
        span,
        first_slot,
        rule.team_id,
        TaskStatus.OPEN,
        timezone.now(),
        *condition_params,
        rule.pk,
        occasion,
    ]
    last_id = VisitTask.objects.aggregate(last=Max("id"))["last"] or 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        created = max(int(cursor.rowcount), 0)
        if created > ANALYZE_AFTER and connection.vendor == "postgresql":
            # fresh statistics, so the next rule's NOT EXISTS probes the unique index instead of scanning
            cursor.execute(f"ANALYZE {task}")
    if rule.method in INTERRUPTING_METHODS and created:
        new = VisitTask.objects.filter(rule=rule, occasion=occasion, id__gt=last_id)
        preferences = (
            Contact.objects.filter(pk__in=new.values("contact_id"))
            .exclude(preferred_contact_time="")
            .values_list("preferred_contact_time", flat=True)
            .order_by()
            .distinct()
        )
        for preferred in preferences:
            moved = due_moment(dt.datetime.combine(start, VISIT_HOUR, tzinfo=tz), rule.method, preferred, rest_hours)
            shift = (moved - midnight) - offset
            if shift:
                new.filter(contact__preferred_contact_time=preferred).update(due_at=F("due_at") + shift)
    return created


def _anniversaries(rule: VisitRule, day: dt.date, tz: Any, rest_hours: str) -> int:
    """Special-occasion rule: customers whose cooperation started on this day of an earlier year."""
    occasion = f"anniversary/{day.year}"
    existing = VisitTask.objects.filter(rule=rule, occasion=occasion, customer_id=OuterRef("pk"))
    rows = (
        _covered_customers(rule)
        .filter(cooperation_start__month=day.month, cooperation_start__day=day.day, cooperation_start__lt=day)
        .annotate(contact_id=_primary_contact("id"), preferred=_primary_contact("preferred_contact_time"))
        .filter(~Exists(existing))
        .values(*ROW_FIELDS)
    )
    at = dt.datetime.combine(day, VISIT_HOUR, tzinfo=tz)
    return _insert_tasks(
        rule, rows, lambda row: due_moment(at, rule.method, row["preferred"] or "", rest_hours), lambda _r: occasion
    )


def visit_tasks_generate(*, day: dt.date | None = None) -> dict[str, int]:
    """The daily job: tasks of every active periodic rule for the period holding `day`, and the
    anniversary visits of `day`. Returns how many tasks each rule created; running it again creates none."""
    day = day or timezone.localdate()
    tz = timezone.get_current_timezone()
    rest_hours = policy().rest_hours
    created: dict[str, int] = {}
    rules = VisitRule.objects.filter(is_active=True).filter(
        Q(kind=RuleKind.PERIODIC) | Q(kind=RuleKind.EVENT, event=VisitEvent.OCCASION)
    )
    for rule in rules:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The job is idempotent: should the server crash before these rows reach the disk, the
                # next run makes them again. So the commit need not wait for the WAL flush.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            if rule.kind == RuleKind.PERIODIC:
                count = _periodic(rule, day, tz, rest_hours)
            else:
                count = _anniversaries(rule, day, tz, rest_hours)
            if count:
                audit_record(
                    actor=None,
                    action="visits.tasks.generated",
                    subject=rule,
                    changes={"day": day.isoformat(), "created": count},
                )
        created[rule.code] = count
    return created


def visit_schedule_after_event(
    *, event: str, customer: Customer, source: str, at: dt.datetime | None = None, rules: Iterable[VisitRule] = ()
) -> list[VisitTask]:
    """Tasks of the active rules following `event` for `customer`, due the rule's delay after `at`.

    `source` names what happened (``tickets.case:42``) and makes the task unique: the same event
    delivered twice schedules one visit."""
    at = at or timezone.now()
    chosen = list(rules) or list(VisitRule.objects.filter(is_active=True, kind=RuleKind.EVENT, event=event))
    if not chosen or not customer.is_active:
        return []
    contact = customer.contacts.order_by("-is_primary", "id").first()
    tasks = []
    for rule in chosen:
        due = due_moment(
            at + dt.timedelta(hours=rule.delay_hours), rule.method, contact.preferred_contact_time if contact else ""
        )
        task, created = VisitTask.objects.get_or_create(
            rule=rule,
            customer=customer,
            occasion=source[:60],
            defaults={
                "contact": contact,
                "method": rule.method,
                "due_at": due,
                "assignee_id": customer.account_manager_id,
                "team_id": customer.team_id or rule.team_id,
                "grade": customer.grade,
                "is_key": customer.is_key,
            },
        )
        if created:
            audit_record(
                actor=None,
                action="visits.task.scheduled",
                subject=task,
                changes={"event": event, "source": source, "due_at": due.isoformat()},
            )
            tasks.append(task)
    return tasks


def _customer_of(payload: Mapping[str, Any]) -> tuple[Customer | None, str]:
    """The customer an event is about and a key naming its source object."""
    customer = payload.get("customer")
    for value in payload.values():
        if hasattr(value, "_meta") and value is not customer and getattr(value, "customer_id", None):
            return customer or value.customer, f"{value._meta.label_lower}:{value.pk}"
    if isinstance(customer, Customer):
        return customer, f"customers.customer:{customer.pk}:{timezone.now():%Y%m%d}"
    return None, ""


def on_domain_event(event: str) -> Any:
    """A subscriber scheduling the visits that follow `event` (registered in VisitsConfig.ready)."""

    def handler(**payload: Any) -> None:
        case = payload.get("case")
        if isinstance(case, Case) and case.kind != CaseKind.COMPLAINT:
            return
        customer, source = _customer_of(payload)
        if customer is not None:
            visit_schedule_after_event(event=event, customer=customer, source=source)

    return handler


# --- working a task -------------------------------------------------------------------------------


def _locked(task: VisitTask, version: int | None) -> VisitTask:
    current = VisitTask.objects.select_for_update(of=("self",)).select_related("rule", "customer").get(pk=task.pk)
    if version is not None and current.version != version:
        raise StaleVersionError()
    return current


def _save(task: VisitTask, action: str, actor: Any, changes: dict[str, Any]) -> None:
    task.version += 1
    task.save()
    audit_record(actor=actor, action=f"visits.task.{action}", subject=task, changes=changes)


@transaction.atomic
def visit_record_outcome(
    *,
    actor: Any,
    task: VisitTask,
    outcome: str,
    evaluation: str = "",
    improvement: str = "",
    suggestions: str = "",
    complaints: str = "",
    notes: str = "",
    version: int | None = None,
) -> VisitTask:
    """Record what the customer said (必须保证回访信息的完整记录). Not reached: try again after the
    retry interval until the attempts run out. 一般 / 不满意: what to improve is required."""
    _require(actor, "visits.record_visit", task)
    task = _locked(task, version)
    if task.status != TaskStatus.OPEN:
        raise DomainError(_("This visit is already recorded."), field="outcome", code="conflict")
    if outcome not in Outcome.values:
        raise DomainError(_("Choose the outcome of the visit."), field="outcome")
    now = timezone.now()
    task.attempts += 1
    task.notes = "\n".join(p for p in (task.notes, notes.strip()) if p)
    if outcome == Outcome.NOT_REACHED:
        settings_row = policy()
        if task.attempts >= settings_row.max_attempts:
            task.status, task.outcome, task.completed_at, task.completed_by = (
                TaskStatus.UNREACHABLE,
                outcome,
                now,
                actor,
            )
            _save(task, "unreachable", actor, {"attempts": task.attempts, "note": notes.strip()})
        else:
            before = task.due_at
            task.due_at = due_moment(
                now + dt.timedelta(hours=settings_row.retry_hours),
                task.method,
                task.contact.preferred_contact_time if task.contact else "",
            )
            _save(
                task,
                "not_reached",
                actor,
                {"attempts": task.attempts, "due_at": [before.isoformat(), task.due_at.isoformat()]},
            )
        return task
    if not evaluation.strip():
        raise DomainError(_("Write down the customer's evaluation."), field="evaluation")
    if outcome in UNHAPPY_OUTCOMES and not improvement.strip():
        raise DomainError(_("Ask what we should improve and write it down."), field="improvement")
    task.status, task.outcome, task.completed_at, task.completed_by = TaskStatus.DONE, outcome, now, actor
    task.evaluation, task.improvement = evaluation.strip(), improvement.strip()
    task.suggestions, task.complaints = suggestions.strip(), complaints.strip()
    _save(task, "done", actor, {"outcome": outcome, "evaluation": task.evaluation, "improvement": task.improvement})
    followers = list(VisitRule.objects.filter(is_active=True, follows=task.rule))
    if followers:
        visit_schedule_after_event(
            event=VisitEvent.PREVIOUS_VISIT_DONE,
            customer=task.customer,
            source=f"visits.visittask:{task.pk}",
            at=now,
            rules=followers,
        )
    events.publish("visits.task.completed", task=task, actor=actor)
    return task


@transaction.atomic
def visit_open_case(*, actor: Any, task: VisitTask, kind: str) -> Case:
    """One click from an unhappy visit to a suggestion or a (soft) complaint, pre-filled from the visit."""
    _require(actor, "visits.record_visit", task)
    task = _locked(task, None)
    if kind not in (CaseKind.SUGGESTION, CaseKind.COMPLAINT):
        raise DomainError(_("Open a suggestion or a complaint."), field="kind")
    if task.status != TaskStatus.DONE:
        raise DomainError(_("Record the visit first."), field="kind", code="conflict")
    if task.case_id:
        raise DomainError(_("A case was already opened from this visit."), field="kind", code="conflict")
    said = [
        (_("Customer's evaluation"), task.evaluation),
        (_("What to improve"), task.improvement),
        (_("Suggestions"), task.suggestions),
        (_("Complaints"), task.complaints),
    ]
    description = "\n".join(f"{label}: {text}" for label, text in said if text)
    first_line = (task.complaints if kind == CaseKind.COMPLAINT else task.suggestions) or task.improvement
    title = _("Follow-up visit: %(text)s") % {"text": (first_line or task.evaluation).splitlines()[0][:120]}
    case = case_receive(
        actor=actor,
        data={
            "kind": kind,
            "nature": ComplaintNature.SOFT if kind == CaseKind.COMPLAINT else "",
            "title": title[:200],
            "description": description,
            "channel": CaseChannel.VISIT,
            "customer": task.customer,
            "contact": task.contact,
        },
    )
    task.case = case
    _save(task, "case_opened", actor, {"case": case.number, "kind": kind})
    return case


@transaction.atomic
def visit_assign(*, actor: Any, task: VisitTask, assignee: Any) -> VisitTask:
    """Take a task from the team queue, or hand it to someone."""
    _require(actor, "visits.record_visit", task)
    task = _locked(task, None)
    if task.status != TaskStatus.OPEN:
        raise DomainError(_("Only a visit still to do can be reassigned."), field="assignee", code="conflict")
    before = str(task.assignee or "")
    task.assignee = assignee
    _save(task, "assigned", actor, {"assignee": [before, str(assignee or "")]})
    return task


# --- care SMS -------------------------------------------------------------------------------------


@transaction.atomic
def care_campaign_create(*, actor: Any, data: Mapping[str, Any]) -> CareCampaign:
    _require(actor, "visits.manage_campaigns")
    name, body = str(data.get("name", "")).strip(), str(data.get("body", "")).strip()
    if not name:
        raise DomainError(_("Name the campaign."), field="name")
    if not body:
        raise DomainError(_("Write the message."), field="body")
    if len(body) > 300:
        raise DomainError(_("An SMS may be at most 300 characters."), field="body")
    try:
        render_script(body, {})
    except (ValueError, IndexError) as exc:
        raise DomainError(_("The message has a broken placeholder: %s") % exc, field="body") from exc
    send_at = data.get("send_at") or timezone.now()
    campaign = CareCampaign.objects.create(
        name=name,
        body=body,
        grade=data.get("grade") or "",
        key_customers_only=bool(data.get("key_customers_only")),
        send_at=send_at,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="visits.campaign.created",
        subject=campaign,
        changes={"send_at": send_at.isoformat(), "grade": campaign.grade},
    )
    return campaign


def care_recipients_capped(customer_ids: Iterable[int], at: dt.datetime, cap: int) -> set[int]:
    """Customers who already had `cap` care SMS in the 7 days before `at`."""
    from django.db.models import Count

    since = at - dt.timedelta(days=7)
    return set(
        CareMessage.objects.filter(customer_id__in=list(customer_ids), sent_at__gt=since)
        .values("customer_id")
        .annotate(n=Count("id"))
        .filter(n__gte=cap)
        .values_list("customer_id", flat=True)
    )


@transaction.atomic
def care_campaign_send(*, campaign: CareCampaign, now: dt.datetime | None = None) -> CareCampaign:
    """Write the campaign's SMS to the outbox, skipping customers at the weekly cap (1-2 a week)."""
    campaign = CareCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.SCHEDULED:
        return campaign
    now = now or timezone.now()
    cap = policy().care_sms_per_week
    customers = Customer.objects.filter(is_active=True)
    if campaign.grade:
        customers = customers.filter(grade=campaign.grade)
    if campaign.key_customers_only:
        customers = customers.filter(is_key=True)
    contacts = {
        c.customer_id: c
        for c in Contact.objects.filter(customer__in=customers)
        .select_related("customer")
        .order_by("-is_primary", "-id")
        if c.mobile
    }
    capped = care_recipients_capped(contacts, now, cap)
    rest = parse_periods(policy().rest_hours)
    not_before = first_free_moment(timezone.localtime(now), rest)
    sent = 0
    for customer_id, contact in contacts.items():
        if customer_id in capped:
            continue
        body = render_script(
            campaign.body,
            {"customer": contact.customer.name, "contact": contact.name, "company": settings.KEFU_COMPANY_NAME},
        )
        CareMessage.objects.create(campaign=campaign, customer_id=customer_id, sent_at=now)
        message_enqueue(
            channel="sms",
            recipient=contact.mobile,
            body=body,
            dedupe_key=f"care-{campaign.pk}-{customer_id}",
            not_before=not_before if not_before != timezone.localtime(now) else None,
        )
        sent += 1
    campaign.status, campaign.sent_count, campaign.capped_count = CampaignStatus.SENT, sent, len(capped)
    campaign.save(update_fields=["status", "sent_count", "capped_count"])
    audit_record(
        actor=None, action="visits.campaign.sent", subject=campaign, changes={"sent": sent, "held_back": len(capped)}
    )
    return campaign


def care_campaigns_send_due(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    due = CareCampaign.objects.filter(status=CampaignStatus.SCHEDULED, send_at__lte=now)
    count = 0
    for campaign in due:
        care_campaign_send(campaign=campaign, now=now)
        count += 1
    return count


@transaction.atomic
def care_campaign_cancel(*, actor: Any, campaign: CareCampaign) -> CareCampaign:
    _require(actor, "visits.manage_campaigns")
    campaign = CareCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.SCHEDULED:
        raise DomainError(_("Only a scheduled campaign can be cancelled."), field="status", code="conflict")
    campaign.status = CampaignStatus.CANCELLED
    campaign.save(update_fields=["status"])
    audit_record(actor=actor, action="visits.campaign.cancelled", subject=campaign)
    return campaign


__all__ = [
    "Method",
    "care_campaign_cancel",
    "care_campaign_create",
    "care_campaign_send",
    "care_campaigns_send_due",
    "due_moment",
    "on_domain_event",
    "policy",
    "render_script",
    "script_values",
    "visit_assign",
    "visit_open_case",
    "visit_policy_save",
    "visit_record_outcome",
    "visit_rule_save",
    "visit_schedule_after_event",
    "visit_script_save",
    "visit_tasks_generate",
]


def weekly_summary_send(*, day: dt.date | None = None) -> int:
    """Mondays: e-mail last week's visit summary (顾客满意度调查表汇总) to head office (general manager,
    marketing director, CS managers). Once per week and person; returns how many e-mails were queued."""
    from kefu.accounts.models import Role, User
    from kefu.visits.selectors import weekly_summary

    day = day or timezone.localdate()
    if day.weekday() != 0:
        return 0
    summary = weekly_summary(day=day)
    coverage = summary["coverage"]
    lines = [
        _("Visits planned: %(planned)d, done: %(done)d") % {"planned": coverage.planned, "done": coverage.done},
        _("Key-customer coverage: %(pct)s %%")
        % {"pct": coverage.key_coverage_pct if coverage.key_coverage_pct is not None else "—"},
        _("Reach rate: %(pct)s %%") % {"pct": coverage.reach_rate_pct if coverage.reach_rate_pct is not None else "—"},
        "",
        *[f"{label}: {coverage.outcomes.get(code, 0)}" for code, label in Outcome.choices],
        "",
        _("Customers not satisfied:"),
        *[f"- {t.customer.name}: {t.get_outcome_display()} · {t.improvement}" for t in summary["unhappy"]],
    ]
    subject = _("Follow-up visit summary %(start)s – %(end)s") % {"start": summary["start"], "end": summary["end"]}
    recipients = User.objects.filter(
        is_active=True, role__in=[Role.GENERAL_MANAGER, Role.MARKETING_DIRECTOR, Role.CS_MANAGER]
    ).exclude(email="")
    queued = 0
    for user in recipients:
        message = message_enqueue(
            channel="email",
            recipient=user.email,
            subject=subject,
            body="\n".join(lines),
            dedupe_key=f"visits-weekly-{summary['start']:%Y%m%d}-{user.pk}",
        )
        queued += message is not None
    return queued
