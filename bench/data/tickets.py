"""Cases of every type and state over the last 12 months, with what the services would have written.

For each case: its number (`TS|JY|ZX|FW-YYYYMMDD-NNNN` per day, and the `NumberSequence` rows so
the services continue the series), a unique tracking code, `search_text` and its "case" search
tokens, the timeline (one audit row per step of the loop it went through, with the actors the
services record), its solutions, and its SLA clocks: stopped ones where the step that stops them
happened, running ones for open cases with due times around `now`, left in the state the sweep of
15 minutes before would have produced (warned, breached, escalated; the case's escalation level
raised to match), so the first measured sweep is a normal one. Complaints also add to their
customer's complaint count and timeline (特别记录), as `case_receive` does.

About 20 % of the cases are open (90 % of those received in the last week, 50 % of the last month,
16.5 % of older ones), the open ones spread over the steps of the loop; 8 % of closed ones were
judged not valid.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import time
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from bench.data import Context, columns, generator
from bench.data.texts import case_text

BATCH = 20_000

# The steps of the loop in order: (audit action, status after it).
PATH = (
    ("received", "received"),
    ("judged_valid", "assigned"),
    ("accepted", "investigating"),
    ("investigated", "investigating"),
    ("solution_proposed", "awaiting_approval"),
    ("solution_approved", "implementing"),
    ("implemented", "awaiting_confirmation"),
    ("confirmed", "resolved"),
    ("followed_up", "followed_up"),
    ("closed", "closed"),
)
# Open cases: how many steps of PATH they went through, with weights.
OPEN_STEPS = ((1, 20), (2, 15), (3, 13), (4, 12), (5, 8), (6, 12), (7, 8), (8, 8), (9, 4))
KINDS = (("complaint", 65), ("suggestion", 10), ("inquiry", 17), ("service_request", 8))
CHANNELS = ("hotline", "hotline", "hotline", "email", "portal", "walk_in", "api", "sms", "visit")
# Which step stops a clock (a closed or invalid case stops them all).
STOPPED_BY = {
    "report": "judged",
    "first_response": "judged",
    "verification": "judged",
    "second_response": "investigated",
    "department_accept": "accepted",
    "resolution": "confirmed",
    "follow_up": "followed_up",
}
# Where a running clock of an open case falls due, in hours around `now`.
RUNNING_DUE_HOURS = {"resolution": (-72, 14 * 24), "follow_up": (-12, 24)}
RUNNING_DUE_DEFAULT = (-6, 2)
ROOT_CAUSES = ("装车堆码不规范", "中转交接漏扫", "司机未按规范操作", "报价与系统费率不一致", "客服话术不到位")
LESSONS = ("加强装车培训", "交接双人复核", "司机服务考核", "每月核对费率表", "客服话术复训")
SOLUTIONS = (
    ("compensation", "按合同赔偿并书面致歉"),
    ("redelivery", "安排补发并加急配送"),
    ("refund", "退还多收运费"),
    ("apology", "书面致歉并加强培训"),
    ("repair", "安排上门维修"),
)


def _open_probability(age_days: float) -> float:
    if age_days < 7:
        return 0.9
    if age_days < 30:
        return 0.5
    return 0.165


class _Setup:
    """Everything read once before generating: categories, policies, staff, users per department."""

    def __init__(self, ctx: Context) -> None:
        from kefu.accounts.models import Department, Role
        from kefu.core.crypto import lookup_hash
        from kefu.tickets.models import Category, ServiceRequestType, SlaPolicy

        users = list(ctx.shared["users"].values())
        self.agents = [u for u in users if u.role == Role.AGENT and u.department and u.department.code == "cs"]
        self.supervisors = [u for u in users if u.role == Role.SUPERVISOR] or self.agents
        self.by_department: dict[int, list[Any]] = defaultdict(list)
        for u in users:
            if u.department_id:
                self.by_department[u.department_id].append(u)
        self.cs_department = Department.objects.get(code="cs").pk
        self.categories = {c.code: c for c in Category.objects.filter(is_active=True)}
        self.request_types = list(ServiceRequestType.objects.filter(is_active=True))
        self.policies = list(SlaPolicy.objects.filter(is_active=True).prefetch_related("targets"))
        self.blank_phone_hash = lookup_hash("")
        self.labels = {u.pk: str(u) for u in users}
        self._policy_cache: dict[tuple[Any, ...], Any] = {}

    def policy(self, case: Any, grade: str) -> tuple[Any, dict[str, Any]]:
        from kefu.tickets import sla

        key = (case.kind, case.nature, case.category_id, case.severity, grade)
        if key not in self._policy_cache:
            policy = sla.best_policy(self.policies, case, grade)
            targets = sla.targets_for(policy.targets.all(), case.severity) if policy else {}
            self._policy_cache[key] = (policy, targets)
        return self._policy_cache[key]

    def handler(self, rng: random.Random, department_id: int | None) -> Any:
        return rng.choice(self.by_department.get(department_id or 0) or self.agents)


def _extra(rng: random.Random, request_type: Any, at: dt.datetime) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in request_type.fields:
        kind = spec.get("type", "text")
        if kind == "date":
            values[spec["name"]] = (at.date() + dt.timedelta(days=rng.randint(2, 20))).isoformat()
        elif kind == "number":
            values[spec["name"]] = str(rng.randint(1, 20))
        elif kind == "choice":
            values[spec["name"]] = rng.choice(spec.get("choices") or [""])
        else:
            values[spec["name"]] = rng.choice(("上海", "成都", "张伟", "空调外机", "浦东新区张江路88号"))
    return values


@generator("cases", after=("customers",))
def cases(ctx: Context) -> dict[str, Any]:
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from kefu.core.models import AuditEvent, NumberSequence, SearchToken
    from kefu.core.search import tokens_for
    from kefu.customers.models import Customer
    from kefu.tickets.choices import NUMBER_PREFIX, CaseKind
    from kefu.tickets.models import Case, CaseClock, Solution
    from kefu.tickets.services import SEARCH_KIND, derive_priority
    from kefu.tickets.services._base import CLOCKS_AT_RECEIPT, DEFAULT_CLOCKS_AT_RECEIPT, _search_text

    rng = ctx.rng("cases")
    setup = _Setup(ctx)
    writer = ctx.writer
    now = ctx.now
    swept = now - dt.timedelta(minutes=15)
    customers = ctx.shared["customers"]
    count = ctx.plan.cases
    has_next_due = any(f.attname == "next_due_at" for f in Case._meta.concrete_fields)

    case_fields = columns(
        "id number kind nature category_id request_type_id extra severity priority title description "
        "channel customer_id caller_phone_hash order_number status waiting_for_customer received_by_id "
        "received_at department_id assignee_id escalation_level escalation_base judgement_note cause "
        "resolved_at satisfaction follow_up_note root_cause lesson closed_at tracking_code search_text "
        "updated_at version team_id"
    )
    if has_next_due:
        case_fields.append("next_due_at")
    clock_fields = columns(
        "case_id metric policy_id started_at due_at warn_at paused_at stopped_at warned_at breached_at "
        "escalations next_escalation_at"
    )
    audit_fields = columns("occurred_at actor_id actor_label action subject_type subject_id subject_label changes")
    solution_fields = columns(
        "case_id kind description compensation_amount status proposed_by_id proposed_at decided_by_id decided_at"
    )

    sequences = dict(NumberSequence.objects.values_list("key", "last_value"))
    existing_keys = set(sequences)
    next_case_id = writer.next_id(Case)
    received = sorted(now - dt.timedelta(seconds=rng.uniform(60, 365 * 86400)) for _ in range(count))
    complaints: dict[int, list[Any]] = defaultdict(lambda: [0, None])
    info = {
        "cases": 0,
        "open": 0,
        "clocks": 0,
        "running_clocks": 0,
        "overdue_clocks": 0,
        "search_tokens": 0,
        "audit_events": 0,
        "solutions": 0,
    }
    by_kind: dict[str, int] = defaultdict(int)
    by_status: dict[str, int] = defaultdict(int)
    kinds, kind_weights = zip(*KINDS, strict=True)
    open_steps, open_weights = zip(*OPEN_STEPS, strict=True)
    complaint_codes = [c for c in setup.categories if c != "other"]
    started = time.perf_counter()

    with writer.bulk_load(Case, CaseClock, SearchToken, AuditEvent, Solution):
        for offset in range(0, count, BATCH):
            case_rows: list[tuple[Any, ...]] = []
            clock_rows: list[tuple[Any, ...]] = []
            audit_rows: list[tuple[Any, ...]] = []
            token_rows: list[tuple[Any, ...]] = []
            solution_rows: list[tuple[Any, ...]] = []
            for at in received[offset : offset + BATCH]:
                case_id = next_case_id
                next_case_id += 1
                kind = rng.choices(kinds, kind_weights)[0]
                code = rng.choice(complaint_codes) if kind == "complaint" else "other"
                category = setup.categories.get(code)
                nature = ("soft" if code in ("attitude", "late_info") else "hard") if kind == "complaint" else ""
                title, description = case_text(rng, kind, code)
                customer_pk, customer_name, grade, team_id = rng.choice(customers)
                severity = rng.choices(("normal", "serious", "major"), (75, 20, 5))[0]
                request_type = rng.choice(setup.request_types) if kind == "service_request" else None
                age_days = (now - at).total_seconds() / 86400
                is_open = rng.random() < _open_probability(age_days)
                invalid = not is_open and rng.random() < 0.08
                steps = rng.choices(open_steps, open_weights)[0] if is_open else (2 if invalid else len(PATH))
                path = [("received", "received"), ("judged_invalid", "invalid")] if invalid else list(PATH[:steps])
                status = path[-1][1]
                # Step times: spread between receipt and the end (closure, or shortly before now).
                end = min(now - dt.timedelta(minutes=1), at + dt.timedelta(days=rng.uniform(0.3, 12)))
                if is_open:
                    end = min(now - dt.timedelta(minutes=1), at + (now - at) * rng.uniform(0.2, 0.95))
                fractions = sorted(rng.random() for _ in range(len(path) - 1))
                times = [at] + [at + (end - at) * f for f in fractions]
                when = {action: t for (action, _), t in zip(path, times, strict=True)}

                day_key = f"{NUMBER_PREFIX[CaseKind(kind)]}-{timezone.localdate(at):%Y%m%d}"
                sequences[day_key] = sequences.get(day_key, 0) + 1
                number = f"{day_key}-{sequences[day_key]:04d}"
                department_id = category.default_department_id if category else None
                judged = len(path) > 1 and not invalid
                department_id = (department_id or setup.cs_department) if judged else None
                agent = rng.choice(setup.agents)
                supervisor = rng.choice(setup.supervisors)
                handler = setup.handler(rng, department_id) if judged else None
                base = 2 if severity == "major" else 0
                order_number = f"YD{rng.randint(10**9, 10**10 - 1)}" if kind == "complaint" else ""
                stub = SimpleNamespace(
                    number=number,
                    title=title,
                    description=description,
                    order_number=order_number,
                    caller_name="",
                    customer_id=customer_pk,
                    customer=SimpleNamespace(name=customer_name),
                    kind=kind,
                    nature=nature,
                    category_id=category.pk if category else None,
                    severity=severity,
                )
                text = _search_text(stub)
                waiting = is_open and steps >= 3 and rng.random() < 0.05
                satisfaction = (
                    rng.choice(("very_satisfied", "satisfied", "satisfied", "neutral")) if "followed_up" in when else ""
                )
                root_cause = rng.choice(ROOT_CAUSES) if "closed" in when else ""
                resolved_at = when.get("confirmed")
                closed_at = when.get("closed") or when.get("judged_invalid")

                # Clocks: started at receipt (by kind and nature), on judgement and on resolution.
                policy, targets = setup.policy(stub, grade)
                starts = [(m, at) for m in CLOCKS_AT_RECEIPT.get((kind, nature), DEFAULT_CLOCKS_AT_RECEIPT)]
                if "judged_valid" in when:
                    starts.append(("department_accept", when["judged_valid"]))
                if "confirmed" in when:
                    starts.append(("follow_up", when["confirmed"]))
                paused = now - dt.timedelta(hours=rng.uniform(1, 48)) if waiting else None
                level = base
                next_due = None
                for metric, start in starts:
                    target = targets.get(metric)
                    if policy is None or target is None:
                        continue
                    stop_step = STOPPED_BY.get(metric, "")
                    if stop_step == "judged":
                        stop = when.get("judged_valid") or when.get("judged_invalid")
                    else:
                        stop = when.get(stop_step)
                    stop = stop or closed_at
                    interval = dt.timedelta(minutes=max(policy.escalation_interval_minutes, 1))
                    if stop is not None:
                        due = start + dt.timedelta(minutes=target.minutes)
                        warn = max(start, due - dt.timedelta(minutes=policy.warning_minutes))
                        clock_rows.append(
                            (
                                case_id,
                                metric,
                                policy.pk,
                                start,
                                due,
                                warn,
                                None,
                                stop,
                                warn if warn < stop else None,
                                due if stop > due else None,
                                0,
                                due,
                            )
                        )
                        continue
                    low, high = RUNNING_DUE_HOURS.get(metric, RUNNING_DUE_DEFAULT)
                    due = max(start + dt.timedelta(minutes=15), now + dt.timedelta(hours=rng.uniform(low, high)))
                    warn = max(start, due - dt.timedelta(minutes=policy.warning_minutes))
                    warned = breached = None
                    escalations = 0
                    if paused is None:
                        if warn <= swept:
                            warned = warn
                        if due <= swept:
                            breached = due
                            escalations = 1 + int((swept - due) / interval)
                            level = max(level, min(base + escalations, 3))
                        if due <= now:
                            info["overdue_clocks"] += 1
                        next_due = due if next_due is None else min(next_due, due)
                    info["running_clocks"] += 1
                    clock_rows.append(
                        (
                            case_id,
                            metric,
                            policy.pk,
                            start,
                            due,
                            warn,
                            paused,
                            None,
                            warned,
                            breached,
                            escalations,
                            due + escalations * interval,
                        )
                    )

                row = [
                    case_id,
                    number,
                    kind,
                    nature,
                    category.pk if category else None,
                    request_type.pk if request_type else None,
                    _extra(rng, request_type, at) if request_type else {},
                    severity,
                    derive_priority(severity=severity, customer_grade=grade, kind=kind),
                    title,
                    description,
                    rng.choice(CHANNELS),
                    customer_pk,
                    setup.blank_phone_hash,
                    order_number,
                    status,
                    waiting,
                    agent.pk,
                    at,
                    department_id,
                    handler.pk if handler and "accepted" in when else None,
                    level,
                    base,
                    "情况属实，转责任部门处理" if judged else ("经核实投诉不成立，已向客户说明" if invalid else ""),
                    rng.choice(ROOT_CAUSES) if "investigated" in when else "",
                    resolved_at,
                    satisfaction,
                    "客户表示认可" if satisfaction else "",
                    root_cause,
                    rng.choice(LESSONS) if root_cause else "",
                    closed_at,
                    base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("="),
                    text.lower(),
                    times[-1],
                    len(path),
                    team_id,
                ]
                if has_next_due:
                    row.append(next_due)
                case_rows.append(tuple(row))
                token_rows.extend((SEARCH_KIND, t, case_id) for t in tokens_for(text))

                # The timeline: one audit row per step, with the actor the services would record.
                label = f"{number} {title}"[:200]
                for action, _status in path:
                    actor = {
                        "received": agent,
                        "judged_valid": supervisor,
                        "judged_invalid": supervisor,
                        "solution_approved": supervisor,
                        "closed": supervisor,
                        "confirmed": agent,
                        "followed_up": agent,
                    }.get(action, handler or agent)
                    changes: dict[str, Any] = {}
                    if action == "received":
                        changes = {"channel": row[11], "kind": kind, "severity": severity}
                    elif action == "judged_valid":
                        changes = {"department": department_id, "note": row[23]}
                    elif action == "followed_up":
                        changes = {"satisfaction": satisfaction}
                    elif action == "closed":
                        changes = {"root_cause": root_cause, "lesson": row[29]}
                    audit_rows.append(
                        (
                            when[action],
                            actor.pk,
                            setup.labels[actor.pk],
                            f"tickets.case.{action}",
                            "tickets.case",
                            str(case_id),
                            label,
                            changes,
                        )
                    )
                if kind == "complaint":
                    record = complaints[customer_pk]
                    record[0] += 1
                    record[1] = at
                    audit_rows.append(
                        (
                            at,
                            None,
                            "system",
                            "customers.customer.complained",
                            "customers.customer",
                            str(customer_pk),
                            customer_name[:200],
                            {"case": number},
                        )
                    )
                if "solution_proposed" in when:
                    solution_kind, solution_text = rng.choice(SOLUTIONS)
                    approved = "solution_approved" in when
                    solution_rows.append(
                        (
                            case_id,
                            solution_kind,
                            solution_text,
                            rng.randint(2, 80) * 100 if solution_kind == "compensation" else None,
                            "approved" if approved else "proposed",
                            (handler or agent).pk,
                            when["solution_proposed"],
                            supervisor.pk if approved else None,
                            when.get("solution_approved"),
                        )
                    )
                info["open"] += is_open
                by_kind[kind] += 1
                by_status[status] += 1

            with transaction.atomic():
                writer.insert(Case, case_fields, case_rows)
                writer.insert(CaseClock, clock_fields, clock_rows)
                writer.insert(SearchToken, ["kind", "token", "object_id"], token_rows)
                writer.insert(AuditEvent, audit_fields, audit_rows)
                writer.insert(Solution, solution_fields, solution_rows)
            info["cases"] += len(case_rows)
            info["clocks"] += len(clock_rows)
            info["search_tokens"] += len(token_rows)
            info["audit_events"] += len(audit_rows)
            info["solutions"] += len(solution_rows)
            elapsed = time.perf_counter() - started
            ctx.log(f"    {info['cases']:,} / {count:,} cases ({elapsed:.0f} s)")

    with transaction.atomic():
        writer.reset_sequences(Case, CaseClock, SearchToken, AuditEvent, Solution)
        new = [(k, v) for k, v in sequences.items() if k not in existing_keys]
        writer.insert(NumberSequence, ["key", "last_value"], new)
        for key in existing_keys:
            NumberSequence.objects.filter(key=key).update(last_value=sequences[key])
        writer.reset_sequences(NumberSequence)
        for customer_pk, (n, last) in complaints.items():
            Customer.objects.filter(pk=customer_pk).update(
                complaint_count=F("complaint_count") + n, last_complaint_at=last
            )
    ctx.shared["case_count"] = info["cases"]
    return {**info, "by_kind": dict(by_kind), "by_status": dict(sorted(by_status.items()))}
