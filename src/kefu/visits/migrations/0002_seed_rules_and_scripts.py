"""The seeds' visit plans and scripts (001 §3 回访规范及用语, 002 §5 定期回访, 004 篇1/篇5 售后跟踪)."""

from django.db import migrations

FIRST_VISIT = (
    "您好，是{contact}{title}吗？我是{company}的{agent}，打扰您了。\n"
    "根据公司安排，以后我就是为您提供服务的客服专员，您如果有什么事情或者对我们公司有什么建议和意见，"
    "都可以联系我，这是我的座机号码，我的手机号码等下我会用短信发到您的手机上"
    "（如果是座机：您方便给我留个您的手机号码吗？）。"
    "如果以后我有什么做得不到位的地方，您就直接给我提出来，我一定改正！\n"
    "很荣幸为您提供服务，以后多联系！"
)
REGULAR_VISIT = (
    "{contact}{title}您好，我是{company}的{agent}。（寒暄）\n"
    "您对我们公司的产品和服务（对我本人）有没有什么建议或者不满意的地方？\n"
    "【不满意/一般】能否告诉我您对哪方面不满意？我们应改进哪方面的工作？\n"
    "结束：【满意】感谢您的答复，您如果需要什么帮助，可随时跟我们联系，祝您节日快乐，再见！\n"
    "【不满意/一般】非常谢谢您的意见和建议，这对我们非常有帮助，这一点我们的确做得不够，"
    "我们很快就会有改进的，望您监督，祝您节日快乐，再见！"
)
AFTER_SALE = (
    "{contact}{title}您好，我是{company}的{agent}，打扰您一分钟。"
    "您的货物已经送达/维修已经完成，想了解一下您对这次服务是否满意？有没有需要我们改进的地方？"
)
THANK_YOU = (
    "尊敬的{contact}{title}：\n感谢{customer}选择{company}。我们将一如既往为您提供优质的物流服务，"
    "如有任何意见和建议，欢迎随时联系您的客服专员{agent}。\n{company} 客户服务部"
)

SCRIPTS = [
    ("first-visit", "首次回访话术", FIRST_VISIT),
    ("regular-visit", "定期回访话术", REGULAR_VISIT),
    ("after-sale", "售后跟踪回访话术", AFTER_SALE),
    ("thank-you-letter", "答谢信", THANK_YOU),
]

# code, name, kind, grade, key customers, months, event, follows, delay hours, method, script
RULES = [
    ("key-monthly", "重点客户每月回访（100% 覆盖）", "periodic", "", "only", 1, "", None, 0, "phone", "regular-visit"),
    ("grade-a-monthly", "A 类客户每月回访", "periodic", "A", "exclude", 1, "", None, 0, "phone", "regular-visit"),
    ("grade-b-quarterly", "B 类客户每季度回访", "periodic", "B", "exclude", 3, "", None, 0, "phone", "regular-visit"),
    ("grade-c-half-yearly", "C 类客户每半年回访", "periodic", "C", "exclude", 6, "", None, 0, "phone",
     "regular-visit"),
    ("complaint-resolved", "投诉解决后 24 小时回访", "event", "", "", None, "tickets.case.confirmed", None, 24,
     "phone", "after-sale"),
    ("delivery-call", "送货/销售后 24 小时满意度电话", "event", "", "", None, "operations.shipment.delivered", None,
     24, "phone", "after-sale"),
    ("order-thank-you", "订单 7 天内寄答谢信", "event", "", "", None, "operations.order.created", None, 168,
     "letter", "thank-you-letter"),
    ("letter-call", "答谢信后 7 天电话回访", "event", "", "", None, "visits.task.completed", "order-thank-you", 168,
     "phone", "regular-visit"),
    ("repair-call", "维修后 24 小时回访", "event", "", "", None, "operations.repair.completed", None, 24, "phone",
     "after-sale"),
    ("service-3-months", "开始服务 3 个月后回访", "event", "", "", None, "operations.service.started", None, 2160,
     "phone", "regular-visit"),
    ("survey-low-score", "满意度调查低分 24 小时内回访", "event", "", "", None, "surveys.response.low_score", None,
     0, "phone", "regular-visit"),
    ("anniversary", "合作周年纪念日回访", "event", "", "", None, "visits.occasion", None, 0, "phone",
     "regular-visit"),
]


def seed(apps, schema_editor):
    VisitPolicy = apps.get_model("visits", "VisitPolicy")
    VisitScript = apps.get_model("visits", "VisitScript")
    VisitRule = apps.get_model("visits", "VisitRule")
    VisitPolicy.objects.get_or_create(pk=1)
    if VisitRule.objects.exists():
        return
    scripts = {code: VisitScript.objects.create(code=code, name=name, body=body) for code, name, body in SCRIPTS}
    rules = {}
    for position, row in enumerate(RULES, start=1):
        code, name, kind, grade, key, months, event, follows, delay, method, script = row
        rules[code] = VisitRule.objects.create(
            code=code, name=name, kind=kind, grade=grade, key_customers=key, interval_months=months,
            event=event, follows=rules.get(follows), delay_hours=delay, method=method,
            script=scripts[script], position=position * 10,
        )


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
