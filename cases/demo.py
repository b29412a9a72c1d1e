"""Demonstration data for ``flask --app webapp demo load``.

A bank with two branches and an industrial group with a subsidiary as creditors, three law
firms with two lawyers each, users of every role, and a few hundred cases spread over every
stage, with their debtors, guarantors, claims, evidence, tags, collection records, court
progress and payments.

The data is first *planned* as plain values drawn from one ``random.Random(seed)``
(``plan_cases``), then *loaded* through the domain operations (``create_user``, ``add_firm``,
``add_creditor``, ``create_case``, ``update_case``, ``move_stage``, ``log_event``,
``record_payment``), case by case in order of transfer date, so that the audit trail, the
timelines, the case numbers and the derived totals are the real thing.

Back-dating: while the data loads, a demo clock (a ``before_flush`` listener on this session
only) stamps what the operations would stamp with "now" (``created_at``, ``recorded_at``,
``updated_at``, ``last_activity_at``, the time of stage moves) with the planned moment of each
step instead, as the row is first flushed. So every case has a chronological history in the
past and no row is rewritten afterwards. Audit entries keep the real time of loading: they
record when the data entered the system.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import event as sa_event
from sqlmodel import Session
from stdnum.cn import ric, uscc

from cases.base import BUSINESS_TZ, today
from cases.ledger.operations import record_payment
from cases.parties.models import ContactCreate, Party
from cases.parties.operations import add_contact
from cases.register.models import Case
from cases.register.operations import create_case, move_stage, update_case
from cases.register.stages import Action, Stage, next_stage
from cases.timeline.models import Event, EventKind
from cases.timeline.operations import log_event
from cases.users.admin import add_creditor, add_firm, add_user
from cases.users.models import User
from cases.users.operations import create_user

DEMO_PASSWORD = "qingshou-demo-2026"  # noqa: S105 - printed by the CLI; demo databases only
EMAIL_DOMAIN = "demo.qingshou.cn"
MAX_AGE_DAYS = 5 * 365  # due dates spread over the last five years

# Share of each final stage (percent); ``stage_quota`` turns it into exact counts.
STAGE_WEIGHTS: dict[Stage, int] = {
    Stage.INTAKE: 6,
    Stage.COLLECTION: 15,
    Stage.DEMAND_LETTER: 14,
    Stage.NEGOTIATION: 12,
    Stage.PRESERVATION: 7,
    Stage.LITIGATION: 15,
    Stage.ENFORCEMENT: 13,
    Stage.CLOSED: 11,
    Stage.WRITTEN_OFF: 7,
}

A = Action
# Legal sequences of moves reaching each stage, with a weight (checked by ``next_stage``).
PATHS: dict[Stage, list[tuple[int, tuple[Action, ...]]]] = {
    Stage.INTAKE: [(1, ())],
    Stage.COLLECTION: [(1, (A.ACCEPT,))],
    Stage.DEMAND_LETTER: [
        (9, (A.ACCEPT, A.SEND_LETTER)),
        (1, (A.ACCEPT, A.CLOSE, A.REOPEN, A.SEND_LETTER)),
    ],
    Stage.NEGOTIATION: [
        (3, (A.ACCEPT, A.NEGOTIATE)),
        (4, (A.ACCEPT, A.SEND_LETTER, A.NEGOTIATE)),
        (2, (A.ACCEPT, A.SEND_LETTER, A.SUE, A.NEGOTIATE)),
        (1, (A.ACCEPT, A.SEND_LETTER, A.SUE, A.ENFORCE, A.NEGOTIATE)),
    ],
    Stage.PRESERVATION: [
        (3, (A.ACCEPT, A.SEND_LETTER, A.PRESERVE)),
        (1, (A.ACCEPT, A.PRESERVE)),
        (1, (A.ACCEPT, A.SEND_LETTER, A.NEGOTIATE, A.PRESERVE)),
    ],
    Stage.LITIGATION: [
        (5, (A.ACCEPT, A.SEND_LETTER, A.SUE)),
        (2, (A.ACCEPT, A.SEND_LETTER, A.PRESERVE, A.SUE)),
        (1, (A.ACCEPT, A.SUE)),
        (2, (A.ACCEPT, A.SEND_LETTER, A.NEGOTIATE, A.AGREEMENT_BROKEN)),
    ],
    Stage.ENFORCEMENT: [
        (5, (A.ACCEPT, A.SEND_LETTER, A.SUE, A.ENFORCE)),
        (2, (A.ACCEPT, A.SEND_LETTER, A.PRESERVE, A.SUE, A.ENFORCE)),
        (2, (A.ACCEPT, A.SEND_LETTER, A.SUE, A.NEGOTIATE, A.ENFORCE)),
    ],
    Stage.CLOSED: [
        (2, (A.ACCEPT, A.CLOSE)),
        (2, (A.ACCEPT, A.SEND_LETTER, A.CLOSE)),
        (3, (A.ACCEPT, A.SEND_LETTER, A.NEGOTIATE, A.CLOSE)),
        (2, (A.ACCEPT, A.SEND_LETTER, A.SUE, A.ENFORCE, A.CLOSE)),
        (1, (A.ACCEPT, A.SEND_LETTER, A.SUE, A.NEGOTIATE, A.CLOSE)),
    ],
    Stage.WRITTEN_OFF: [
        (4, (A.ACCEPT, A.SEND_LETTER, A.SUE, A.ENFORCE, A.WRITE_OFF)),
        (2, (A.ACCEPT, A.SEND_LETTER, A.WRITE_OFF)),
        (2, (A.ACCEPT, A.SEND_LETTER, A.SUE, A.WRITE_OFF)),
        (1, (A.ACCEPT, A.SEND_LETTER, A.SUE, A.ENFORCE, A.CLOSE, A.WRITE_OFF)),
    ],
}
# Days a case typically stays in a stage before the next move.
DWELL: dict[Stage, tuple[int, int]] = {
    Stage.INTAKE: (1, 10),
    Stage.COLLECTION: (20, 120),
    Stage.DEMAND_LETTER: (15, 60),
    Stage.NEGOTIATION: (30, 200),
    Stage.PRESERVATION: (10, 40),
    Stage.LITIGATION: (90, 300),
    Stage.ENFORCEMENT: (60, 400),
    Stage.CLOSED: (20, 120),
    Stage.WRITTEN_OFF: (30, 400),
}

# ---- people, places and names -------------------------------------------------------------

# city, district (for addresses), region code (USCC and ID numbers), first valid birth year
# for that code, court, court code for case references.
CITIES = [
    ("北京市", "朝阳区", "110105", 1960, "北京市朝阳区人民法院", "京0105"),
    ("上海市", "徐汇区", "310104", 1960, "上海市徐汇区人民法院", "沪0104"),
    ("天津市", "南开区", "120104", 1960, "天津市南开区人民法院", "津0104"),
    ("南京市", "鼓楼区", "320106", 1983, "南京市鼓楼区人民法院", "苏0106"),
    ("昆山市", "玉山镇", "320583", 1989, "昆山市人民法院", "苏0583"),
    ("杭州市", "西湖区", "330106", 1983, "杭州市西湖区人民法院", "浙0106"),
    ("宁波市", "江北区", "330205", 1983, "宁波市江北区人民法院", "浙0205"),
    ("深圳市", "南山区", "440305", 1983, "深圳市南山区人民法院", "粤0305"),
    ("武汉市", "武昌区", "420106", 1983, "武汉市武昌区人民法院", "鄂0106"),
    ("成都市", "武侯区", "510107", 1990, "成都市武侯区人民法院", "川0107"),
    ("济南市", "历下区", "370102", 1983, "济南市历下区人民法院", "鲁0102"),
    ("西安市", "雁塔区", "610113", 1983, "西安市雁塔区人民法院", "陕0113"),
    ("厦门市", "思明区", "350203", 1983, "厦门市思明区人民法院", "闽0203"),
]
STREETS = [
    "人民路",
    "建设路",
    "解放大道",
    "中山路",
    "科技园路",
    "工业大道",
    "长江路",
    "新华街",
    "金融街",
    "滨江大道",
    "高新大道",
    "和平路",
]
BRANDS = [
    "恒达",
    "华晟",
    "鑫源",
    "泰和",
    "宏远",
    "瑞丰",
    "金桥",
    "博远",
    "永信",
    "裕隆",
    "天成",
    "汇通",
    "润泽",
    "德鑫",
    "嘉禾",
    "盛达",
    "立信",
    "远航",
    "海纳",
    "凯瑞",
    "卓远",
    "诚泰",
    "锦程",
    "正元",
    "广源",
    "新宇",
    "安泰",
    "启明",
    "同舟",
    "万融",
]
TRADES = [
    "机电设备",
    "建材",
    "商贸",
    "电子科技",
    "钢结构工程",
    "建筑工程",
    "物流",
    "化工",
    "食品",
    "纺织",
    "汽车配件",
    "装饰工程",
    "医疗器械",
    "农业科技",
    "新能源科技",
    "包装材料",
    "环保科技",
    "供应链管理",
]
COMPANY_FORMS = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙"
    "史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "志强",
    "国庆",
    "海燕",
    "晓东",
    "文博",
    "浩然",
    "雪梅",
    "春生",
    "立新",
    "振华",
    "永明",
    "红梅",
    "建国",
    "玉兰",
    "宏伟",
    "晓峰",
    "佳琪",
    "思远",
    "俊杰",
    "德明",
    "丽娟",
    "金龙",
    "卫东",
    "小红",
    "志刚",
    "美玲",
]
TITLES = ["财务经理", "财务总监", "出纳", "总经理", "副总经理", "采购经理", "办公室主任"]
MOBILE_PREFIXES = ["133", "135", "136", "138", "139", "150", "152", "158", "177", "186", "189"]

CREDITORS: list[dict[str, Any]] = [
    {
        "key": "bank",
        "name": "华信银行股份有限公司",
        "short_name": "华信银行",
        "is_bank": True,
        "region": "110102",
        "address": "北京市西城区金融大街18号",
    },
    {
        "key": "bank_sz",
        "name": "华信银行股份有限公司苏州分行",
        "short_name": "华信银行苏州分行",
        "is_bank": True,
        "parent": "bank",
        "region": "320508",
        "address": "江苏省苏州市姑苏区干将西路88号",
    },
    {
        "key": "bank_hz",
        "name": "华信银行股份有限公司杭州分行",
        "short_name": "华信银行杭州分行",
        "is_bank": True,
        "parent": "bank",
        "region": "330106",
        "address": "浙江省杭州市西湖区文三路236号",
    },
    {
        "key": "group",
        "name": "鼎泰实业集团有限公司",
        "short_name": "鼎泰集团",
        "is_bank": False,
        "region": "310115",
        "address": "上海市浦东新区世纪大道1200号",
    },
    {
        "key": "group_build",
        "name": "鼎泰建设工程有限公司",
        "short_name": "鼎泰建设",
        "is_bank": False,
        "parent": "group",
        "region": "310115",
        "address": "上海市浦东新区张杨路500号",
    },
]
# Share of cases per creditor (bank ~45 %, group ~55 %).
CREDITOR_WEIGHTS = {"bank": 9, "bank_sz": 7, "bank_hz": 6, "group": 18, "group_build": 10}

# Invented firm names; any likeness to a real firm is unintended.
FIRMS: list[dict[str, Any]] = [
    {
        "key": "firm1",
        "name": "北京市朗正清源律师事务所",
        "abbr": "朗正",
        "region": "110105",
        "address": "北京市朝阳区建国门外大街甲6号",
        "phone": "010-65889100",
    },
    {
        "key": "firm2",
        "name": "上海申衡律师事务所",
        "abbr": "申衡",
        "region": "310104",
        "address": "上海市徐汇区虹桥路3号",
        "phone": "021-64287700",
    },
    {
        "key": "firm3",
        "name": "江苏澄远律师事务所",
        "abbr": "澄远",
        "region": "320106",
        "address": "江苏省南京市鼓楼区汉中路120号",
        "phone": "025-84718800",
    },
]
# key, role, name, firm key
USERS = [
    ("admin", "admin", "陈立新", None),
    ("legal1", "legal", "王静怡", None),
    ("legal2", "legal", "李建国", None),
    ("legal3", "legal", "赵思远", None),
    ("finance1", "finance", "孙丽华", None),
    ("management1", "management", "刘振华", None),
    ("counsel1", "counsel", "郑浩然", "firm1"),
    ("counsel2", "counsel", "何雪梅", "firm1"),
    ("counsel3", "counsel", "林俊杰", "firm2"),
    ("counsel4", "counsel", "高晓峰", "firm2"),
    ("counsel5", "counsel", "唐佳琪", "firm3"),
    ("counsel6", "counsel", "韩立新", "firm3"),
]
LEGAL = ["legal1", "legal2", "legal3"]
FIRM_COUNSEL = {
    "firm1": ["counsel1", "counsel2"],
    "firm2": ["counsel3", "counsel4"],
    "firm3": ["counsel5", "counsel6"],
}

CONTRACTS = {
    "sale": ["钢材购销合同", "设备采购合同", "原材料购销合同", "产品购销合同", "电缆购销合同"],
    "loan": ["流动资金借款合同", "固定资产借款合同", "个人经营性借款合同", "银行承兑协议"],
    "construction": ["建设工程施工合同", "装饰装修工程施工合同", "钢结构工程分包合同"],
    "service": ["技术服务合同", "物流运输服务合同", "设备维保服务合同"],
    "lease": ["设备租赁合同", "厂房租赁合同"],
}

# What people write on the timeline. Placeholders: {who} the person reached, {total} the
# principal, {promise} a promise to pay, {ems} a postal tracking number, {court} the court of
# the debtor's seat, {ref} a court case number, {city}, {n} a small count.
CONTACTS = [  # channel, summary, what the debtor said, whether it holds a promise
    (
        "phone",
        "电话联系{who}，告知欠款{total}已逾期，要求尽快付款",
        "对方承认欠款，称下游客户回款延迟，承诺{promise}",
        True,
    ),
    (
        "phone",
        "电话联系{who}核对欠款金额",
        "对方称近期资金周转困难，请求宽限一个月，未给出具体还款计划",
        False,
    ),
    (
        "phone",
        "电话联系{who}，催收逾期欠款",
        "对方对欠款金额有异议，称部分货物存在质量问题，要求重新对账",
        False,
    ),
    (
        "visit",
        "与业务经理上门拜访债务人经营场所，与{who}面谈",
        "经营正常，对方确认欠款金额，同意分期偿还，{promise}",
        True,
    ),
    (
        "visit",
        "上门拜访{who}，送达《催收通知书》并取得签收",
        "对方称主要客户破产导致资金链紧张，希望减免部分违约金",
        False,
    ),
    (
        "letter",
        "向债务人邮寄《催收通知书》（EMS {ems}），要求十日内付清欠款{total}",
        "已签收，暂未回复",
        False,
    ),
    ("sms", "向{who}发送催收短信", "对方回复称{promise}", True),
    (
        "email",
        "向对方财务邮箱发送对账单及催款函",
        "对方回复确认对账单金额无误，正在安排资金",
        False,
    ),
]
UNREACHABLE = [
    ("phone", "电话联系{who}，催收逾期欠款{total}", "所留电话已停机，法定代表人手机关机", False),
    (
        "visit",
        "上门走访债务人登记住所地，寻找{who}",
        "经营场所已关闭，物业称其已欠租三个月，人员去向不明",
        False,
    ),
    ("sms", "向{who}发送催收短信，提示逾期法律后果", "短信未回复", False),
]
# Progress reports in court, in the order they happen (a list: one of them).
COURT_WORK: dict[Stage, tuple[str, list[str | list[str]]]] = {
    Stage.PRESERVATION: (
        "财保",
        [
            "向{court}申请财产保全，申请冻结被申请人银行存款或查封等值财产{total}，"
            "由保险公司出具诉讼财产保全责任保险保函",
            "{court}作出保全裁定{ref}，冻结债务人银行账户{n}个，查封{city}房产一处",
        ],
    ),
    Stage.LITIGATION: (
        "民初",
        [
            "向{court}提起诉讼，请求判令支付本金{total}及逾期利息、律师费，已立案受理，案号{ref}",
            [
                "案件开庭审理，被告对欠款本金无异议，对违约金计算标准提出异议",
                "被告经传票传唤未到庭，法院依法缺席审理",
            ],
            "收到一审民事判决书，判令被告支付本金{total}及逾期利息，案件受理费由被告负担",
            "判决已生效，被告未在判决确定的期限内履行",
        ],
    ),
    Stage.ENFORCEMENT: (
        "执",
        [
            "向{court}申请强制执行，已立案，案号{ref}",
            [
                "法院通过网络查控系统冻结被执行人银行账户{n}个",
                "查封被执行人名下位于{city}的房产一处，拟进入司法拍卖程序",
                "法院将被执行人及其法定代表人纳入限制消费名单",
            ],
            [
                "法院再次网络查控，未发现新的可供执行财产",
                "向法院提交被执行人新的财产线索，申请续行查封",
                "查封房产经司法拍卖一拍流拍，申请降价二拍",
            ],
        ],
    ),
}
MOVE_NOTES = {
    A.SEND_LETTER: ["多次催收未果，发送律师函，同时中断诉讼时效"],
    A.NEGOTIATE: ["债务人主动提出分期还款方案，转入协商", "双方同意协商解决"],
    A.PRESERVE: ["发现债务人有转移财产迹象，申请财产保全"],
    A.SUE: ["协商未果，提起诉讼", "诉讼时效即将届满，提起诉讼"],
    A.ENFORCE: ["判决生效后债务人未履行，申请强制执行"],
}
NOTES = {
    Stage.INTAKE: "收到业务部门移交材料，缺少部分发货单，已通知业务部门补充",
    Stage.CLOSED: "结案材料已整理归档",
    Stage.WRITTEN_OFF: "账销案存：定期查询债务人财产状况，暂未发现可供执行的财产",
}


def org_code(body8: str) -> str:
    """An organisation code (GB 11714): eight characters and their check character."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return body8 + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(prefix: str, region: str, serial: int) -> str:
    """A unified social credit code: registrar and kind, region, organisation code, check."""
    body = prefix + region + org_code(f"{serial:08d}")
    return body + uscc.calc_check_digit(body)


def make_ric(region: str, born: date, order: int) -> str:
    """An 18-digit resident ID number: region, birth date, order code, check digit."""
    body = f"{region}{born:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


# ---- the plan -----------------------------------------------------------------------------


@dataclass
class Step:
    """One dated thing done to a case by one demo user."""

    at: datetime
    actor: str
    op: str  # "move" | "event" | "payment" | "update"
    data: dict[str, Any]


@dataclass
class CasePlan:
    creditor: str
    handler: str
    transferred_on: date
    created_at: datetime
    payload: dict[str, Any]  # CaseCreate data without creditor_id and handler_id
    stage: Stage
    firm: str | None
    contact: dict[str, Any] | None  # a person to reach at the debtor
    steps: list[Step] = field(default_factory=list)

    @property
    def principal(self) -> Decimal:
        return sum((Decimal(c["principal"]) for c in self.payload["claims"]), Decimal(0))


def stage_quota(count: int) -> dict[Stage, int]:
    """Exact numbers of cases per final stage: largest remainders, every stage at least once."""
    total = sum(STAGE_WEIGHTS.values())
    exact = {stage: count * weight / total for stage, weight in STAGE_WEIGHTS.items()}
    quota = {stage: math.floor(share) for stage, share in exact.items()}
    by_remainder = sorted(exact, key=lambda s: exact[s] - quota[s], reverse=True)
    for stage in by_remainder[: count - sum(quota.values())]:
        quota[stage] += 1
    if count >= len(quota):
        for stage in quota:
            if quota[stage] == 0:
                quota[max(quota, key=quota.__getitem__)] -= 1
                quota[stage] = 1
    return quota


def _yuan(amount: Decimal) -> str:
    """Amounts in notes as people write them: 35万元, 8,600.00元."""
    if amount >= 10000:
        wan = (amount / 10000).quantize(Decimal("0.01")).normalize()
        return f"{wan:f}万元"
    return f"{amount:,.2f}元"


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BUSINESS_TZ)


class Planner:
    """Draws every case from one random generator; no database access."""

    def __init__(self, rng: random.Random, last_day: date) -> None:
        self.rng = rng
        self.last_day = last_day  # nothing happens after this business day
        self.companies: list[dict[str, Any]] = []
        self.serials: set[int] = set()
        self.names: set[str] = set()
        self.person_ids: set[str] = set()
        self.refs = 0

    # -- parties ---------------------------------------------------------------------------

    def _person_name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def _mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def _address(self, city: tuple) -> str:
        return f"{city[0]}{city[1]}{self.rng.choice(STREETS)}{self.rng.randint(1, 999)}号" + (
            f"{self.rng.randint(1, 30)}层" if self.rng.random() < 0.5 else ""
        )

    def person(self, city: tuple | None = None) -> dict[str, Any]:
        city = city or self.rng.choice(CITIES)
        while True:
            born = date(
                self.rng.randint(max(1962, city[3]), 1998),
                self.rng.randint(1, 12),
                self.rng.randint(1, 28),
            )
            number = make_ric(city[2], born, self.rng.randint(1, 999))
            if number not in self.person_ids:
                self.person_ids.add(number)
                break
        return {
            "kind": "person",
            "name": self._person_name(),
            "id_number": number,
            "phone": self._mobile(),
            "address": self._address(city),
        }

    def company(self) -> dict[str, Any]:
        city = self.rng.choice(CITIES)
        while True:
            name = (
                city[0].removesuffix("市")
                + self.rng.choice(BRANDS)
                + self.rng.choice(TRADES)
                + self.rng.choice(COMPANY_FORMS)
            )
            serial = self.rng.randrange(10**7, 10**8)
            if name not in self.names and serial not in self.serials:
                self.names.add(name)
                self.serials.add(serial)
                break
        representative = self.person(city)
        company = {
            "party": {
                "kind": "company",
                "name": name,
                "uscc": make_uscc("91", city[2], serial),
                "legal_representative": representative["name"],
                "phone": f"0{self.rng.randint(10, 999)}-{self.rng.randint(2, 8)}"
                f"{self.rng.randrange(10**6, 10**7)}",
                "address": self._address(city),
            },
            "representative": representative,
            "city": city,
        }
        self.companies.append(company)
        return company

    # -- money and claims ------------------------------------------------------------------

    def amount(self, low: int, high: int) -> Decimal:
        """Log-uniform between ``low`` and ``high`` yuan, rounded like real contracts."""
        value = math.exp(self.rng.uniform(math.log(low), math.log(high)))
        step = self.rng.choice([Decimal("0.01"), Decimal(100), Decimal(1000)])
        rounded = (Decimal(str(value)) / step).quantize(Decimal(1)) * step
        return max(Decimal(low), min(rounded, Decimal(high))).quantize(Decimal("0.01"))

    def claims(self, creditor: str, debtor_kind: str, due: date, transfer: date) -> list[dict]:
        bank = creditor.startswith("bank")
        kinds = (
            ["loan"]
            if bank
            else ["construction"] * 3 + ["service"]
            if creditor == "group_build"
            else ["sale"] * 6 + ["service", "lease"]
        )
        low, high = {
            (True, "company"): (200_000, 30_000_000),
            (True, "person"): (8_000, 1_500_000),
            (False, "company"): (8_000, 12_000_000),
            (False, "person"): (8_000, 500_000),
        }[(bank, debtor_kind)]
        claims = []
        for i in range(self.rng.choices([1, 2, 3], weights=[6, 3, 1])[0]):
            kind = self.rng.choice(kinds)
            due_on = (
                due
                if i == 0
                else min(due + timedelta(days=self.rng.randint(15, 180)), max(transfer, due))
            )
            signed = min(
                due_on
                - timedelta(
                    days=self.rng.randint(365, 1095) if bank else self.rng.randint(60, 540)
                ),
                transfer - timedelta(days=30),
            )
            self.refs += 1
            claim: dict[str, Any] = {
                "contract_ref": (
                    f"HXYH-{signed.year}-JK-{self.refs:05d}"
                    if bank
                    else f"DT-{signed.year}-{kind[:2].upper()}-{self.refs:05d}"
                ),
                "contract_title": self.rng.choice(CONTRACTS[kind]),
                "kind": kind,
                "principal": self.amount(low, high),
                "signed_on": signed,
                "due_date": due_on,
            }
            if bank:
                rate = Decimal(self.rng.choice(["3.65", "3.85", "4.35", "4.75", "5.22", "6.00"]))
                claim.update(
                    interest_rate=rate,
                    penalty_rate=(rate * Decimal("1.5")),
                    penalty_terms="逾期罚息利率为借款利率上浮50%，按日计收复利",
                )
            elif self.rng.random() < 0.6:
                claim.update(
                    penalty_rate=Decimal("18.2500"),
                    interest_basis=365,
                    penalty_terms="逾期付款的，每日按应付未付金额的万分之五支付违约金",
                )
            claims.append(claim)
        return claims

    # -- the case --------------------------------------------------------------------------

    def case(self, stage: Stage) -> CasePlan:
        rng = self.rng
        actions = rng.choices([p for _, p in PATHS[stage]], weights=[w for w, _ in PATHS[stage]])[0]
        visited = [Stage.INTAKE]
        for action in actions:
            visited.append(next_stage(visited[-1], action))
        dwell, tail, lag = self._timing(stage, visited)
        transfer = self.last_day - timedelta(days=sum(dwell) + tail)
        due = transfer - timedelta(days=lag)
        not_yet_due = stage in (Stage.INTAKE, Stage.COLLECTION) and rng.random() < 0.08
        if not_yet_due:  # transferred early on warning signs (风险预警): the debt falls due later
            due = self.last_day + timedelta(days=rng.randint(10, 90))

        creditor = rng.choices(list(CREDITOR_WEIGHTS), weights=list(CREDITOR_WEIGHTS.values()))[0]
        bank = creditor.startswith("bank")
        shared = [c for c in self.companies if c.get("debtor_of")]
        if shared and rng.random() < 0.1:
            company = rng.choice(shared)
            debtor, city = company["party"], company["city"]
        elif rng.random() < (0.3 if bank else 0.12):
            company, city = None, rng.choice(CITIES)
            debtor = self.person(city)
        else:
            company = self.company()
            company["debtor_of"] = True
            debtor, city = company["party"], company["city"]

        claims = self.claims(creditor, debtor["kind"], due, transfer)
        handler = rng.choice(LEGAL)
        engage_at = self._engagement(actions)
        firm = rng.choice(list(FIRM_COUNSEL)) if engage_at is not None else None
        plan = CasePlan(
            creditor=creditor,
            handler=handler,
            transferred_on=transfer,
            created_at=_at(transfer, rng.randint(9, 11), rng.randint(0, 59)),
            payload={},
            stage=stage,
            firm=firm,
            contact=(
                {
                    "name": self._person_name(),
                    "title": rng.choice(TITLES),
                    "phone": self._mobile(),
                    "note": "对账及付款联系人",
                }
                if company is not None
                else None
            ),
        )
        lost = rng.random() < 0.15 and stage not in (Stage.INTAKE, Stage.CLOSED)
        tags = self._initial_tags(plan, claims, lost, not_yet_due)
        plan.payload = {
            "debtor": debtor,
            "claims": claims,
            "guarantors": self._guarantors(company, debtor, bank, claims),
            "evidence": self._evidence(claims, transfer, bank),
            "tags": sorted(tags),
            "transferred_on": transfer,
            "summary": self._summary(creditor, debtor, claims, not_yet_due),
            **self._grades(stage, bank),
        }
        if bank and rng.random() < 0.7:
            plan.payload["external_ref"] = f"HX-YJ-{transfer.year}-{self.refs:05d}"
        ctx = _CaseContext(
            plan=plan,
            city=city,
            lost=lost,
            tags=tags,
            visited=visited,
            bank=bank,
            debtor=debtor,
            recovery=self._recovery(stage),
        )
        self._history(ctx, actions, dwell, engage_at)
        plan.steps.sort(key=lambda s: s.at)
        return plan

    def _timing(self, stage: Stage, visited: list[Stage]) -> tuple[list[int], int, int]:
        """Days spent in each stage before its move, days since the last move, and days from
        the due date to the transfer; transfers spread over the last four years."""
        rng = self.rng
        dwell = [rng.randint(*DWELL[s]) for s in visited[:-1]]
        low, high = DWELL[stage]
        if stage == Stage.INTAKE:
            tail, age = rng.randint(0, 20), 0
        else:
            tail = (
                rng.randint(5, 600)
                if stage in (Stage.CLOSED, Stage.WRITTEN_OFF)
                else rng.randint(low // 2 + 3, high)
            )
            age = rng.randint(
                *rng.choices(
                    [(1, 90), (91, 365), (366, 730), (731, 1095), (1096, 1460)],
                    weights=[2, 3, 4, 4, 3],
                )[0]
            )
            if stage == Stage.COLLECTION:
                age = min(age, rng.randint(20, 540))
        # Stretch (at most threefold) or squeeze the stages to fill the time since transfer;
        # what is left over is time spent in the final stage.
        if dwell:
            factor = min(max((age - tail) / sum(dwell), 0.3), 3.0)
            dwell = [max(round(d * factor), 3) for d in dwell]
            tail = max(age - sum(dwell), tail)
        if sum(dwell) + tail > MAX_AGE_DAYS - 3:
            tail = min(tail, 60)
            factor = (MAX_AGE_DAYS - 3 - tail) / sum(dwell)
            dwell = [max(int(d * factor), 3) for d in dwell]
        spent = sum(dwell) + tail
        weights = {Stage.INTAKE: [8, 4, 1, 1], Stage.COLLECTION: [6, 4, 2, 1]}.get(
            stage, [2, 4, 3, 1]
        )
        lag = rng.randint(
            *rng.choices([(3, 30), (31, 120), (121, 365), (366, 1000)], weights=weights)[0]
        )
        lag = max(min(lag, MAX_AGE_DAYS - 1 - spent), 1)  # due within five years of today
        return dwell, tail, lag

    def _engagement(self, actions: tuple[Action, ...]) -> int | None:
        """Index of the move before which a firm is engaged (mostly from the letter on)."""
        rng = self.rng
        if actions and rng.random() < 0.05:
            return 0  # engaged right at acceptance
        for i, action in enumerate(actions):
            if action == A.SEND_LETTER and rng.random() < 0.7:
                return i  # else the legal department writes its own letter
            if action in (A.PRESERVE, A.SUE, A.AGREEMENT_BROKEN, A.ENFORCE):
                return i if rng.random() < 0.92 else None  # else in-house lawyers go to court
        return None

    def _initial_tags(
        self, plan: CasePlan, claims: list[dict], lost: bool, not_yet_due: bool
    ) -> set[str]:
        tags = set()
        principal = sum(c["principal"] for c in claims)
        if principal >= 5_000_000 or self.rng.random() < 0.1:
            tags.add("重点关注")
        if (self.last_day - plan.transferred_on).days < 400 and self.rng.random() < 0.3:
            tags.add("百日攻坚")
        if lost:
            tags.add("失联")
        if not_yet_due:
            tags.add("风险预警")
        if self.rng.random() < 0.12:
            tags.add("有财产线索")
        return tags

    def _guarantors(
        self, company: dict | None, debtor: dict, bank: bool, claims: list[dict]
    ) -> list[dict]:
        if self.rng.random() >= 0.3:
            return []
        limit = None
        if company is not None and self.rng.random() < 0.7:
            party, kind = company["representative"], "joint"  # the boss signs a personal guarantee
        elif bank and self.rng.random() < 0.5:
            party, kind = self.person(), "mortgage"
            limit = sum(c["principal"] for c in claims).quantize(Decimal(1))
        else:
            others = [c for c in self.companies if c["party"]["uscc"] != debtor.get("uscc")]
            party = self.rng.choice(others)["party"] if others else self.company()["party"]
            kind = "joint" if self.rng.random() < 0.8 else "general"
        return [{"party": party, "kind": kind, "limit_amount": limit}]

    def _evidence(self, claims: list[dict], transfer: date, bank: bool) -> list[dict]:
        rng = self.rng
        items = []
        for claim in claims:
            items.append(
                {
                    "kind": "contract",
                    "title": f"《{claim['contract_title']}》（{claim['contract_ref']}）",
                    "is_original": rng.random() < 0.7,
                    "received_on": transfer,
                }
            )
        if bank:
            items.append(
                {
                    "kind": "transfer_voucher",
                    "title": "借款借据及放款凭证",
                    "is_original": True,
                    "received_on": transfer,
                }
            )
        else:
            items.append(
                {
                    "kind": "invoice",
                    "title": f"增值税专用发票{rng.randint(2, 40)}张",
                    "received_on": transfer,
                }
            )
            if rng.random() < 0.6:
                items.append(
                    {
                        "kind": "statement",
                        "title": "往来对账单（双方盖章确认）",
                        "is_original": True,
                        "received_on": transfer,
                        "note": "对账截止日前已确认欠款余额",
                    }
                )
        if rng.random() < 0.2:
            items.append(
                {"kind": "iou", "title": "欠款确认书", "is_original": True, "received_on": transfer}
            )
        if rng.random() < 0.5:
            items.append(
                {
                    "kind": "collection_record",
                    "title": "业务部门催收记录及函件",
                    "received_on": transfer,
                }
            )
        return items

    def _summary(self, creditor: str, debtor: dict, claims: list[dict], early: bool) -> str:
        short = next(c["short_name"] for c in CREDITORS if c["key"] == creditor)
        total = _yuan(sum((c["principal"] for c in claims), Decimal(0)))
        what = "借款本金" if creditor.startswith("bank") else "合同款项"
        if early:
            return (
                f"{debtor['name']}欠付{short}{what}{total}尚未到期，因其涉诉多起、经营恶化，"
                "业务部门提前移交法务部采取保全措施。"
            )
        return (
            f"{debtor['name']}欠付{short}{what}{total}，经业务部门多次催收未果，现移交法务部清收。"
        )

    def _grades(self, stage: Stage, bank: bool) -> dict[str, Any]:
        late = stage in (Stage.LITIGATION, Stage.ENFORCEMENT, Stage.WRITTEN_OFF)
        grades: dict[str, Any] = {}
        if self.rng.random() < 0.9:
            grades["credit_grade"] = self.rng.choices(
                "ABCD", weights=(1, 3, 4, 3) if late else (3, 4, 3, 1)
            )[0]
        grades["risk_level"] = self.rng.choices(
            ["low", "medium", "high"], weights=(1, 3, 5) if late else (3, 4, 2)
        )[0]
        if bank:
            grades["loan_class"] = self.rng.choice(["special_mention", "substandard"])
        return grades

    # -- history ---------------------------------------------------------------------------

    def _history(
        self,
        ctx: _CaseContext,
        actions: tuple[Action, ...],
        dwell: list[int],
        engage_at: int | None,
    ) -> None:
        """Moves, contacts, progress reports and payments, each dated within its stage."""
        rng, plan = self.rng, ctx.plan
        start = plan.transferred_on
        segments: list[tuple[Stage, date, date]] = []  # stage, first day, day of the next move
        for i, action in enumerate(actions):
            end = start + timedelta(days=dwell[i])
            segments.append((ctx.visited[i], start, end))
            if engage_at == i:
                ctx.counsel, ctx.engaged_on = rng.choice(FIRM_COUNSEL[plan.firm]), end
                plan.steps.append(
                    Step(
                        _at(end, 9, rng.randint(0, 29)), plan.handler, "update", {"firm": plan.firm}
                    )
                )
            self._tag_changes(ctx, action, end)
            note = self._move_note(ctx, action, actions[i + 1] if i + 1 < len(actions) else None)
            plan.steps.append(
                Step(
                    _at(end, 10, rng.randint(0, 59)),
                    plan.handler,
                    "move",
                    {"action": action, "note": note},
                )
            )
            start = end
        segments.append((ctx.visited[-1], start, self.last_day + timedelta(days=1)))
        for stage, first, stop in segments:
            count = self._event_count(stage, first, stop)
            for nth, day in enumerate(self._days_between(first, stop, count, prompt=True)):
                self._stage_event(ctx, stage, day, nth)
        self._payments(ctx, segments)

    def _days_between(
        self, first: date, stop: date, count: int, *, prompt: bool = False
    ) -> list[date]:
        """Up to ``count`` distinct days strictly after ``first`` and before ``stop``; with
        ``prompt`` the first of them within ten days of ``first`` (a move is followed up)."""
        span = (stop - first).days - 1
        if span < 1 or count < 1:
            return []
        offsets = sorted(self.rng.sample(range(1, span + 1), min(count, span)))
        if prompt:
            offsets[0] = min(offsets[0], self.rng.randint(1, min(span, 10)))
        return [first + timedelta(days=d) for d in offsets]

    def _event_count(self, stage: Stage, first: date, stop: date) -> int:
        days = (stop - first).days
        if stage == Stage.INTAKE:
            return int(self.rng.random() < 0.4)
        if stage in (Stage.CLOSED, Stage.WRITTEN_OFF):
            return int(self.rng.random() < 0.2)
        if stage == Stage.COLLECTION:
            return min(1 + days // 25, 5)
        return min(1 + days // 60, 4)

    def _tag_changes(self, ctx: _CaseContext, action: Action, day: date) -> None:
        """Tags and grades that change with a move, updated just before it."""
        before = set(ctx.tags)
        if action == A.SUE:
            ctx.tags.add("涉诉")
        elif action == A.PRESERVE:
            ctx.tags.add("有财产线索")
        elif action == A.NEGOTIATE:
            ctx.tags.add("分期履行中")
        if action in (A.AGREEMENT_BROKEN, A.CLOSE, A.WRITE_OFF, A.ENFORCE):
            ctx.tags.discard("分期履行中")
        if action in (A.CLOSE, A.WRITE_OFF):
            ctx.tags.discard("百日攻坚")
        data: dict[str, Any] = {"tags": sorted(ctx.tags)} if ctx.tags != before else {}
        if action == A.SUE:
            data["risk_level"] = "high"
            if ctx.bank:
                data["loan_class"] = "doubtful"
        if action == A.WRITE_OFF and ctx.bank:
            data["loan_class"] = "loss"
        if data:
            ctx.plan.steps.append(
                Step(_at(day, 9, self.rng.randint(30, 59)), ctx.plan.handler, "update", data)
            )

    def _move_note(self, ctx: _CaseContext, action: Action, then: Action | None) -> str:
        rng = self.rng
        if action == A.ACCEPT:
            return "移交材料齐全，已与财务部对账确认欠款余额，转入非诉催收"
        if action == A.WRITE_OFF:
            return "经审批委员会审批同意核销，账销案存：" + rng.choice(
                [
                    "债务人已被法院裁定宣告破产并终结破产程序",
                    "债务人已注销，股东无可供追偿财产",
                    "法院裁定终结本次执行程序，经调查无可供执行财产",
                ]
            )
        if action == A.CLOSE:
            if then is not None:
                return "经调查债务人暂无可供清收的财产，暂予结案"
            if ctx.recovery == 1:
                return "欠款本金已全部收回，结案"
            return "达成和解并履行完毕，剩余款项经审批予以减免，结案"
        if action == A.REOPEN:
            return "发现债务人新的财产线索，重新启动清收"
        if action == A.AGREEMENT_BROKEN:
            return "债务人未按还款协议履行，协议约定的加速到期条款触发，恢复诉讼"
        return rng.choice(MOVE_NOTES.get(action, [""]) + [""])  # a note, or the default

    def _actor(self, ctx: _CaseContext, day: date, court: bool = False) -> str:
        """The engaged lawyer (always for court work, else half the time), or the handler."""
        engaged = ctx.counsel is not None and ctx.engaged_on < day
        if engaged and (court or self.rng.random() < 0.5):
            return ctx.counsel
        return ctx.plan.handler

    def _promise(self, ctx: _CaseContext, day: date, share: float) -> tuple[Decimal, date]:
        amount = (ctx.plan.principal * Decimal(str(share)) / 1000).quantize(Decimal(1)) * 1000
        return (
            max(amount, Decimal(1000)).quantize(Decimal("0.01")),
            day + timedelta(days=self.rng.randint(7, 45)),
        )

    def _stage_event(self, ctx: _CaseContext, stage: Stage, day: date, nth: int) -> None:
        """The ``nth`` entry a stage puts on the timeline, on ``day``."""
        rng, plan = self.rng, ctx.plan
        debtor = plan.payload["debtor"]
        fill = {
            "who": debtor.get("legal_representative") or debtor["name"],
            "total": _yuan(plan.principal),
            "court": ctx.city[4],
            "city": ctx.city[0],
            "n": rng.randint(1, 6),
            "ems": f"E{rng.choice('MLBT')}{rng.randrange(10**9):09d}CN",
        }
        event: dict[str, Any] = {
            "kind": "progress",
            "occurred_at": _at(day, rng.randint(13, 17), rng.randint(0, 59)),
        }
        actor = plan.handler
        if stage in NOTES:
            event.update(
                kind="note" if stage != Stage.WRITTEN_OFF else "progress", summary=NOTES[stage]
            )
        elif stage in COURT_WORK:
            actor = self._actor(ctx, day, court=True)
            kind, texts = COURT_WORK[stage]
            text = texts[min(nth, len(texts) - 1)]
            fill["ref"] = f"（{day.year}）{ctx.city[5]}{kind}{rng.randint(100, 19999)}号"
            event["summary"] = (rng.choice(text) if isinstance(text, list) else text).format(**fill)
        elif stage == Stage.DEMAND_LETTER and nth == 0:
            actor = self._actor(ctx, day)
            firm = next((f for f in FIRMS if f["key"] == plan.firm), None)
            by_firm = firm is not None and actor != plan.handler
            ref = (
                f"〔{day.year}〕{firm['abbr']}律函字第{rng.randint(1, 400)}号"
                if by_firm
                else f"法催字〔{day.year}〕{rng.randint(1, 99)}号"
            )
            sender = f"{firm['abbr']}律师" if by_firm else "法务部"
            event.update(
                kind="contact",
                channel="letter",
                summary=f"{sender}出具律师函（{ref}），EMS（{fill['ems']}）寄送债务人"
                f"住所地，要求于收函后七日内支付欠款{fill['total']}及逾期利息",
                debtor_response="邮件被退回：查无此单位" if ctx.lost else "已妥投签收",
            )
        elif stage == Stage.NEGOTIATION:
            amount, when = self._promise(ctx, day, rng.choice([0.1, 0.2, 0.3]))
            promise = f"于{_cn_date(when)}前支付{_yuan(amount)}"
            event.update(promised_amount=amount, promised_date=when)
            if nth:
                event.update(
                    kind="contact",
                    channel="phone",
                    summary=f"电话提醒{fill['who']}按还款协议按期支付下一期款项",
                    debtor_response=f"对方确认将{promise}",
                )
            else:
                seen = ctx.seen(day)
                source = (
                    "与被执行人达成执行和解协议"
                    if Stage.ENFORCEMENT in seen
                    else "在法院主持下达成调解协议"
                    if Stage.LITIGATION in seen
                    else "双方签订《分期还款协议》"
                )
                event["summary"] = (
                    f"{source}，债务人确认欠款本金{fill['total']}，约定分"
                    f"{rng.randint(3, 12)}期偿还，首期{promise}，"
                    "任一期逾期即全部到期"
                )
        else:  # amicable collection, and follow-ups of a lawyer's letter
            event.update(self._contact(ctx, day, fill))
        plan.steps.append(Step(event["occurred_at"], actor, "event", event))

    def _contact(self, ctx: _CaseContext, day: date, fill: dict[str, Any]) -> dict[str, Any]:
        amount, when = self._promise(ctx, day, self.rng.choice([0.05, 0.1, 0.2, 0.3]))
        fill = {**fill, "promise": f"于{_cn_date(when)}前先行支付{_yuan(amount)}"}
        channel, summary, response, promised = self.rng.choice(
            UNREACHABLE if ctx.lost else CONTACTS
        )
        data: dict[str, Any] = {
            "kind": "contact",
            "channel": channel,
            "summary": summary.format(**fill),
            "debtor_response": response.format(**fill),
        }
        if promised:
            data.update(promised_amount=amount, promised_date=when)
        return data

    def _recovery(self, stage: Stage) -> float | None:
        """Share of the principal recovered (closed cases fully or mostly), or None."""
        chance, low, high = {
            Stage.COLLECTION: (0.3, 0.05, 0.3),
            Stage.DEMAND_LETTER: (0.3, 0.05, 0.3),
            Stage.NEGOTIATION: (0.75, 0.1, 0.6),
            Stage.PRESERVATION: (0.15, 0.05, 0.2),
            Stage.LITIGATION: (0.25, 0.05, 0.3),
            Stage.ENFORCEMENT: (0.55, 0.1, 0.7),
            Stage.CLOSED: (1.0, 0.8, 1.0),
            Stage.WRITTEN_OFF: (0.4, 0.02, 0.2),
        }.get(stage, (0.0, 0, 0))
        if self.rng.random() >= chance:
            return None
        if stage == Stage.CLOSED and self.rng.random() < 0.7:
            return 1
        return self.rng.uniform(low, high)

    def _payments(self, ctx: _CaseContext, segments: list[tuple[Stage, date, date]]) -> None:
        """Money received, dated inside the stages where money comes in, never over principal."""
        rng, plan = self.rng, ctx.plan
        if ctx.recovery is None:
            return
        total = (plan.principal * Decimal(str(ctx.recovery))).quantize(Decimal("0.01"))
        paying = [
            (s, a, b)
            for s, a, b in segments
            if s not in (Stage.INTAKE, Stage.CLOSED, Stage.WRITTEN_OFF) and (b - a).days > 1
        ]
        if total <= 0 or not paying:
            return
        count = rng.randint(1, min(4, len(paying) * 2))
        parts = sorted(rng.sample(range(1, 100), count - 1))
        shares = [b - a for a, b in zip([0, *parts], [*parts, 100], strict=True)]
        paid = Decimal(0)
        for i, weight in enumerate(shares):
            amount = (
                total - paid if i == count - 1 else (total * weight / 100).quantize(Decimal("0.01"))
            )
            stage, first, stop = paying[-1] if i == count - 1 else rng.choice(paying)
            day = self._days_between(first, stop, 1)[0]
            if i == count - 1 and plan.stage == Stage.CLOSED:  # the last money closes the case
                day = max(day, stop - timedelta(days=rng.randint(1, 10)))
            court = stage == Stage.ENFORCEMENT
            guarantor = (
                plan.payload["guarantors"][0]["party"]["name"]
                if (plan.payload["guarantors"] and rng.random() < 0.2)
                else None
            )
            plan.steps.append(
                Step(
                    _at(day, 15, rng.randint(0, 59)),
                    "finance1",
                    "payment",
                    {
                        "received_on": day,
                        "amount": amount,
                        "payer": ctx.city[4] if court else guarantor or ctx.debtor["name"],
                        "method": "court"
                        if court
                        else rng.choice(["bank_transfer"] * 6 + ["bill", "cash"]),
                        "bank_ref": f"HX{day:%Y%m%d}{rng.randrange(10**6, 10**7)}",
                        "note": "法院执行款划付"
                        if court
                        else ("保证人代偿" if guarantor else None),
                    },
                )
            )
            paid += amount


@dataclass
class _CaseContext:
    plan: CasePlan
    city: tuple
    lost: bool
    tags: set[str]
    visited: list[Stage]
    bank: bool
    debtor: dict[str, Any]
    recovery: float | None = None
    counsel: str | None = None
    engaged_on: date | None = None

    def seen(self, day: date) -> set[Stage]:
        """Stages entered on or before ``day``."""
        moves = [s for s in self.plan.steps if s.op == "move" and s.at.date() <= day]
        return set(self.visited[: len(moves) + 1])


def plan_cases(count: int, *, seed: int = 2026, last_day: date | None = None) -> list[CasePlan]:
    """All demo cases as plain values, in order of transfer; the same seed gives the same plan."""
    rng = random.Random(seed)
    planner = Planner(rng, last_day or today() - timedelta(days=1))
    stages = [stage for stage, n in stage_quota(count).items() for _ in range(n)]
    rng.shuffle(stages)
    plans = [planner.case(stage) for stage in stages]
    return sorted(plans, key=lambda p: p.created_at)


# ---- loading ------------------------------------------------------------------------------


class _DemoClock:
    """Stamps planned times on what the operations stamp with "now", as rows are flushed."""

    STAMPS = ("created_at", "recorded_at", "uploaded_at")

    def __init__(self, now: datetime) -> None:
        self.now = now

    def before_flush(self, session: Session, _context, _instances) -> None:
        for obj in session.new:
            for attr in self.STAMPS:
                if hasattr(obj, attr):
                    setattr(obj, attr, self.now)
            if isinstance(obj, Event) and obj.kind == EventKind.STAGE_CHANGE:
                obj.occurred_at = self.now
        for obj in (*session.new, *session.dirty):
            if isinstance(obj, Case):
                obj.updated_at = obj.last_activity_at = self.now


def _load_people(
    session: Session, clock: _DemoClock
) -> tuple[dict[str, User], dict[str, int], dict[str, int]]:
    users: dict[str, User] = {}

    def add(key: str, role: str, name: str, firm_id: int | None, actor: User | None) -> None:
        data = {
            "email": f"{key}@{EMAIL_DOMAIN}",
            "name": name,
            "role": role,
            "firm_id": firm_id,
            "password": DEMO_PASSWORD,
        }
        users[key] = add_user(session, actor, data) if actor else create_user(session, data)
        if actor is None:
            session.info["actor_id"] = users[key].id

    key, role, name, _ = USERS[0]
    add(key, role, name, None, None)  # the first administrator bootstraps the rest
    admin = users["admin"]
    firms = {}
    for i, spec in enumerate(FIRMS, start=1):
        firms[spec["key"]] = add_firm(
            session,
            admin,
            {
                "name": spec["name"],
                "uscc": make_uscc("31", spec["region"], 33_000_000 + i * 7919),
                "address": spec["address"],
                "phone": spec["phone"],
            },
        ).id
    creditors: dict[str, int] = {}
    for i, spec in enumerate(CREDITORS, start=1):
        creditors[spec["key"]] = add_creditor(
            session,
            admin,
            {
                "name": spec["name"],
                "short_name": spec["short_name"],
                "is_bank": spec["is_bank"],
                "uscc": make_uscc("91", spec["region"], 10_000_000 + i * 104_729),
                "parent_id": creditors.get(spec.get("parent", "")),
                "address": spec["address"],
                "bank_account": f"华信银行股份有限公司北京分行 1101 0{i:03d} 8866 0001",
            },
        ).id
    for key, role, name, firm in USERS[1:]:
        clock.now += timedelta(minutes=3)
        add(key, role, name, firms[firm] if firm else None, admin)
    return users, firms, creditors


def _load_case(
    session: Session,
    clock: _DemoClock,
    users: dict[str, User],
    firms: dict[str, int],
    creditors: dict[str, int],
    contacted: set[int],
    plan: CasePlan,
) -> None:
    handler = users[plan.handler]
    clock.now = plan.created_at
    session.info["actor_id"] = handler.id
    case = create_case(
        session,
        handler,
        {
            **plan.payload,
            "creditor_id": creditors[plan.creditor],
            "handler_id": handler.id,
        },
        number_year=plan.transferred_on.year,
    )
    if plan.contact and case.debtor_id not in contacted:
        contacted.add(case.debtor_id)
        add_contact(session, session.get(Party, case.debtor_id), ContactCreate(**plan.contact))
    for step in plan.steps:
        actor = users[step.actor]
        session.info["actor_id"] = actor.id
        clock.now = step.at
        data = dict(step.data)
        if step.op == "move":
            move_stage(
                session,
                actor,
                case,
                data["action"],
                note=data["note"],
                on=step.at.date(),
                approved=data["action"] == A.WRITE_OFF,
            )
        elif step.op == "update":
            if "firm" in data:
                data["firm_id"] = firms[data.pop("firm")]
            update_case(session, actor, case, data)
        elif step.op == "event":
            clock.now = step.at + timedelta(minutes=15)  # written up a little after the call
            log_event(session, actor, case, data)
        else:
            record_payment(session, actor, case, data)


def load_demo(session: Session, *, cases: int = 240, seed: int = 2026) -> None:
    """Create the demo creditors, firms, users and ``cases`` cases; flushes, never commits."""
    plans = plan_cases(cases, seed=seed)
    start = min((p.created_at for p in plans), default=_at(today(), 9, 0)) - timedelta(days=30)
    clock = _DemoClock(start)
    previous_actor = session.info.get("actor_id")
    sa_event.listen(session, "before_flush", clock.before_flush)
    try:
        users, firms, creditors = _load_people(session, clock)
        contacted: set[int] = set()
        for plan in plans:
            _load_case(session, clock, users, firms, creditors, contacted, plan)
        session.flush()
    finally:
        sa_event.remove(session, "before_flush", clock.before_flush)
        session.info["actor_id"] = previous_actor
