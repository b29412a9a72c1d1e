"""What a delivery's outcome does to the limitation period, and how far it moved the date.

《最高人民法院关于审理民事案件适用诉讼时效制度若干问题的规定》(2020) 第八条第一款: a claim
asserted by letter interrupts the limitation period (民法典 第195条) when the letter **reaches
or should have reached** the other party (第(二)项). So:

- **signed for** (签收): it reached the debtor on the signed-for date → a DEMAND_DELIVERED key
  date on that day, the 3 years restart;
- **refused** (拒收) by the addressee at the right address: it *should have reached* them —
  refusal does not defeat delivery → a DEMAND_DELIVERED key date on the refusal date;
- **returned** (退回: wrong or unknown address, addressee moved, not collected): it neither
  reached nor should have reached the debtor → no key date, the period runs on. (Where the
  contract fixes an agreed address for notices, a letter returned from that address may still
  count as delivered; that is a judgment for the lawyer, who then records the refusal or the
  key date by hand.)

A delivery recorded **out of order** — its date earlier than an interruption already on
record — is recorded and keeps its key date, but cannot move the limitation date back: each
interruption restarts the period only if later (``cases.deadlines.limitation_expiry`` keeps
the latest end). Undoing a delivery removes its key date, and the date falls back to what the
other interruptions give. Counting and the holiday rollover of the new end are those of
``cases.deadlines`` (民法典 第200–203条).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from cases.deadlines import DEADLINE_KINDS
from cases.delivery.models import DeliveryStatus
from cases.errors import N_
from cases.register import schedule
from cases.register.models import Case

SOURCE = "《最高人民法院关于审理民事案件适用诉讼时效制度若干问题的规定》(2020)"
ARTICLE = "诉讼时效规定 第八条第一款第（二）项"


@dataclass(frozen=True)
class OutcomeRule:
    interrupts: bool
    rule: str  # the citation, in the law's language
    explanation: str  # English msgid


OUTCOME_RULES: dict[DeliveryStatus, OutcomeRule] = {
    DeliveryStatus.DELIVERED: OutcomeRule(
        True,
        f"{ARTICLE}：信件到达对方当事人",
        N_("Signed for: the demand reached the debtor, the limitation period is interrupted"),
    ),
    DeliveryStatus.REFUSED: OutcomeRule(
        True,
        f"{ARTICLE}：信件应当到达对方当事人（拒收视为到达）",
        N_(
            "Refused by the addressee: the demand should have reached the debtor, the limitation "
            "period is interrupted on the day of refusal"
        ),
    ),
    DeliveryStatus.RETURNED: OutcomeRule(
        False,
        f"{ARTICLE}：退回的信件未到达对方当事人，不中断诉讼时效",
        N_(
            "Returned undelivered (wrong address, addressee unknown): the demand did not reach "
            "the debtor, the limitation period is not interrupted"
        ),
    ),
}


def interrupts(status: DeliveryStatus) -> bool:
    rule = OUTCOME_RULES.get(status)
    return rule is not None and rule.interrupts


# ---- the limitation date before and after ---------------------------------------------------


@dataclass(frozen=True)
class LimitationChange:
    """One claim's last day of limitation before and after a delivery was recorded or undone."""

    subject: str | None  # the claim's contract number
    before: date
    after: date

    @property
    def moved(self) -> bool:
        return self.before != self.after


Snapshot = list[tuple[str | None, date]]


def limitation_snapshot(session: Session, case: Case) -> Snapshot:
    """Each claim's limitation end as the case page shows it (none once a suit is filed, the
    case is closed or nothing is outstanding)."""
    session.flush()
    rule = DEADLINE_KINDS["limitation"].rule
    dated = [
        (d.subject, d.due) for d in schedule.case_deadlines(session, case) if d.figure.rule == rule
    ]
    return sorted(dated, key=lambda x: (x[0] or "", x[1]))


def changes(before: Snapshot, after: Snapshot) -> list[LimitationChange]:
    """Pair each claim's date before with its date after (by contract number, then date: an
    interruption never moves a date back, so the order within one contract number holds)."""
    if len(before) != len(after):
        return []  # the limitation stopped or started being tracked: nothing to compare
    return [
        LimitationChange(subject, old, new)
        for (subject, old), (_same, new) in zip(before, after, strict=True)
    ]


def any_moved(found: list[LimitationChange]) -> bool:
    return any(change.moved for change in found)
