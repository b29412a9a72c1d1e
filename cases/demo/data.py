"""The fixed tables the demo data is drawn from: stages and the paths through them,
places and names, the creditors, law firms and users, and what people write."""

from __future__ import annotations

from typing import Any

from cases.register.stages import Action, Stage

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
