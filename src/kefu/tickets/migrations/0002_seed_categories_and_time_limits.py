"""Seeds: the logistics category tree, the seeds' time limits as SLA policies, approval thresholds,
and a ticket-booking service request type (004 篇6).

Time limits (requirements.md §3.1): report to the supervisor within 10 min (002); soft complaint —
react within 15 min, verified within 30 min (004 篇5); hard complaint — first response within 1 h,
second response within 3 h (004 篇5); the responsible department accepts within 15 min (004 篇6);
repair/service requests — contact within 1 day, answer within 72 h (004 篇5); follow-up within 24 h
of resolution (004 篇5). Resolution targets by severity are Kefu's defaults (the seeds give none).
"""

from decimal import Decimal

from django.db import migrations

CATEGORIES = [
    ("delay", "运输延误", "transport"),
    ("damage", "货物破损", "transport"),
    ("loss", "货物遗失", "transport"),
    ("wrong_goods", "错发/漏发", "warehouse"),
    ("attitude", "服务态度", "cs"),
    ("late_info", "信息反馈不及时", "cs"),
    ("billing", "账单结算", "finance"),
    ("driver", "司机问题", "transport"),
    ("other", "其他", None),
]

RESOLUTION = [("normal", 3 * 450), ("serious", 450), ("major", 240)]  # business minutes (7.5 h a day)

POLICIES = [
    # name, kind, nature, round_the_clock, targets [(metric, minutes, severity, all_hours)]
    ("软性投诉", "complaint", "soft", False, [
        ("report", 10, "", False), ("first_response", 15, "", False), ("verification", 30, "", False),
        ("department_accept", 15, "", False), ("follow_up", 24 * 60, "", True),
    ]),
    ("硬性投诉", "complaint", "hard", False, [
        ("report", 10, "", False), ("first_response", 60, "", False), ("second_response", 180, "", False),
        ("department_accept", 15, "", False), ("follow_up", 24 * 60, "", True),
    ]),
    ("服务请求（报修等）", "service_request", "", True, [
        ("first_response", 24 * 60, "", False), ("department_accept", 15, "", False),
        ("resolution", 72 * 60, "", False), ("follow_up", 24 * 60, "", False),
    ]),
    ("建议与咨询", "", "", False, [
        ("first_response", 60, "", False), ("department_accept", 15, "", False),
    ]),
]

THRESHOLDS = [(Decimal("0"), 1), (Decimal("5000"), 2), (Decimal("50000"), 3)]


def seed(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    Category = apps.get_model("tickets", "Category")
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    SlaTarget = apps.get_model("tickets", "SlaTarget")
    ApprovalThreshold = apps.get_model("tickets", "ApprovalThreshold")
    ServiceRequestType = apps.get_model("tickets", "ServiceRequestType")
    departments = {d.code: d for d in Department.objects.all()}
    for position, (code, name, department) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "position": position * 10, "default_department": departments.get(department)},
        )
    if not SlaPolicy.objects.exists():
        for name, kind, nature, all_hours, targets in POLICIES:
            policy = SlaPolicy.objects.create(name=name, kind=kind, nature=nature, round_the_clock=all_hours)
            for metric, minutes, severity, target_all_hours in targets:
                SlaTarget.objects.create(
                    policy=policy, metric=metric, minutes=minutes, severity=severity, round_the_clock=target_all_hours
                )
            if kind != "service_request":
                for severity, minutes in RESOLUTION:
                    SlaTarget.objects.create(policy=policy, metric="resolution", minutes=minutes, severity=severity)
    for amount, level in THRESHOLDS:
        ApprovalThreshold.objects.get_or_create(min_amount=amount, defaults={"level": level})
    ServiceRequestType.objects.get_or_create(
        code="ticket_booking",
        defaults={
            "name": "代订机票",
            "fields": [
                {"name": "passenger", "label": "乘客姓名", "type": "text", "required": True},
                {"name": "id_number", "label": "身份证号", "type": "text", "required": True},
                {"name": "destination", "label": "目的地", "type": "text", "required": True},
                {"name": "date", "label": "日期", "type": "date", "required": True},
                {"name": "cabin", "label": "舱位", "type": "choice", "required": True,
                 "choices": ["经济舱", "公务舱", "头等舱"]},
            ],
        },
    )
    ServiceRequestType.objects.get_or_create(
        code="repair",
        defaults={
            "name": "报修",
            "fields": [
                {"name": "item", "label": "报修物品", "type": "text", "required": True},
                {"name": "address", "label": "地址", "type": "text", "required": True},
            ],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial"), ("accounts", "0002_seed_departments")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
