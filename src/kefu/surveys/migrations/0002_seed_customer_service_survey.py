"""The seed's 客户服务调查表 (000) on its 7-point scale, with the satisfaction index of seed 003 §7
(服务质量, 物流时效, 价格合理性, 售后服务) as weighted dimensions."""

from decimal import Decimal

from django.db import migrations

SCALE = ["非常好", "相当好", "稍微好", "中等", "稍微差", "相当差", "非常差"]
DIMENSIONS = [
    ("quality", "服务质量", Decimal("0.35")),
    ("timeliness", "物流时效", Decimal("0.30")),
    ("price", "价格合理性", Decimal("0.15")),
    ("after_sales", "售后服务", Decimal("0.20")),
]
# text, kind, dimension, required
QUESTIONS = [
    ("订单处理快捷", "scale", "timeliness", True),
    ("补货时间快", "scale", "timeliness", True),
    ("员工服务态度好", "scale", "quality", True),
    ("订货单位多样", "scale", "quality", True),
    ("提供高效紧急发货", "scale", "timeliness", True),
    ("指定时间配送", "scale", "timeliness", True),
    ("提供及时准确的物流信息", "scale", "quality", True),
    ("无损坏送货", "scale", "quality", True),
    ("物流服务管理水平高", "scale", "quality", True),
    ("价格合理、收费透明", "scale", "price", True),
    ("投诉与售后问题处理及时、令人满意", "scale", "after_sales", True),
    ("您有多大可能向朋友或同行推荐我们？", "nps", None, False),
    ("您对我们的服务还有什么意见和建议？", "text", None, False),
]


def seed(apps, schema_editor):
    SurveyTemplate = apps.get_model("surveys", "SurveyTemplate")
    Dimension = apps.get_model("surveys", "Dimension")
    Question = apps.get_model("surveys", "Question")
    if SurveyTemplate.objects.exists():
        return
    template = SurveyTemplate.objects.create(
        code="customer-service",
        name="客户服务调查表",
        intro="感谢您抽出宝贵时间。请就以下各项对我们的物流服务作出评价，您的意见将帮助我们改进服务。",
        target_index=Decimal("85"),
    )
    dimensions = {}
    for position, (code, name, weight) in enumerate(DIMENSIONS, start=1):
        dimensions[code] = Dimension.objects.create(
            template=template, code=code, name=name, weight=weight, position=position * 10
        )
    for position, (text, kind, dimension, required) in enumerate(QUESTIONS, start=1):
        Question.objects.create(
            template=template, position=position * 10, text=text, kind=kind,
            options=SCALE if kind == "scale" else [], dimension=dimensions.get(dimension), required=required,
        )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
