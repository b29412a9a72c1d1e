"""The case list query: visibility, each filter, search keys, sort orders, paging, bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from cases.ledger.operations import record_payment
from cases.register import queries
from cases.register.aging import AgingBucket
from cases.register.models import CaseStatus, CreditGrade, RiskLevel
from cases.register.queries import (
    CaseQuery,
    CaseSort,
    filter_options,
    parse_query,
    search_cases,
)
from cases.register.stages import Stage
from cases.users.models import Role
from tests.factories import valid_ric, valid_uscc

ON = date(2026, 6, 30)


def claim(principal: str = "1000.00", due: date | str = "2026-01-01") -> dict:
    return {
        "contract_ref": "HT-1",
        "contract_title": "购销合同",
        "principal": Decimal(principal),
        "due_date": str(due),
    }


def company(name: str) -> dict:
    return {"kind": "company", "name": name, "uscc": valid_uscc()}


def search(session, actor, on: date = ON, **params):
    return search_cases(session, actor, CaseQuery(**params), on=on)


def numbers(page) -> list[str]:
    return [item.number for item in page.items]


@pytest.fixture
def legal(make_user):
    return make_user(Role.LEGAL, name="李法务")


# ---- visibility ---------------------------------------------------------------------------


def test_counsel_sees_only_own_firm_even_when_asking_for_another(
    session, make_case, make_firm, make_user, legal
):
    ours, theirs = make_firm(), make_firm()
    own = make_case(firm=ours)
    make_case(firm=theirs)
    make_case()  # not engaged to any firm
    counsel = make_user(Role.COUNSEL, firm=ours)

    assert numbers(search(session, counsel)) == [own.number]
    assert search(session, counsel, firm_id=theirs.id).total == 0
    assert search(session, counsel, firm_id=theirs.id).items == []
    assert search(session, legal).total == 3
    assert numbers(search(session, legal, firm_id=theirs.id)) != [own.number]


def test_inactive_user_sees_nothing(session, make_case, legal):
    make_case()
    legal.is_active = False
    assert search(session, legal).total == 0


# ---- filters ------------------------------------------------------------------------------


def test_filter_by_stage_and_status(session, make_case, legal):
    intake, suing = make_case(), make_case()
    suing.stage = Stage.LITIGATION
    suspended = make_case()
    suspended.status = CaseStatus.SUSPENDED
    session.flush()

    assert numbers(search(session, legal, stage=Stage.LITIGATION)) == [suing.number]
    assert set(numbers(search(session, legal, stage="intake"))) == {intake.number, suspended.number}
    assert numbers(search(session, legal, status=CaseStatus.SUSPENDED)) == [suspended.number]


def test_filter_by_handler_firm_and_creditor(
    session, make_case, make_user, make_firm, make_creditor, legal
):
    handler = make_user(Role.LEGAL)
    firm = make_firm()
    creditor = make_creditor()
    handled = make_case(actor=legal, handler_id=handler.id)
    engaged = make_case(actor=legal, firm=firm)
    other_creditor = make_case(actor=legal, creditor=creditor)

    assert numbers(search(session, legal, handler_id=handler.id)) == [handled.number]
    assert numbers(search(session, legal, firm_id=firm.id)) == [engaged.number]
    assert numbers(search(session, legal, creditor_id=creditor.id)) == [other_creditor.number]


def test_filter_by_grade_risk_and_tag(session, make_case, legal):
    graded = make_case(credit_grade=CreditGrade.C, risk_level=RiskLevel.HIGH, tags=["重点", "担保"])
    make_case(credit_grade=CreditGrade.A, risk_level=RiskLevel.LOW, tags=["担保"])
    make_case(tags=["重点客户"])

    assert numbers(search(session, legal, credit_grade="C")) == [graded.number]
    assert numbers(search(session, legal, risk_level=RiskLevel.HIGH)) == [graded.number]
    assert numbers(search(session, legal, tag="重点")) == [graded.number]  # whole tag, not prefix
    assert search(session, legal, tag="担保").total == 2
    assert search(session, legal, tag="没有这个标签").total == 0


@pytest.mark.parametrize(
    ("bucket", "inside", "outside"),
    [
        (AgingBucket.NOT_DUE, [-1, -300], [0]),
        (AgingBucket.DAYS_0_30, [0, 30], [-1, 31]),
        (AgingBucket.DAYS_31_90, [31, 90], [30, 91]),
        (AgingBucket.DAYS_91_180, [91, 180], [90, 181]),
        (AgingBucket.DAYS_181_365, [181, 365], [180, 366]),
        (AgingBucket.YEARS_1_2, [366, 730], [365, 731]),
        (AgingBucket.YEARS_2_3, [731, 1095], [730, 1096]),
        (AgingBucket.OVER_3_YEARS, [1096, 4000], [1095]),
    ],
)
def test_filter_by_aging_bucket_boundaries(session, make_case, legal, bucket, inside, outside):
    by_days = {
        days: make_case(claims=[claim(due=ON - timedelta(days=days))]) for days in inside + outside
    }
    page = search(session, legal, aging=bucket)
    assert sorted(numbers(page)) == sorted(by_days[d].number for d in inside)
    assert {item.aging for item in page.items} == {bucket}


def test_aging_uses_the_oldest_claim(session, make_case, legal):
    case = make_case(
        claims=[claim(due=ON - timedelta(days=10)), claim(due=ON - timedelta(days=100))]
    )
    assert numbers(search(session, legal, aging="91-180")) == [case.number]
    assert search(session, legal, aging="0-30").total == 0
    assert search(session, legal).items[0].overdue_days == 100


def test_a_recovered_case_is_not_overdue_however_old_its_claims(
    session, make_case, make_user, legal
):
    due = ON - timedelta(days=500)
    settled, partly = (make_case(claims=[claim("1000.00", due)]) for _ in range(2))
    finance = make_user(Role.FINANCE)  # recorded by finance: confirmed money
    for case, amount in ((settled, "1000.00"), (partly, "999.99")):
        record_payment(
            session,
            finance,
            case,
            {
                "received_on": "2026-01-05",
                "amount": amount,
                "payer": "债务人",
                "method": "bank_transfer",
            },
        )
    items = {item.number: item for item in search(session, legal).items}
    assert (items[settled.number].overdue_days, items[settled.number].aging) == (0, None)
    assert items[settled.number].due_date == due  # the claims' fact is still shown
    assert (items[partly.number].overdue_days, items[partly.number].aging) == (
        500,
        AgingBucket.YEARS_1_2,
    )
    assert numbers(search(session, legal, aging="1-2y")) == [partly.number]


def test_filters_combine(session, make_case, legal):
    both = make_case(risk_level="high", claims=[claim(due=ON - timedelta(days=40))])
    make_case(risk_level="high", claims=[claim(due=ON - timedelta(days=400))])
    make_case(risk_level="low", claims=[claim(due=ON - timedelta(days=40))])
    assert numbers(search(session, legal, risk_level="high", aging="31-90")) == [both.number]


# ---- search -------------------------------------------------------------------------------


@pytest.fixture
def searchable(make_case):
    uscc, ric = valid_uscc(), valid_ric(birth="19750315")
    return {
        "company": make_case(
            debtor={"kind": "company", "name": "上海宏达建材有限公司", "uscc": uscc},
            external_ref="ERP-2026-0042",
        ),
        "person": make_case(debtor={"kind": "person", "name": "王小明", "id_number": ric}),
        "other": make_case(debtor=company("北京某某科技有限公司")),
        "uscc": uscc,
        "ric": ric,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("宏达", ["company"]),  # debtor name substring
        ("有限公司", ["company", "other"]),
        ("小明", ["person"]),
        ("erp-2026-00", ["company"]),  # external reference, any case
    ],
)
def test_search_by_name_and_external_ref(session, legal, searchable, text, expected):
    page = search(session, legal, q=text)
    assert sorted(numbers(page)) == sorted(searchable[key].number for key in expected)


def test_search_by_uscc_and_id_number(session, legal, searchable):
    assert numbers(search(session, legal, q=searchable["uscc"])) == [searchable["company"].number]
    assert numbers(search(session, legal, q=searchable["uscc"].lower())) == [
        searchable["company"].number
    ]
    assert numbers(search(session, legal, q=searchable["ric"])) == [searchable["person"].number]
    # identifiers match whole, not by fragments shared by every code
    assert search(session, legal, q=searchable["uscc"][:8] + "X").total == 0


def test_search_by_case_number(session, legal, searchable):
    number = searchable["person"].number
    assert numbers(search(session, legal, q=number)) == [number]
    assert numbers(search(session, legal, q=number.lower())) == [number]
    assert numbers(search(session, legal, q=number[-6:])) == [number]


def test_search_ignores_case_of_latin_letters(session, make_case, legal):
    case = make_case(debtor=company("ABC国际贸易有限公司"), external_ref="Po-7731")
    make_case(debtor=company("国际物流有限公司"))
    for text in ("abc国际", "ABC", "aBc", "po-77", "PO-7731"):
        assert numbers(search(session, legal, q=text)) == [case.number], text


def test_short_text_matches_numbers_and_references_only_whole(session, make_case, legal):
    exact = make_case(external_ref="A7")
    make_case(external_ref="XA7Y")
    assert numbers(search(session, legal, q="a7")) == [exact.number]
    assert search(session, legal, q="00").total == 0  # every case number holds "00"
    assert search(session, legal, q="000").total == 2


def test_identifier_shaped_text_is_compared_whole(session, make_case, legal):
    uscc = valid_uscc()
    case = make_case(debtor={"kind": "company", "name": "编码有限公司", "uscc": uscc})
    make_case(
        debtor={"kind": "company", "name": f"名称含{uscc[:-1]}有限公司", "uscc": valid_uscc()}
    )
    assert numbers(search(session, legal, q=uscc)) == [case.number]
    assert numbers(search(session, legal, q=" ".join(uscc[i : i + 6] for i in (0, 6, 12)))) == [
        case.number
    ]  # typed in groups
    assert (
        search(session, legal, q=uscc[:-1] + "0" if uscc[-1] != "0" else uscc[:-1] + "1").total == 0
    )


def test_search_gives_the_same_cases_however_many_debtors_match(
    session, make_case, legal, monkeypatch
):
    made = [make_case(debtor=company(f"同名{n}建材有限公司"), tags=["x"]) for n in range(4)]
    make_case(debtor=company("别家有限公司"))
    inline = search(session, legal, q="建材", sort="debtor", order="asc")
    monkeypatch.setattr(queries, "INLINE_DEBTORS", 2)  # more matches than that: subquery
    subquery = search(session, legal, q="建材", sort="debtor", order="asc")
    assert numbers(inline) == numbers(subquery) == [c.number for c in made]
    assert inline.total == subquery.total == 4
    monkeypatch.setattr(queries, "INLINE_DEBTORS", 0)
    assert numbers(search(session, legal, q="QS-")) == numbers(search(session, legal, q="qs-"))
    assert search(session, legal, q="QS-").total == 5


def test_search_treats_wildcards_literally(session, legal, searchable):
    assert search(session, legal, q="%").total == 0
    assert search(session, legal, q="_").total == 0


def test_counsel_search_stays_inside_the_firm(session, make_case, make_user, make_firm):
    ours, theirs = make_firm(), make_firm()
    make_case(firm=theirs, debtor=company("同名债务人甲有限公司"))
    own = make_case(firm=ours, debtor=company("同名债务人乙有限公司"))
    counsel = make_user(Role.COUNSEL, firm=ours)
    assert numbers(search(session, counsel, q="同名债务人")) == [own.number]


# ---- sort ---------------------------------------------------------------------------------


@pytest.fixture
def sortable(session, make_case):
    rows = [
        ("乙公司", "5000.00", "0.00", 10, Stage.LITIGATION, 1),
        ("甲公司", "9000.00", "8000.00", 400, Stage.INTAKE, 3),
        ("丙公司", "7000.00", "1000.00", 100, Stage.ENFORCEMENT, 2),
    ]
    made = {}
    for name, principal, recovered, days, stage, hours_ago in rows:
        case = make_case(debtor=company(name), claims=[claim(principal, ON - timedelta(days=days))])
        case.recovered_amount = Decimal(recovered)
        case.stage = stage
        case.last_activity_at = datetime(2026, 6, 1, 12, tzinfo=UTC) - timedelta(hours=hours_ago)
        made[name] = case
    session.flush()
    return made


@pytest.mark.parametrize(
    ("sort", "ascending"),
    [
        (CaseSort.PRINCIPAL, ["乙公司", "丙公司", "甲公司"]),
        (CaseSort.OUTSTANDING, ["甲公司", "乙公司", "丙公司"]),  # 1000 < 5000 < 6000
        (CaseSort.OVERDUE, ["乙公司", "丙公司", "甲公司"]),
        (CaseSort.STAGE, ["甲公司", "乙公司", "丙公司"]),  # intake < litigation < enforcement
        (CaseSort.LAST_ACTIVITY, ["甲公司", "丙公司", "乙公司"]),
        (CaseSort.NUMBER, ["乙公司", "甲公司", "丙公司"]),  # creation order
    ],
)
def test_sort_orders(session, legal, sortable, sort, ascending):
    def names(order):
        return [item.debtor_name for item in search(session, legal, sort=sort, order=order).items]

    assert names("asc") == ascending
    assert names("desc") == list(reversed(ascending))


def test_sort_by_debtor_name(session, make_case, legal):
    for name in ("Beta建材有限公司", "Alpha建材有限公司", "Gamma建材有限公司"):
        make_case(debtor=company(name))
    names = [i.debtor_name for i in search(session, legal, sort="debtor", order="asc").items]
    assert names == ["Alpha建材有限公司", "Beta建材有限公司", "Gamma建材有限公司"]


@pytest.mark.parametrize("sort", [CaseSort.LAST_ACTIVITY, CaseSort.OVERDUE])
def test_empty_values_sort_alike_on_every_database(session, make_case, legal, sort):
    dated = [make_case(claims=[claim(due=ON - timedelta(days=d))]) for d in (5, 50)]
    empty = make_case()
    empty.oldest_due_date = empty.overdue_since = empty.last_activity_at = None
    session.flush()
    ascending = numbers(search(session, legal, sort=sort, order="asc"))
    descending = numbers(search(session, legal, sort=sort, order="desc"))
    five, fifty = dated  # days overdue; also their order of creation (and of activity)
    expected = {  # no value counts as the largest: no activity last, no due date least overdue
        CaseSort.LAST_ACTIVITY: [five, fifty, empty],
        CaseSort.OVERDUE: [empty, five, fifty],
    }[sort]
    assert ascending == [c.number for c in expected]
    assert descending == list(reversed(ascending))
    item = next(i for i in search(session, legal).items if i.number == empty.number)
    assert (item.overdue_days, item.aging, item.due_date) == (0, None, None)


def test_default_order_is_newest_case_first(session, legal, sortable):
    assert numbers(search(session, legal)) == sorted(numbers(search(session, legal)), reverse=True)
    assert search(session, legal).items[0].debtor_name == "丙公司"


# ---- paging and rows ----------------------------------------------------------------------


def test_pagination_total_and_clamping(session, make_case, legal):
    made = [make_case() for _ in range(5)]
    first = search(session, legal, page_size=2, order="asc")
    second = search(session, legal, page_size=2, order="asc", page=2)
    last = search(session, legal, page_size=2, order="asc", page=3)
    beyond = search(session, legal, page_size=2, order="asc", page=99)

    assert (first.total, first.pages) == (5, 3)
    assert numbers(first) + numbers(second) + numbers(last) == [c.number for c in made]
    assert (beyond.page, numbers(beyond)) == (3, numbers(last))


def test_empty_result_is_page_one_of_one(session, legal):
    page = search(session, legal, page=7)
    assert (page.total, page.page, page.pages, page.items) == (0, 1, 1, [])


def test_rows_carry_names_money_and_tags(session, make_case, make_user, make_firm, legal):
    handler = make_user(Role.LEGAL, name="赵承办")
    firm = make_firm("天平律师事务所")
    case = make_case(
        firm=firm,
        handler_id=handler.id,
        tags=["诉讼", "保全"],
        debtor={"kind": "company", "name": "欠款有限公司", "uscc": valid_uscc()},
        claims=[claim("300.50", ON - timedelta(days=45)), claim("200.00", ON)],
    )
    case.recovered_amount = Decimal("100.25")
    session.flush()

    item = search(session, legal).items[0]
    assert (item.debtor_name, item.handler_name, item.firm_name) == (
        "欠款有限公司",
        "赵承办",
        "天平律师事务所",
    )
    assert item.debtor_identifier.startswith("9111")
    assert item.creditor_name.startswith("测试债权人")
    assert (item.principal, item.recovered, item.outstanding) == (
        Decimal("500.50"),
        Decimal("100.25"),
        Decimal("400.25"),
    )
    assert (item.overdue_days, item.aging, item.due_date) == (
        45,
        AgingBucket.DAYS_31_90,
        ON - timedelta(days=45),
    )
    assert item.tags == ["保全", "诉讼"]


def test_a_page_costs_three_statements_whatever_its_size(session, make_case, legal):
    for n in range(6):
        make_case(tags=[f"标签{n}", "共同"])
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    bind = session.connection()
    sa.event.listen(bind, "before_cursor_execute", count)
    try:
        page = search(session, legal, page_size=50)
    finally:
        sa.event.remove(bind, "before_cursor_execute", count)
    assert len(page.items) == 6
    assert all("共同" in item.tags for item in page.items)
    assert len(statements) == 3


# ---- lenient parsing of request parameters ------------------------------------------------


def test_parse_query_ignores_what_it_cannot_understand():
    query, ignored = parse_query(
        {
            "stage": "nonsense",
            "page": "abc",
            "sort": "evil",
            "order": "sideways",
            "handler_id": "99999999999999999999",
            "firm_id": "-3",
            "risk_level": "high",
            "q": "  宏达\x00 ",
            "aging": "0-30",
            "tag": "",
            "unknown": "x",
        }
    )
    assert ignored == ["firm_id", "handler_id", "order", "page", "sort", "stage"]
    assert query.risk_level == RiskLevel.HIGH
    assert query.aging == AgingBucket.DAYS_0_30
    assert query.q == "宏达"
    assert (query.stage, query.tag, query.page, query.sort) == (None, None, 1, CaseSort.NUMBER)


def test_parse_query_overrides_win():
    query, ignored = parse_query({"page_size": "500", "page": "2"}, page_size=20)
    assert (query.page_size, query.page, ignored) == (20, 2, [])


def test_parse_query_rejects_absurd_pages():
    query, ignored = parse_query({"page": str(10**30)})
    assert (query.page, ignored) == (1, ["page"])


# ---- filter choices -----------------------------------------------------------------------


def test_filter_options_for_counsel_come_from_own_cases(
    session, make_case, make_user, make_firm, make_creditor, legal
):
    ours, theirs = make_firm(), make_firm()
    handler = make_user(Role.LEGAL, name="本所案件承办人")
    other_creditor = make_creditor()
    make_case(firm=ours, tags=["本所标签"], handler_id=handler.id)
    make_case(firm=theirs, tags=["他所机密标签"], creditor=other_creditor)
    counsel = make_user(Role.COUNSEL, firm=ours)

    mine = filter_options(session, counsel)
    assert mine.tags == ["本所标签"]
    assert mine.firms == [(ours.id, ours.name)]
    assert mine.handlers == [(handler.id, "本所案件承办人")]
    assert other_creditor.id not in [cid for cid, _ in mine.creditors]

    everything = filter_options(session, legal)
    assert set(everything.tags) == {"本所标签", "他所机密标签"}
    assert {ours.id, theirs.id} <= {fid for fid, _ in everything.firms}
    assert other_creditor.id in [cid for cid, _ in everything.creditors]
