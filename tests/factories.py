"""Valid identifiers and ready-made rows for tests."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from stdnum.cn import ric, uscc

from cases.base import BUSINESS_TZ
from cases.documents.bulk import start_run
from cases.ledger.models import Payment, PaymentStatus
from cases.register.operations import refresh_totals

_counter = itertools.count(1)


def valid_uscc(n: int | None = None) -> str:
    """A unified social credit code with a correct check character."""
    n = next(_counter) if n is None else n
    body = f"91110000{n:09d}"
    return body + uscc.calc_check_digit(body)


def valid_ric(n: int | None = None, birth: str = "19800101") -> str:
    """An 18-digit resident ID number with a correct check digit."""
    n = next(_counter) if n is None else n
    body = f"110101{birth}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum drops the last (check) character


def case_payload(creditor_id: int, **overrides: Any) -> dict[str, Any]:
    n = next(_counter)
    data: dict[str, Any] = {
        "creditor_id": creditor_id,
        "debtor": {"kind": "company", "name": f"测试债务人{n}有限公司", "uscc": valid_uscc(n)},
        "claims": [
            {
                "contract_ref": f"HT-{n:05d}",
                "contract_title": "购销合同",
                "principal": Decimal("120000.00"),
                "due_date": "2025-06-30",
            }
        ],
    }
    data.update(overrides)
    return data


def claim_in(principal: str, due: str, signed: str | None = None) -> dict[str, Any]:
    """A claim payload for ``make_case(claims=[...])``: ``principal`` due on ``due``."""
    data: dict[str, Any] = {
        "contract_ref": f"HT-{due}",
        "contract_title": "购销合同",
        "principal": Decimal(principal),
        "due_date": due,
    }
    if signed:
        data["signed_on"] = signed
    return data


def add_payment(
    session, case, amount: str, on: date, status: PaymentStatus = PaymentStatus.CONFIRMED
) -> Payment:
    """A payment received on ``on``, confirmed by finance at noon that day unless ``status``
    says otherwise, with the case's totals refreshed and flushed (not committed)."""
    confirmed = status == PaymentStatus.CONFIRMED
    payment = Payment(
        case_id=case.id,
        received_on=on,
        amount=Decimal(amount),
        payer="债务人",
        status=status,
        confirmed_at=datetime.combine(on, time(12), BUSINESS_TZ) if confirmed else None,
        rejected_reason="银行流水未见此款" if status == PaymentStatus.REJECTED else None,
    )
    session.add(payment)
    refresh_totals(session, case)
    session.flush()
    return payment


def letter_run(session, actor, cases, fields=None, **kw):
    """A bulk run of the shipped lawyer's letter over ``cases`` (``cases.documents.bulk``)."""
    return start_run(
        session,
        actor,
        template="lawyer_letter",
        template_version="1",
        title="律师函",
        case_ids=[c.id for c in cases],
        fields=fields or {},
        **kw,
    )
