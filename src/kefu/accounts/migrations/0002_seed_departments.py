"""The departments named in the seeds (000, 001, 002); managers can rename or add more."""

from django.db import migrations

DEPARTMENTS = [
    ("cs", "客户服务部", True),
    ("transport", "运输配送部", False),
    ("warehouse", "仓储部", False),
    ("finance", "财务部", False),
    ("sales", "销售部", False),
    ("marketing", "市场部", False),
    ("design", "设计部", False),
    ("production", "生产部", False),
]


def seed(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    for code, name, is_cs in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name, "is_customer_service": is_cs})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
