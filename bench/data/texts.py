"""Chinese titles and descriptions of logistics cases, composed from parts so that texts vary.

A title names the goods and the problem ("冷链生鲜外箱破损"), a description adds the lane, the
shipment, what the customer saw and what they want. The demo texts of `kefu.tickets.demo` are in
the pool too. When `../shared/realdata/` is beside the repository (developers' machines), negative
e-commerce reviews that mention delivery (物流/快递/送货) are quoted as the customer's own words in
some descriptions; without it the texts are the composed ones only (tests never depend on it).
"""

from __future__ import annotations

import csv
import random
from functools import cache
from pathlib import Path

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"

GOODS = (
    "显示器",
    "笔记本电脑",
    "手机",
    "冷链生鲜",
    "冷冻水饺",
    "疫苗",
    "药品",
    "服装",
    "鞋靴",
    "家具",
    "床垫",
    "陶瓷洁具",
    "汽车配件",
    "轮胎",
    "化工原料",
    "涂料",
    "五金工具",
    "家电",
    "空调外机",
    "冰箱",
    "电动车",
    "图书",
    "茶叶",
    "白酒",
    "红酒",
    "水果",
    "海鲜",
    "医疗器械",
    "服务器",
    "光伏组件",
    "纺织面料",
    "建材",
)
CITIES = (
    "上海",
    "苏州",
    "杭州",
    "南京",
    "宁波",
    "无锡",
    "广州",
    "深圳",
    "东莞",
    "佛山",
    "成都",
    "重庆",
    "武汉",
    "北京",
    "天津",
    "西安",
    "郑州",
    "长沙",
    "合肥",
    "济南",
    "青岛",
    "厦门",
    "福州",
    "昆明",
    "沈阳",
)
PROBLEMS = {
    "delay": (
        ("晚到{n}天", "约定{day}送达，实际晚了{n}天才到，耽误了客户门店上新。"),
        ("提货迟到", "约好上午九点提货，司机{n}点才到，仓库加班等候。"),
        ("中转滞留", "货物在{city}中转站滞留{n}天，没有人主动通知。"),
        ("时效未达承诺", "承诺次日达，实际第{n}天才签收，影响客户生产排期。"),
    ),
    "damage": (
        ("外箱破损", "收货时{n}箱外包装压坏，内件受潮。"),
        ("屏幕碎裂", "签收后开箱发现{n}台屏幕碎裂，外箱有明显撞击痕迹。"),
        ("货物破损", "到货{n}件破损，托盘倒塌，收货人拒收。"),
        ("冷链断链变质", "温度记录显示途中断链{n}小时，货物变质无法销售。"),
    ),
    "loss": (
        ("少收{n}件", "运单{m}件，实际只收到{k}件，司机称装车时已清点。"),
        ("整票丢失", "货物显示已发出，{n}天没有任何轨迹，客户急需。"),
        ("签收后找不到货", "系统显示已签收，但收货人没有收到，签收人不明。"),
    ),
    "wrong_goods": (
        ("发错型号", "订的是A{n}00，到货是B{n}00，需要尽快调换。"),
        ("漏发配件", "主机已到，配件箱没有到，无法安装。"),
        ("送错地址", "货物送到了{city}的另一个仓库，收货人没有收到。"),
    ),
    "attitude": (
        ("客服电话态度差", "打400询问时客服不耐烦，直接挂断电话。"),
        ("司机态度恶劣", "司机卸货时与仓管发生争执，言语粗暴。"),
        ("网点人员推诿", "到{city}网点咨询，工作人员互相推诿，没人处理。"),
    ),
    "late_info": (
        ("轨迹长时间不更新", "物流信息{n}天没有更新，无法答复下游客户。"),
        ("异常未及时通知", "货物延误没有提前通知，客户临时取消了收货安排。"),
    ),
    "billing": (
        ("运费多收", "账单上的运费比报价高{n}%，要求核对。"),
        ("对账单金额不符", "{month}月对账单与我方记录相差{amount}元。"),
        ("重复扣款", "同一运单被扣款两次，金额{amount}元。"),
        ("发票信息错误", "增值税专用发票抬头错误，需要重开。"),
    ),
    "driver": (
        ("司机私自加价", "司机要求额外支付{amount}元才卸货。"),
        ("司机不按约定卸货", "约定送货上楼，司机只放在楼下。"),
    ),
}
SUGGESTIONS = (
    ("建议增加夜间配送", "门店希望晚上十点后收货，避开白天高峰。"),
    ("希望微信推送轨迹", "建议签收和异常时推送微信消息，方便跟踪。"),
    ("建议开通{city}专线", "我司每月发往{city}约{n}吨，希望开通直达专线。"),
    ("希望提供电子回单", "纸质回单返回太慢，建议提供电子签收回单下载。"),
    ("建议优化对账流程", "每月对账耗时较长，希望能在线核对并确认。"),
)
INQUIRIES = (
    ("咨询冷链运费", "{city}到{city2}{n}吨冷链整车运费多少？"),
    ("如何开具专票", "月结客户如何申请增值税专用发票？"),
    ("咨询保价规则", "{goods}贵重货物如何保价，理赔比例是多少？"),
    ("咨询{city}时效", "从{city}发往{city2}一般几天到？"),
    ("如何查询回单", "签收回单在哪里可以查到？"),
)
SERVICE_REQUESTS = (
    ("报修：{goods}安装后无法使用", "送装一体订单，安装后{goods}无法开机，请安排上门。"),
    ("代订机票：{city}出差", "销售经理需前往{city}拜访客户，请代订机票。"),
)
WANTS = (
    "客户要求尽快回复。",
    "已电话联系收货人核实。",
    "客户表示这是本月第二次。",
    "附上签收单照片。",
    "客户希望给出书面说明。",
    "客户要求按合同赔偿。",
    "",
)
DAYS = ("周一", "周二", "周三", "周四", "周五", "周六")


@cache
def real_voices() -> tuple[str, ...]:
    """Negative reviews about delivery from the shared real data, when it is there (else empty)."""
    path = REALDATA / "chinesenlpcorpus" / "online_shopping_10_cats.csv"
    if not path.exists():
        return ()
    voices = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            review = (row.get("review") or "").strip().lstrip("\ufeff")
            if (
                row.get("label") == "0"
                and 8 <= len(review) <= 120
                and any(w in review for w in ("物流", "快递", "送货"))
            ):
                voices.append(review)
    return tuple(voices)


def _fill(template: str, rng: random.Random, goods: str) -> str:
    return template.format(
        n=rng.randint(2, 9),
        m=rng.randint(10, 40),
        k=rng.randint(5, 9),
        day=rng.choice(DAYS),
        city=rng.choice(CITIES),
        city2=rng.choice(CITIES),
        month=rng.randint(1, 12),
        amount=f"{rng.randint(2, 90) * 100:,}",
        goods=goods,
    )


def case_text(rng: random.Random, kind: str, code: str, *, use_real: bool = True) -> tuple[str, str]:
    """(title, description) of a case of `kind` (complaints: of category `code`)."""
    goods = rng.choice(GOODS)
    city = rng.choice(CITIES)
    if kind == "complaint":
        title, description = rng.choice(PROBLEMS.get(code, PROBLEMS["delay"]))
        title = _fill(title, rng, goods)
        if code in ("delay", "damage", "loss", "wrong_goods"):
            title = goods + title
    else:
        pool = {"suggestion": SUGGESTIONS, "inquiry": INQUIRIES}.get(kind, SERVICE_REQUESTS)
        title, description = rng.choice(pool)
        title = _fill(title, rng, goods)
    text = f"{city}发货，{_fill(description, rng, goods)}{rng.choice(WANTS)}"
    # Always draw, so the other texts are the same with or without the real data.
    quote, pick = rng.random(), rng.random()
    voices = real_voices() if use_real else ()
    if voices and kind == "complaint" and quote < 0.3:
        text += f"客户原话：“{voices[int(pick * len(voices))]}”"
    return title[:200], text
