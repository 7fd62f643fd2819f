"""Demo data: a believable logistics company with its staff and a customer archive.

Used by `manage.py seed-demo` (a small company to try Kefu with) and by the benchmarks in
`bench/` (the same generator at 100,000 customers). Everything is drawn from one
`random.Random(seed)`, so the same seed on the same day gives the same data.

Rows are written with `bulk_create` in batches, never one query per row: the encrypted
fields encrypt in `get_prep_value`, so bulk inserts store ciphertext like `save()` does,
and the lookup hashes, grades, search text and search tokens are computed here the same
way the services compute them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from kefu.accounts.models import Department, Role, Team, User
from kefu.core.crypto import lookup_hash
from kefu.core.models import AuditEvent, NumberSequence
from kefu.core.services import audit_record, search_index_bulk
from kefu.customers.choices import (
    Channel,
    CooperationMode,
    CreditRating,
    CustomerKind,
    CustomerRole,
    Industry,
    Loyalty,
    Ownership,
    Satisfaction,
    ServiceType,
)
from kefu.customers.grading import compute_grade
from kefu.customers.models import Contact, Customer, GradeRule
from kefu.customers.services import SEARCH_KIND, _search_text

DEMO_PASSWORD = "kefu-demo-2026"  # noqa: S105 - printed on purpose, demo accounts only
DEMO_SEED = 20260101
DEMO_MARKER = "customers.demo.seeded"
NUMBER_PREFIX = "KH"

# --------------------------------------------------------------------------- staff

CS_TEAMS = ("华东组", "华南组", "华北组", "中西部组")
SALES_TEAM = "销售一组"

# Which CS team serves a region.
TEAM_OF_REGION = {
    **dict.fromkeys(("shanghai", "jiangsu", "zhejiang", "anhui", "fujian", "jiangxi", "shandong"), "华东组"),
    **dict.fromkeys(("guangdong", "guangxi", "hainan", "hongkong", "macao", "taiwan"), "华南组"),
    **dict.fromkeys(
        ("beijing", "tianjin", "hebei", "shanxi", "neimenggu", "liaoning", "jilin", "heilongjiang"), "华北组"
    ),
}
DEFAULT_TEAM = "中西部组"  # henan, hubei, hunan and the west


@dataclass(frozen=True)
class StaffSpec:
    username: str
    display_name: str
    role: str
    department: str | None  # Department.code
    team: str | None = None  # team name inside the department
    leads_team: bool = False
    manages_department: bool = False


DEMO_STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("admin", "系统管理员", Role.ADMIN, None),
    StaffSpec("gm", "郑国华", Role.GENERAL_MANAGER, None),
    StaffSpec("director", "林慧敏", Role.MARKETING_DIRECTOR, "marketing", manages_department=True),
    StaffSpec("csmanager", "周海燕", Role.CS_MANAGER, "cs", manages_department=True),
    StaffSpec("supervisor1", "陈立新", Role.SUPERVISOR, "cs", "华东组", leads_team=True),
    StaffSpec("supervisor2", "黄晓玲", Role.SUPERVISOR, "cs", "华南组", leads_team=True),
    StaffSpec("supervisor3", "赵志刚", Role.SUPERVISOR, "cs", "华北组", leads_team=True),
    StaffSpec("supervisor4", "何丽萍", Role.SUPERVISOR, "cs", "中西部组", leads_team=True),
    StaffSpec("agent1", "王芳", Role.AGENT, "cs", "华东组"),
    StaffSpec("agent2", "李静", Role.AGENT, "cs", "华东组"),
    StaffSpec("agent3", "张婷", Role.AGENT, "cs", "华南组"),
    StaffSpec("agent4", "刘洋", Role.AGENT, "cs", "华南组"),
    StaffSpec("agent5", "杨帆", Role.AGENT, "cs", "华北组"),
    StaffSpec("agent6", "孙悦", Role.AGENT, "cs", "华北组"),
    StaffSpec("agent7", "吴昊", Role.AGENT, "cs", "中西部组"),
    StaffSpec("agent8", "徐佳", Role.AGENT, "cs", "中西部组"),
    StaffSpec("deptmanager", "马建国", Role.DEPT_MANAGER, "transport", manages_department=True),
    StaffSpec("whmanager", "高文斌", Role.DEPT_MANAGER, "warehouse", manages_department=True),
    StaffSpec(
        "salesmanager", "谢宏伟", Role.DEPT_MANAGER, "sales", SALES_TEAM, leads_team=True, manages_department=True
    ),
    StaffSpec("salesrep1", "唐磊", Role.AGENT, "sales", SALES_TEAM),
    StaffSpec("salesrep2", "韩雪", Role.AGENT, "sales", SALES_TEAM),
)

# Department names as seeded by accounts/0002 (used only to print the logins table).
DEPARTMENT_NAMES = {
    "cs": "客户服务部",
    "transport": "运输配送部",
    "warehouse": "仓储部",
    "finance": "财务部",
    "sales": "销售部",
    "marketing": "市场部",
    "design": "设计部",
    "production": "生产部",
}


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, role, department, password) of every demo account; reads nothing from the database."""
    rows = []
    for spec in DEMO_STAFF:
        department = DEPARTMENT_NAMES.get(spec.department or "", "")
        if spec.team:
            department = f"{department} / {spec.team}"
        rows.append((spec.username, f"{spec.role} ({spec.display_name})", department or "-", DEMO_PASSWORD))
    return rows


@dataclass
class Staff:
    """The demo organisation as loaded from the database, for assigning customers."""

    teams: dict[str, Team]
    agents_by_team: dict[str, list[User]]
    sales_reps: list[User]
    transport_manager: User | None
    warehouse_manager: User | None

    @classmethod
    def load(cls) -> Staff:
        teams = {t.name: t for t in Team.objects.filter(name__in=(*CS_TEAMS, SALES_TEAM))}
        users = {u.username: u for u in User.objects.filter(username__in=[s.username for s in DEMO_STAFF])}
        agents: dict[str, list[User]] = defaultdict(list)
        for spec in DEMO_STAFF:
            if spec.role == Role.AGENT and spec.department == "cs" and spec.username in users:
                agents[spec.team or ""].append(users[spec.username])
        return cls(
            teams=teams,
            agents_by_team=dict(agents),
            sales_reps=[users[n] for n in ("salesrep1", "salesrep2") if n in users],
            transport_manager=users.get("deptmanager"),
            warehouse_manager=users.get("whmanager"),
        )


def ensure_staff(*, password: str = DEMO_PASSWORD) -> tuple[int, int]:
    """Create the demo teams and users that are missing; returns (teams created, users created).

    One password hash is shared by all demo accounts: hashing is deliberately slow and the
    accounts are throw-away.
    """
    departments = {d.code: d for d in Department.objects.all()}
    teams_created = 0
    teams: dict[str, Team] = {}
    for name, code in [*((n, "cs") for n in CS_TEAMS), (SALES_TEAM, "sales")]:
        team, created = Team.objects.get_or_create(department=departments[code], name=name)
        teams[name] = team
        teams_created += created
    existing = set(
        User.objects.filter(username__in=[s.username for s in DEMO_STAFF]).values_list("username", flat=True)
    )
    hashed = make_password(password)
    new_users = []
    for spec in DEMO_STAFF:
        if spec.username in existing:
            continue
        new_users.append(
            User(
                username=spec.username,
                password=hashed,
                display_name=spec.display_name,
                role=spec.role,
                department=departments.get(spec.department or ""),
                team=teams.get(spec.team or "") if spec.team else None,
                email=f"{spec.username}@kefu-demo.example.com",
                is_superuser=spec.role == Role.ADMIN,
                is_staff=spec.role == Role.ADMIN,
            )
        )
    User.objects.bulk_create(new_users)
    users = {u.username: u for u in User.objects.filter(username__in=[s.username for s in DEMO_STAFF])}
    for spec in DEMO_STAFF:
        user = users[spec.username]
        if spec.leads_team and spec.team and teams[spec.team].leader_id is None:
            Team.objects.filter(pk=teams[spec.team].pk).update(leader=user)
        department = departments.get(spec.department or "")
        if spec.manages_department and department is not None and department.manager_id is None:
            Department.objects.filter(pk=department.pk).update(manager=user)
    return teams_created, len(new_users)


# --------------------------------------------------------------------------- vocabulary
# fmt: off

# (city, region, area code, phone-number head digits, ID-number region code, districts)
CITIES: tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...] = (
   
    ("上海", "shanghai", "021", "56", "310115", ("浦东新区", "闵行区", "嘉定区", "青浦区", "宝山区", "松江区")),
    ("北京", "beijing", "010", "568", "110105", ("朝阳区", "大兴区", "通州区", "顺义区", "丰台区")),
    ("天津", "tianjin", "022", "258", "120116", ("滨海新区", "东丽区", "西青区", "北辰区")),
    ("广州", "guangdong", "020", "38", "440106", ("白云区", "黄埔区", "番禺区", "天河区", "花都区")),
    ("深圳", "guangdong", "0755", "28", "440306", ("宝安区", "龙岗区", "南山区", "龙华区")),
    ("东莞", "guangdong", "0769", "28", "441900", ("长安镇", "虎门镇", "松山湖", "塘厦镇")),
    ("佛山", "guangdong", "0757", "28", "440604", ("顺德区", "南海区", "禅城区")),
    ("杭州", "zhejiang", "0571", "868", "330106", ("萧山区", "余杭区", "滨江区", "西湖区")),
    ("宁波", "zhejiang", "0574", "868", "330203", ("北仑区", "鄞州区", "镇海区")),
    ("义乌", "zhejiang", "0579", "85", "330782", ("稠城街道", "北苑街道", "福田街道")),
    ("南京", "jiangsu", "025", "58", "320115", ("江宁区", "栖霞区", "浦口区", "六合区")),
    ("苏州", "jiangsu", "0512", "6", "320505", ("工业园区", "吴中区", "相城区", "昆山市")),
    ("无锡", "jiangsu", "0510", "8", "320214", ("新吴区", "惠山区", "江阴市")),
    ("合肥", "anhui", "0551", "6", "340104", ("蜀山区", "包河区", "经开区")),
    ("福州", "fujian", "0591", "8", "350105", ("马尾区", "仓山区", "晋安区")),
    ("厦门", "fujian", "0592", "5", "350206", ("湖里区", "集美区", "海沧区")),
    ("南昌", "jiangxi", "0791", "8", "360111", ("青山湖区", "新建区", "南昌县")),
    ("济南", "shandong", "0531", "8", "370112", ("历城区", "槐荫区", "章丘区")),
    ("青岛", "shandong", "0532", "8", "370211", ("黄岛区", "城阳区", "即墨区", "李沧区")),
    ("临沂", "shandong", "0539", "8", "371302", ("兰山区", "河东区", "罗庄区")),
    ("石家庄", "hebei", "0311", "8", "130104", ("桥西区", "裕华区", "正定县")),
    ("廊坊", "hebei", "0316", "5", "131002", ("安次区", "广阳区", "固安县")),
    ("太原", "shanxi", "0351", "5", "140105", ("小店区", "万柏林区", "晋源区")),
    ("呼和浩特", "neimenggu", "0471", "5", "150105", ("赛罕区", "新城区", "回民区")),
    ("沈阳", "liaoning", "024", "8", "210106", ("铁西区", "浑南区", "于洪区", "沈北新区")),
    ("大连", "liaoning", "0411", "8", "210213", ("金州区", "甘井子区", "旅顺口区")),
    ("长春", "jilin", "0431", "8", "220104", ("朝阳区", "绿园区", "宽城区")),
    ("哈尔滨", "heilongjiang", "0451", "8", "230108", ("平房区", "道里区", "香坊区")),
    ("郑州", "henan", "0371", "6", "410122", ("中牟县", "管城区", "经开区", "航空港区")),
    ("武汉", "hubei", "027", "8", "420112", ("东西湖区", "江夏区", "汉阳区", "黄陂区")),
    ("长沙", "hunan", "0731", "8", "430112", ("望城区", "雨花区", "长沙县")),
    ("南宁", "guangxi", "0771", "5", "450107", ("西乡塘区", "江南区", "良庆区")),
    ("海口", "hainan", "0898", "6", "460105", ("秀英区", "龙华区", "美兰区")),
    ("重庆", "chongqing", "023", "68", "500112", ("渝北区", "沙坪坝区", "九龙坡区", "江津区")),
    ("成都", "sichuan", "028", "8", "510116", ("双流区", "新都区", "青白江区", "龙泉驿区")),
    ("贵阳", "guizhou", "0851", "8", "520115", ("观山湖区", "白云区", "花溪区")),
    ("昆明", "yunnan", "0871", "6", "530112", ("官渡区", "西山区", "呈贡区")),
    ("拉萨", "xizang", "0891", "6", "540102", ("城关区", "堆龙德庆区")),
    ("西安", "shaanxi", "029", "8", "610116", ("长安区", "未央区", "灞桥区", "高陵区")),
    ("兰州", "gansu", "0931", "8", "620102", ("城关区", "七里河区", "安宁区")),
    ("西宁", "qinghai", "0971", "6", "630104", ("城西区", "城北区")),
    ("银川", "ningxia", "0951", "6", "640106", ("金凤区", "兴庆区")),
    ("乌鲁木齐", "xinjiang", "0991", "5", "650104", ("新市区", "米东区", "沙依巴克区")),
    ("香港", "hongkong", "", "", "810000", ("葵青区", "荃湾区", "观塘区")),
    ("澳门", "macao", "", "", "820000", ("氹仔", "路环")),
    ("台北", "taiwan", "", "", "830000", ("内湖区", "南港区")),
)
# Relative weight of each city: logistics business clusters in the east and south.
CITY_WEIGHTS = (
    10, 7, 4, 7, 8, 4, 3, 6, 4, 3, 5, 6, 3, 3, 2, 3, 2, 3, 4, 2, 2, 2, 2, 1, 3, 2, 1, 2, 4, 4, 3, 1, 1, 4, 4,
    1, 2, 1, 3, 1, 1, 1, 1, 1, 1, 1,
)

# Brand words with their pinyin (for e-mail domains).
BRANDS = (
    ("顺达", "shunda"), ("美佳", "meijia"), ("华通", "huatong"), ("恒信", "hengxin"), ("宏远", "hongyuan"),
    ("金鹏", "jinpeng"), ("安捷", "anjie"), ("鑫源", "xinyuan"), ("永盛", "yongsheng"),
    ("汇丰源", "huifengyuan"),
    ("中联", "zhonglian"), ("远航", "yuanhang"), ("天宇", "tianyu"), ("瑞丰", "ruifeng"), ("佳和", "jiahe"),
    ("锦程", "jincheng"), ("德润", "derun"), ("万通", "wantong"), ("长风", "changfeng"), ("宝隆", "baolong"),
    ("盛世", "shengshi"), ("新纪元", "xinjiyuan"), ("东方", "dongfang"), ("海纳", "haina"), ("润泽", "runze"),
    ("嘉禾", "jiahe"), ("凯达", "kaida"), ("鸿运", "hongyun"), ("立信", "lixin"), ("泰和", "taihe"),
    ("诚通", "chengtong"), ("协力", "xieli"), ("速联", "sulian"), ("捷运", "jieyun"), ("路通", "lutong"),
    ("驰骋", "chicheng"), ("广源", "guangyuan"), ("祥和", "xianghe"), ("众诚", "zhongcheng"),
    ("福瑞", "furui"),
    ("卓越", "zhuoyue"), ("优品", "youpin"), ("博雅", "boya"), ("绿野", "lvye"), ("百川", "baichuan"),
    ("昌盛", "changsheng"), ("丰华", "fenghua"), ("新思路", "xinsilu"), ("天成", "tiancheng"),
    ("友邦", "youbang"),
)
FOREIGN_BRANDS = (
    ("柏克", "berke"), ("艾森", "aisen"), ("诺华德", "novard"), ("博世通", "boshitong"),
    ("凯斯勒", "kessler"),
    ("美仕达", "meishida"), ("樱田", "sakurada"), ("三井和", "mitsuiwa"), ("汉斯", "hans"),
    ("利丰达", "lifengda"),
)
# (industry, words used in the name, weight); logistics firms are the commonest customers.
INDUSTRY_WORDS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    (Industry.OTHER, ("物流", "国际物流", "供应链管理", "仓储物流", "货运代理", "冷链物流"), 28),
    (Industry.ECOMMERCE, ("电子商务", "网络科技", "电商物流"), 9),
    (Industry.RETAIL, ("商贸", "百货", "连锁超市"), 8),
    (Industry.MANUFACTURING, ("机械制造", "精密机械", "五金制品"), 8),
    (Industry.FOOD, ("食品", "饮料", "粮油"), 7),
    (Industry.PHARMA, ("医药", "生物科技", "医疗器械"), 4),
    (Industry.AUTOMOTIVE, ("汽车配件", "汽车销售服务"), 5),
    (Industry.ELECTRONICS, ("电子科技", "电器", "智能科技"), 7),
    (Industry.CHEMICALS, ("化工", "新材料"), 4),
    (Industry.BUILDING, ("建材", "陶瓷", "建筑材料"), 5),
    (Industry.FURNITURE, ("家具", "家居用品"), 6),
    (Industry.APPAREL, ("服饰", "纺织品", "鞋业"), 5),
    (Industry.AGRICULTURE, ("农业科技", "农产品", "果业"), 4),
)
SHORT_WORDS = {
    "国际物流": "物流", "供应链管理": "供应链", "仓储物流": "物流", "货运代理": "货代", "冷链物流": "冷链",
    "电子商务": "电商", "网络科技": "科技",
    "电商物流": "物流", "连锁超市": "超市", "机械制造": "机械", "精密机械": "机械", "五金制品": "五金",
    "生物科技": "生物", "医疗器械": "医疗",
    "汽车配件": "汽配", "汽车销售服务": "汽车", "电子科技": "电子", "智能科技": "智能", "建筑材料": "建材",
    "家居用品": "家居", "农业科技": "农业",
}
SUFFIXES = (
    ("有限公司", 70), ("股份有限公司", 12), ("有限责任公司", 10), ("贸易商行", 3), ("经营部", 5),
)

SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"),
    ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"), ("郑", "zheng"),
    ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"), ("许", "xu"), ("韩", "han"),
    ("冯", "feng"),
    ("邓", "deng"), ("曹", "cao"), ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"),
    ("董", "dong"),
    ("潘", "pan"), ("袁", "yuan"), ("蔡", "cai"), ("蒋", "jiang"), ("余", "yu"),
)
GIVEN_NAMES = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"),
    ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("秀英", "xiu ying"), ("华", "hua"), ("建国", "jian guo"),
    ("建华", "jian hua"),
    ("志强", "zhi qiang"), ("海燕", "hai yan"), ("晓东", "xiao dong"), ("红梅", "hong mei"),
    ("文斌", "wen bin"),
    ("宇航", "yu hang"), ("浩然", "hao ran"), ("鹏飞", "peng fei"), ("婷婷", "ting ting"),
    ("雪梅", "xue mei"),
    ("欣怡", "xin yi"), ("子涵", "zi han"), ("国庆", "guo qing"), ("春生", "chun sheng"), ("德明", "de ming"),
    ("玉兰", "yu lan"), ("桂英", "gui ying"), ("立平", "li ping"), ("永刚", "yong gang"),
    ("振华", "zhen hua"),
)
TITLES = (
    ("物流经理", 14), ("采购经理", 10), ("仓库主管", 8), ("总经理", 6), ("行政专员", 5), ("财务主管", 5),
    ("运营总监", 4), ("调度员", 6),
    ("发货专员", 8), ("老板", 4), ("客服主管", 4), ("进出口专员", 3),
)
ROADS = (
    "人民路", "解放路", "中山路", "建设路", "工业大道", "物流园路", "长江路", "黄河路", "滨江大道", "创业路",
    "科技园路", "兴业路", "港城大道", "机场路",
    "环城北路", "金桥路", "友谊路", "南京路", "幸福路", "开发大道",
)
TRUCKS = ("4.2 米厢式", "6.8 米高栏", "9.6 米厢式", "13 米半挂", "冷藏车")
PARKS = (
    "物流园", "工业园", "产业园", "仓储中心", "商务大厦", "国际商贸城", "科技园",
)
CONTACT_TIMES = (
    ("", 30), ("工作日 09:00-11:30", 20), ("工作日 14:00-17:00", 20), ("工作日 10:00-11:30", 10),
    ("晚上 19:00 以后", 6),
    ("周末全天", 4), ("上午", 6), ("下午", 4),
)
MOBILE_HEADS = (
    "138", "139", "137", "136", "135", "150", "151", "152", "158", "159", "182", "183", "187", "188", "130",
    "131", "132", "155", "156", "185", "186", "133", "153", "180", "181", "189", "177", "199", "166",
)
MAIL_HOSTS = (
    "163.com", "126.com", "qq.com", "sina.com", "139.com", "foxmail.com",
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Area codes whose local numbers have 7 digits (the rest have 8), as libphonenumber knows them.
SEVEN_DIGIT_AREAS = frozenset({
    "0316", "0351", "0471", "0539", "0592", "0771", "0891", "0931", "0951", "0971", "0991",
})

# fmt: on


def _pick(rng: random.Random, weighted: Iterable[tuple[Any, int]]) -> Any:
    items = list(weighted)
    return rng.choices([v for v, _w in items], weights=[w for _v, w in items])[0]


def _weighted_choice(rng: random.Random, values: tuple[Any, ...], weights: tuple[int, ...]) -> Callable[[], Any]:
    cumulative = []
    total = 0
    for w in weights:
        total += w
        cumulative.append(total)
    return lambda: rng.choices(values, cum_weights=cumulative)[0]


def id_number(rng: random.Random, region_code: str, *, birth_from: int = 1962, birth_to: int = 2000) -> str:
    """A resident ID with a correct GB 11643 check character."""
    born = dt.date(rng.randint(birth_from, birth_to), rng.randint(1, 12), rng.randint(1, 28))
    body = f"{region_code}{born:%Y%m%d}{rng.randint(1, 999):03d}"
    total = sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_HEADS) + f"{rng.randint(0, 99_999_999):08d}"


def landline(rng: random.Random, area_code: str, heads: str) -> str:
    digits = 7 if area_code in SEVEN_DIGIT_AREAS else 8
    first = rng.choice(heads) if heads else "8"
    rest = "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
    return f"{area_code}-{first}{rest}"


def person_name(rng: random.Random) -> tuple[str, str]:
    """(汉字 name, pinyin handle) of a person, e.g. ("王建国", "wangjg")."""
    surname, s_py = rng.choice(SURNAMES)
    given, g_py = rng.choice(GIVEN_NAMES)
    syllables = g_py.split()
    handle = s_py + ("".join(s[0] for s in syllables) if len(syllables) > 1 else syllables[0])
    return surname + given, handle


# --------------------------------------------------------------------------- customers


@dataclass
class _Numbering:
    """Customer numbers KH-<yyyymmdd>-<seq>, continuing the NumberSequence rows used by number_next."""

    last: dict[str, int] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)

    @classmethod
    def load(cls) -> _Numbering:
        rows = NumberSequence.objects.filter(key__startswith=f"{NUMBER_PREFIX}-").values_list("key", "last_value")
        return cls(last=dict(rows))

    def next(self, day: dt.date) -> str:
        key = f"{NUMBER_PREFIX}-{day:%Y%m%d}"
        value = self.last.get(key, 0) + 1
        self.last[key] = value
        self.touched.add(key)
        return f"{key}-{value:04d}"

    def save(self) -> None:
        """Advance the sequences so numbers allocated later by customer_create never collide."""
        existing = {s.key: s for s in NumberSequence.objects.filter(key__in=self.touched)}
        create, update = [], []
        for key in self.touched:
            if key in existing:
                existing[key].last_value = max(existing[key].last_value, self.last[key])
                update.append(existing[key])
            else:
                create.append(NumberSequence(key=key, last_value=self.last[key]))
        NumberSequence.objects.bulk_create(create, batch_size=1000)
        NumberSequence.objects.bulk_update(update, ["last_value"], batch_size=1000)
        self.touched.clear()


class CustomerFactory:
    """Draws believable customers and contacts from one random stream."""

    def __init__(self, rng: random.Random, *, staff: Staff | None, now: dt.datetime) -> None:
        self.rng = rng
        self.staff = staff
        self.now = now
        self.today = timezone.localdate(now)
        self.tz = timezone.get_current_timezone()
        self.city = _weighted_choice(rng, CITIES, CITY_WEIGHTS)
        self.industry = _weighted_choice(
            rng, tuple((i, words) for i, words, _w in INDUSTRY_WORDS), tuple(w for *_x, w in INDUSTRY_WORDS)
        )
        self.suffix = _weighted_choice(rng, tuple(s for s, _w in SUFFIXES), tuple(w for _s, w in SUFFIXES))
        self.title = _weighted_choice(rng, tuple(t for t, _w in TITLES), tuple(w for _t, w in TITLES))
        self.contact_time = _weighted_choice(
            rng, tuple(t for t, _w in CONTACT_TIMES), tuple(w for _t, w in CONTACT_TIMES)
        )
        self.credit = _weighted_choice(rng, tuple(CreditRating.values), (5, 15, 45, 25, 10))
        self.satisfaction = _weighted_choice(rng, ("", *Satisfaction.values), (20, 20, 40, 14, 6))
        self.loyalty = _weighted_choice(rng, ("", *Loyalty.values), (25, 20, 40, 15))
        self.mode = _weighted_choice(rng, tuple(CooperationMode.values), (25, 15, 50, 10))
        self.service = _weighted_choice(rng, tuple(ServiceType.values), (18, 30, 15, 12, 8, 12, 5))

    # --- building blocks
    def created_at(self) -> dt.datetime:
        # Growth over the year: a steady base plus more new customers in recent months.
        steady = self.rng.random() < 0.4
        days_ago = self.rng.randint(0, 364) if steady else int(self.rng.triangular(0, 365, 0))
        day = self.today - dt.timedelta(days=days_ago)
        moment = dt.datetime.combine(
            day, dt.time(self.rng.randint(8, 19), self.rng.randint(0, 59), self.rng.randint(0, 59)), tzinfo=self.tz
        )
        return min(moment, self.now)

    def cooperation_start(self, created: dt.date) -> dt.date | None:
        if self.rng.random() < 0.08:
            return None
        start = self.today - dt.timedelta(days=self.rng.randint(0, 8 * 365))
        return min(start, created)

    def address(self, city: str, districts: tuple[str, ...], region: str) -> str:
        district = self.rng.choice(districts)
        prefix = city if region in ("hongkong", "macao", "taiwan") else f"{city}市"
        if self.rng.random() < 0.3:
            return (
                f"{prefix}{district}{self.rng.choice(ROADS)}{self.rng.randint(1, 999)}号"
                f"{self.rng.choice(PARKS)}{self.rng.randint(1, 12)}号楼"
            )
        return f"{prefix}{district}{self.rng.choice(ROADS)}{self.rng.randint(1, 2999)}号"

    def contact(self, *, area: str, heads: str, domain: str | None, title: str | None = None) -> Contact:
        rng = self.rng
        name, handle = person_name(rng)
        phone = mobile(rng)
        fixed = landline(rng, area, heads) if area and rng.random() < 0.55 else ""
        if domain and rng.random() < 0.7:
            email = f"{handle}@{domain}"
        elif rng.random() < 0.6:
            email = f"{handle}{rng.randint(1, 999)}@{rng.choice(MAIL_HOSTS)}"
        else:
            email = ""
        wechat = ""
        if rng.random() < 0.75:
            wechat = f"{handle}_{rng.randint(10, 9999)}" if rng.random() < 0.6 else phone
        return Contact(
            name=name,
            title=title if title is not None else self.title(),
            mobile=phone,
            mobile_hash=lookup_hash(phone),
            landline=fixed,
            landline_hash=lookup_hash(fixed),
            email=email,
            wechat=wechat,
            preferred_contact_time=self.contact_time(),
        )

    def assign(self, customer: Customer) -> None:
        staff, rng = self.staff, self.rng
        if staff is None:
            return
        team_name = TEAM_OF_REGION.get(customer.region, DEFAULT_TEAM)
        team = staff.teams.get(team_name)
        customer.team = team
        draw = rng.random()
        if draw < 0.08 and staff.sales_reps:
            customer.account_manager = rng.choice(staff.sales_reps)
        elif draw < 0.09 and staff.transport_manager is not None:
            customer.account_manager = staff.transport_manager
        elif draw < 0.10 and staff.warehouse_manager is not None:
            customer.account_manager = staff.warehouse_manager
        elif draw < 0.80 and staff.agents_by_team.get(team_name):
            customer.account_manager = rng.choice(staff.agents_by_team[team_name])

    # --- one customer
    def customer(self, number_of: Callable[[dt.date], str]) -> tuple[Customer, list[Contact]]:
        rng = self.rng
        city, region, area, heads, id_region, districts = self.city()
        created = self.created_at()
        is_person = rng.random() < 0.14
        if is_person:
            customer, contacts = self._person(city, region, area, heads, id_region)
        else:
            customer, contacts = self._company(city, region, area, heads)
        customer.city = city
        customer.region = region
        customer.address = self.address(city, districts, region)
        customer.created_at = customer.updated_at = created
        customer.cooperation_start = self.cooperation_start(timezone.localdate(created))
        customer.credit_rating = self.credit()
        customer.satisfaction = self.satisfaction()
        customer.loyalty = self.loyalty()
        customer.cooperation_mode = self.mode()
        if not customer.service_type:
            customer.service_type = self.service()
        customer.number = number_of(timezone.localdate(created))
        if rng.random() < 0.03:
            customer.is_active = False
        self.assign(customer)
        contacts[0].is_primary = True
        return customer, contacts

    def _company(self, city: str, region: str, area: str, heads: str) -> tuple[Customer, list[Contact]]:
        rng = self.rng
        ownership = _pick(
            rng, ((Ownership.PRIVATE, 62), (Ownership.STATE, 14), (Ownership.FOREIGN, 10), (Ownership.INDIVIDUAL, 4))
        )
        industry, words = self.industry()
        word = rng.choice(words)
        if ownership == Ownership.FOREIGN:
            brand, brand_py = rng.choice(FOREIGN_BRANDS)
            name = f"{brand}（{city if rng.random() < 0.3 else '中国'}）{word}有限公司"
        elif ownership == Ownership.STATE:
            brand, brand_py = rng.choice(BRANDS)
            name = (
                f"{city}{rng.choice(('市', '', ''))}{brand}{word}集团有限公司"
                if rng.random() < 0.4
                else f"中{rng.choice(('铁', '外运', '储', '粮'))}{city}{word}有限公司"
            )
        elif ownership == Ownership.INDIVIDUAL:
            brand, brand_py = rng.choice(BRANDS)
            name = f"{city}{brand}{word}{rng.choice(('经营部', '商行', '货运部'))}"
        else:
            brand, brand_py = rng.choice(BRANDS)
            name = f"{city}{brand}{word}{self.suffix()}"
        name = name[:120]
        domain = (
            f"{brand_py}{rng.choice(('', '-wl', 'group', str(rng.randint(1, 99))))}.com.cn"
            if rng.random() < 0.6
            else None
        )
        if industry == Industry.OTHER or "物流" in word:
            role = _pick(
                rng,
                (
                    (CustomerRole.DEALER, 30),
                    (CustomerRole.MERCHANT, 25),
                    (CustomerRole.SHIPPER, 35),
                    (CustomerRole.OTHER, 10),
                ),
            )
        else:
            role = _pick(
                rng,
                (
                    (CustomerRole.SHIPPER, 55),
                    (CustomerRole.MERCHANT, 25),
                    (CustomerRole.DEALER, 15),
                    (CustomerRole.OTHER, 5),
                ),
            )
        is_key = rng.random() < 0.04
        amount = rng.lognormvariate(4.0, 1.3)  # 10k CNY: median ~55, long tail into the thousands
        if is_key:
            amount = amount * 4 + 300
        service = (
            ServiceType.COLD_CHAIN
            if "冷链" in word or (industry in (Industry.FOOD, Industry.PHARMA) and rng.random() < 0.4)
            else ""
        )
        customer = Customer(
            kind=CustomerKind.COMPANY,
            name=name,
            short_name=f"{brand}{SHORT_WORDS.get(word, word)}" if rng.random() < 0.7 else "",
            registration_number=self._credit_code(rng),
            ownership=ownership,
            industry=industry,
            channel=Channel.CHANNEL if role == CustomerRole.DEALER or rng.random() < 0.15 else Channel.TERMINAL,
            customer_role=role,
            service_type=service,
            annual_amount=Decimal(f"{min(amount, 99_999):.2f}"),
            is_key=is_key,
            notes=rng.choice(
                (
                    "",
                    "",
                    "",
                    "月结客户，每月 25 日对账",
                    "需提前一天预约提货",
                    "节假日不收货",
                    "仓库限高 4.2 米",
                    "要求签收回单原件寄回",
                )
            ),
        )
        count = _pick(rng, ((1, 45), (2, 40), (3, 15)))
        contacts = [self.contact(area=area, heads=heads, domain=domain) for _ in range(count)]
        return customer, contacts

    def _person(self, city: str, region: str, area: str, heads: str, id_region: str) -> tuple[Customer, list[Contact]]:
        rng = self.rng
        contact = self.contact(area="", heads=heads, domain=None, title=rng.choice(("司机", "车主", "个体司机")))
        driver = rng.random() < 0.8
        role = CustomerRole.DRIVER if driver else _pick(rng, ((CustomerRole.SHIPPER, 60), (CustomerRole.MERCHANT, 40)))
        if not driver:
            contact.title = ""
        plate_region = {"shanghai": "沪", "beijing": "京", "guangdong": "粤", "zhejiang": "浙", "jiangsu": "苏"}
        short = f"{contact.name[0]}师傅" if driver else ""
        notes = ""
        if driver:
            plate = f"{plate_region.get(region, '鲁')}{chr(65 + rng.randint(0, 11))}{rng.randint(10000, 99999)}"
            notes = f"车牌 {plate}，{rng.choice(TRUCKS)}"
        customer = Customer(
            kind=CustomerKind.PERSON,
            name=contact.name,
            short_name=short,
            id_number=id_number(rng, id_region),
            ownership=Ownership.INDIVIDUAL,
            industry=Industry.OTHER,
            channel=Channel.TERMINAL,
            customer_role=role,
            service_type=ServiceType.FTL if driver else ServiceType.EXPRESS,
            annual_amount=Decimal(f"{rng.uniform(0.5, 60):.2f}"),
            is_key=False,
            notes=notes,
        )
        customer.id_number_hash = lookup_hash(customer.id_number)
        return customer, [contact]

    @staticmethod
    def _credit_code(rng: random.Random) -> str:
        """A plausible 18-character unified social credit code (the check character is not computed)."""
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        return "91" + f"{rng.randint(110000, 659000):06d}" + "".join(rng.choice(alphabet) for _ in range(10))


def generate_customers(
    count: int,
    *,
    seed: int = DEMO_SEED,
    batch_size: int = 2000,
    staff: Staff | None = None,
    now: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Insert `count` customers with their contacts and search tokens; returns (customers, contacts).

    Batched: per batch one INSERT per table chunk, no per-row query. `staff` assigns teams and
    account managers (None: load the demo staff if present). Each batch commits on its own, so
    100,000 customers never sit in one transaction; wrap the call in `transaction.atomic()` to
    make it all-or-nothing.
    """
    rng = random.Random(seed)
    staff = staff if staff is not None else Staff.load()
    factory = CustomerFactory(rng, staff=staff, now=now or timezone.now())
    rules = list(GradeRule.objects.filter(is_active=True))
    numbering = _Numbering.load()
    made_customers = made_contacts = 0
    while made_customers < count:
        size = min(batch_size, count - made_customers)
        pairs = [factory.customer(numbering.next) for _ in range(size)]
        texts = []
        for customer, contacts in pairs:
            customer.computed_grade = compute_grade(customer, rules)
            customer.grade = customer.computed_grade
            text = _search_text(customer, contacts)
            customer.search_text = text.lower()
            texts.append(text)
        with transaction.atomic():
            customers = Customer.objects.bulk_create([c for c, _ in pairs], batch_size=500)
            rows = []
            for customer, (_c, contacts) in zip(customers, pairs, strict=True):
                for contact in contacts:
                    contact.customer = customer
                    rows.append(contact)
            Contact.objects.bulk_create(rows, batch_size=1000)
            search_index_bulk(kind=SEARCH_KIND, texts=((c.pk, t) for c, t in zip(customers, texts, strict=True)))
            numbering.save()
        made_customers += size
        made_contacts += len(rows)
        if progress is not None:
            progress(made_customers)
    return made_customers, made_contacts


# --------------------------------------------------------------------------- the demo


@dataclass
class SeedResult:
    seeded: bool
    teams: int = 0
    users: int = 0
    customers: int = 0
    contacts: int = 0


def demo_seeded() -> bool:
    return AuditEvent.objects.filter(action=DEMO_MARKER).exists()


def seed_demo(*, customers: int = 2000, seed: int = DEMO_SEED) -> SeedResult:
    """Load the demo company once; a second run finds the marker event and changes nothing."""
    if demo_seeded():
        return SeedResult(seeded=False)
    with transaction.atomic():
        teams, users = ensure_staff()
        made, contacts = generate_customers(customers, seed=seed)
        audit_record(
            actor=None,
            action=DEMO_MARKER,
            subject=Department.objects.get(code="cs"),
            subject_label="demo data",
            changes={"teams": teams, "users": users, "customers": made, "contacts": contacts, "seed": seed},
        )
    return SeedResult(seeded=True, teams=teams, users=users, customers=made, contacts=contacts)
