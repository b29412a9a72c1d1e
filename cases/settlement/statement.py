"""A fee request as a plain, typed context: what its page and its PDF statement show.

Built from the request's stored computation (``FeeDue.as_dict``), never recomputed, so the
statement shows exactly what was asked for and approved, even after later recoveries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from cases.engagements.models import FEE_KIND_LABELS, FeeKind
from cases.fees import CAP_RULES, MATTER_TYPES
from cases.figures import Step
from cases.ledger.models import PAYMENT_METHOD_LABELS, PaymentMethod
from cases.money import to_fen
from cases.parties.models import Creditor, Party
from cases.register.models import Case
from cases.register.stages import STAGE_LABELS, Stage
from cases.settlement.models import FEE_REQUEST_STATUS_LABELS, FeeRequest, FeeRequestStatus
from cases.settlement.queries import expenses_of
from cases.timeline.models import Attachment
from cases.users.models import LawFirm, User

MONEY_PARAMS = frozenset({"upper", "lower", "claim", "recovered", "cap", "amount", "fee"})


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _step(data: dict[str, Any]) -> Step:
    params = {
        key: Decimal(value) if key in MONEY_PARAMS and isinstance(value, str) else value
        for key, value in data.get("params", {}).items()
    }
    if isinstance(params.get("cap"), Decimal):  # named in a sentence: to the fen
        params["cap"] = to_fen(params["cap"])
    return Step(data["label"], _decimal(data.get("value")), params)


@dataclass(frozen=True)
class RecoveryLine:
    received_on: date
    amount: Decimal
    payer: str
    method: str  # msgid
    bank_ref: str
    stage: str  # msgid of the register stage
    fee_stage: str  # a cases.fees.FEE_STAGES key


@dataclass(frozen=True)
class ExpenseLine:
    description: str
    amount: Decimal
    spent_on: date
    receipt_id: int
    receipt_name: str


@dataclass(frozen=True)
class EarlierLine:
    id: int
    status: str  # msgid
    fee_amount: Decimal


@dataclass(frozen=True)
class Computation:
    """A fee computation (``FeeDue.as_dict``) read back with Decimals, dates and labels."""

    fee_kind: str  # msgid
    matter_type: str  # msgid
    claim_amount: Decimal
    starts_on: date
    ends_on: date | None
    cap_override: bool
    terms_pending: bool
    recoveries: tuple[RecoveryLine, ...]
    recovered: Decimal
    components: tuple[Step, ...]
    earned: Decimal
    cap: Decimal | None
    cap_steps: tuple[Step, ...]
    cap_rule: str
    capped: bool
    payable: Decimal
    earlier: tuple[EarlierLine, ...]
    already_requested: Decimal
    already_paid: Decimal
    now_due: Decimal
    rule: str


def computation(data: dict[str, Any]) -> Computation:
    engagement = data["engagement"]
    cap = data.get("cap")
    recoveries = tuple(
        RecoveryLine(
            received_on=date.fromisoformat(r["received_on"]),
            amount=Decimal(r["amount"]),
            payer=r["payer"],
            method=PAYMENT_METHOD_LABELS.get(PaymentMethod(r["method"]), r["method"]),
            bank_ref=r.get("bank_ref") or "",
            stage=_stage_label(r["stage"]),
            fee_stage=r["fee_stage"],
        )
        for r in data["recoveries"]
    )
    return Computation(
        fee_kind=FEE_KIND_LABELS.get(FeeKind(engagement["fee_kind"]), engagement["fee_kind"]),
        matter_type=MATTER_TYPES.get(engagement["matter_type"], engagement["matter_type"]),
        claim_amount=Decimal(engagement["claim_amount"]),
        starts_on=date.fromisoformat(engagement["starts_on"]),
        ends_on=date.fromisoformat(engagement["ends_on"]) if engagement["ends_on"] else None,
        cap_override=bool(engagement.get("cap_override")),
        terms_pending=bool(engagement.get("terms_pending")),
        recoveries=recoveries,
        recovered=Decimal(data["recovered"]),
        components=tuple(_step(s) for s in data["components"]),
        earned=Decimal(data["earned"]),
        cap=_decimal(cap["value"]) if cap else None,
        cap_steps=tuple(_step(s) for s in cap["steps"]) if cap else (),
        cap_rule=cap["rule"] if cap else CAP_RULES["2021"],
        capped=bool(data.get("capped")),
        payable=Decimal(data["payable"]),
        earlier=tuple(
            EarlierLine(
                e["id"],
                FEE_REQUEST_STATUS_LABELS[FeeRequestStatus(e["status"])],
                Decimal(e["fee_amount"]),
            )
            for e in data["earlier"]
        ),
        already_requested=Decimal(data["already_requested"]),
        already_paid=Decimal(data["already_paid"]),
        now_due=Decimal(data["now_due"]),
        rule=data["rule"],
    )


@dataclass(frozen=True)
class FeeStatement:
    id: int
    case_id: int
    case_number: str
    debtor: str
    creditor: str
    firm: str
    status: FeeRequestStatus
    status_label: str  # msgid
    computed: Computation
    fee_amount: Decimal
    expenses: tuple[ExpenseLine, ...]
    expenses_amount: Decimal
    note: str | None
    requested_by: str
    requested_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    rejected_by: str | None
    rejected_at: datetime | None
    rejection_reason: str | None
    paid_by: str | None
    paid_on: date | None
    paid_reference: str | None

    @property
    def total(self) -> Decimal:
        return self.fee_amount + self.expenses_amount


def _name(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.name if user else None


def _stage_label(stage: str) -> str:
    try:
        return STAGE_LABELS[Stage(stage)]
    except ValueError:
        return stage


def fee_statement(session: Session, case: Case, row: FeeRequest) -> FeeStatement:
    """The request ``row`` of ``case`` (loaded through it) as a statement context."""
    firm = session.get(LawFirm, row.firm_id)
    debtor = session.get(Party, case.debtor_id)
    creditor = session.get(Creditor, case.creditor_id)
    expenses = []
    for item in expenses_of(session, row):
        receipt = session.get(Attachment, item.receipt_id)
        expenses.append(
            ExpenseLine(
                item.description,
                item.amount,
                item.spent_on,
                item.receipt_id,
                receipt.original_name if receipt else "",
            )
        )
    return FeeStatement(
        id=row.id,
        case_id=case.id,
        case_number=case.number,
        debtor=debtor.name if debtor else "",
        creditor=creditor.name if creditor else "",
        firm=firm.name if firm else "",
        status=row.status,
        status_label=FEE_REQUEST_STATUS_LABELS[row.status],
        computed=computation(row.computation),
        fee_amount=row.fee_amount,
        expenses=tuple(expenses),
        expenses_amount=row.expenses_amount,
        note=row.note,
        requested_by=_name(session, row.requested_by_id) or "",
        requested_at=row.requested_at,
        approved_by=_name(session, row.approved_by_id),
        approved_at=row.approved_at,
        rejected_by=_name(session, row.rejected_by_id),
        rejected_at=row.rejected_at,
        rejection_reason=row.rejection_reason,
        paid_by=_name(session, row.paid_by_id),
        paid_on=row.paid_on,
        paid_reference=row.paid_reference,
    )
