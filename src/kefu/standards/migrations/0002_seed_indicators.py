"""The indicators of seed 000's 客户服务标准单, plus satisfaction index and follow-up coverage; each computed."""

from django.db import migrations

INDICATORS = [
    # code, name, department code, unit, direction, computation
    ("transport_demand_fulfilment", "运输需求满足率", "transport", "%", "higher", "transport_demand_fulfilment"),
    ("timely_dispatch", "货物及时发送率", "transport", "%", "higher", "timely_dispatch"),
    ("on_time_delivery", "货物准时送达率", "transport", "%", "higher", "on_time_delivery"),
    ("intact_delivery", "货物完好送达率", "transport", "%", "higher", "intact_delivery"),
    ("timely_feedback", "运输信息及时反馈率", "transport", "%", "higher", "timely_feedback"),
    ("inventory_intact", "库存完好率", "warehouse", "%", "higher", "inventory_intact"),
    ("shipping_accuracy", "发货准确率", "warehouse", "%", "higher", "shipping_accuracy"),
    ("complaint_rate", "客户投诉率", "cs", "%", "lower", "complaint_rate"),
    ("complaint_handling_time", "客户投诉处理时间", "cs", "h", "lower", "complaint_handling_time"),
    ("satisfaction_index", "客户满意度指数", "cs", "分", "higher", "satisfaction_index"),
    ("follow_up_coverage", "回访覆盖率", "cs", "%", "higher", "follow_up_coverage"),
]


def seed(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    Indicator = apps.get_model("standards", "Indicator")
    for position, (code, name, department, unit, direction, computation) in enumerate(INDICATORS, start=1):
        dept = Department.objects.filter(code=department).first()
        if dept is None:
            continue
        Indicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "department": dept,
                "unit": unit,
                "direction": direction,
                "measurement": "computed",
                "computation": computation,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial"), ("accounts", "0002_seed_departments")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
