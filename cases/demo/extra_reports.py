"""Demo data of the reports area: targets set by management, so that the dashboard, the
targets page and the monthly report show progress against them.

- a 百日攻坚 campaign for the whole book (seed 001: "清收盘活不良贷款1600万元" in a hundred days),
  begun forty days ago;
- this quarter's target for the Suzhou branch of the bank (or the first branch there is);
- this quarter's target for the first legal staff member.

Progress is computed from the demo's confirmed money whenever a page is shown.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session, select

from cases.base import today
from cases.parties.models import Creditor
from cases.reports.periods import containing
from cases.reports.targets import TargetScope, campaign_end, create_target
from cases.users.models import User

CAMPAIGN = "不良贷款清收百日攻坚"
CAMPAIGN_AMOUNT = Decimal("16000000.00")
BRANCH = "华信银行股份有限公司苏州分行"


def seed(session: Session, rng: random.Random, users: dict[str, User]) -> None:
    manager = users["management1"]
    session.info["actor_id"] = manager.id
    start = today() - timedelta(days=40)
    create_target(
        session,
        manager,
        {
            "name": CAMPAIGN,
            "scope": TargetScope.BOOK,
            "start_on": start,
            "end_on": campaign_end(start, 100),
            "target_amount": CAMPAIGN_AMOUNT,
            "note": "全行不良贷款清收盘活“百日攻坚”活动，任务分解到每周、到人，每周排名通报。",
        },
    )
    quarter = containing("quarter", today())
    branch = session.exec(select(Creditor).where(Creditor.name == BRANCH)).first()
    if branch is None:
        branch = session.exec(
            select(Creditor).where(Creditor.parent_id.is_not(None)).order_by(Creditor.id)
        ).first()
    if branch is not None:
        create_target(
            session,
            manager,
            {
                "name": f"{quarter.start.year}年第{(quarter.start.month - 1) // 3 + 1}季度清收任务",
                "scope": TargetScope.BRANCH,
                "scope_key": branch.id,
                "start_on": quarter.start,
                "end_on": quarter.end,
                "target_amount": Decimal("3000000.00"),
            },
        )
    handler = users.get("legal1")
    if handler is not None:
        create_target(
            session,
            manager,
            {
                "name": "本季度个人清收目标",
                "scope": TargetScope.HANDLER,
                "scope_key": handler.id,
                "start_on": quarter.start,
                "end_on": quarter.end,
                "target_amount": Decimal("1500000.00"),
            },
        )
