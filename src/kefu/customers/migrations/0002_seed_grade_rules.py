"""Default A/B/C grading: big or long-standing, creditworthy customers first (seeds 001 大客户/优质客户, 002 客户分类)."""

from decimal import Decimal

from django.db import migrations

RULES = [
    (10, "A", "重点客户", None, None, "", True),
    (20, "A", "年业务额 500 万以上且信用 AA 以上", Decimal("500"), None, "AA", False),
    (30, "A", "合作 3 年以上且年业务额 200 万以上", Decimal("200"), 3, "A", False),
    (40, "B", "年业务额 100 万以上", Decimal("100"), None, "B", False),
    (50, "B", "合作 2 年以上", None, 2, "B", False),
]


def seed(apps, schema_editor):
    GradeRule = apps.get_model("customers", "GradeRule")
    if GradeRule.objects.exists():
        return
    for position, grade, name, amount, years, credit, key in RULES:
        GradeRule.objects.create(
            position=position, grade=grade, name=name, min_annual_amount=amount,
            min_cooperation_years=years, min_credit_rating=credit, key_customer=key,
        )


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
