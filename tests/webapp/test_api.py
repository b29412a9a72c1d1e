"""HTTP API v1: bearer tokens, permissions, validation in two languages, the OpenAPI document."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec
from sqlmodel import select

from cases.audit.models import AuditAction, AuditEntry
from cases.base import today
from cases.ledger.models import Payment, PaymentCreate
from cases.register.aging import bucket_for
from cases.register.models import Case, CaseCreate, Claim
from cases.timeline.models import Event, EventCreate, EventKind
from cases.users.models import Role
from cases.users.operations import issue_token, revoke_tokens
from tests.factories import case_payload, valid_uscc

EVENT = {
    "kind": "contact",
    "occurred_at": "2025-07-01T10:00:00",
    "channel": "phone",
    "summary": "电话催收，承诺月底还款",
    "promised_amount": "5000",
    "promised_date": "2025-07-31",
}
PAYMENT = {"received_on": "2025-07-15", "amount": "1234.5", "payer": "测试债务人"}


@pytest.fixture
def bearer(session):
    """``bearer(user)``: request headers with a fresh API token of ``user``."""

    def make(user, **headers: str) -> dict[str, str]:
        token = issue_token(session, user, "test")
        session.commit()
        return {"Authorization": f"Bearer {token}", **headers}

    return make


@pytest.fixture
def api_user(make_user, bearer):
    """``api_user(role, firm=None)``: a new user and the headers to act as them."""

    def make(role: Role | str = Role.LEGAL, **kw):
        user = make_user(role, **kw)
        return user, bearer(user)

    return make


def _json_body(payload: dict) -> dict:
    """A case payload as a client sends it: amounts as strings."""
    claims = [{**c, "principal": str(c["principal"])} for c in payload["claims"]]
    return {**payload, "claims": claims}


def _error(response, code: int) -> dict:
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"]["code"] == code
    return body["error"]


# ---- token authentication -----------------------------------------------------------------


def test_token_gives_the_case_list(client, api_user, make_case):
    user, headers = api_user(Role.LEGAL)
    case = make_case(actor=user)
    response = client.get("/api/v1/cases", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1
    assert body["page"] == 1
    assert [item["id"] for item in body["items"]] == [case.id]
    assert body["items"][0]["number"] == case.number


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer    ",
        "Basic dXNlcjpwYXNz",
        "Token qs_abc",
        "Bearer qs_not-a-token",
    ],
)
def test_missing_or_malformed_token_is_401(client, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/api/v1/cases", headers=headers)
    error = _error(response, 401)
    assert error["message"] == "需要有效的 API 令牌。"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_is_named_invalid(client):
    response = client.get("/api/v1/cases", headers={"Authorization": "Bearer qs_forged"})
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_revoked_token_is_401(client, session, api_user):
    user, headers = api_user(Role.LEGAL)
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    assert revoke_tokens(session, user) == 1
    session.commit()
    _error(client.get("/api/v1/cases", headers=headers), 401)


def test_token_of_a_deactivated_user_is_401(client, session, api_user):
    user, headers = api_user(Role.LEGAL)
    user.is_active = False
    session.commit()
    _error(client.get("/api/v1/cases", headers=headers), 401)


def test_session_cookie_is_not_accepted(client, login_as, make_case):
    user = login_as(Role.LEGAL)
    make_case(actor=user)
    assert client.get("/").status_code == 200  # the cookie works on pages …
    _error(client.get("/api/v1/cases"), 401)  # … but not on the API
    _error(client.post("/api/v1/cases", json={}), 401)


def test_token_wins_over_a_session_cookie(client, login_as, api_user, make_firm, make_case):
    login_as(Role.LEGAL)
    firm = make_firm()
    _counsel, headers = api_user(Role.COUNSEL, firm=firm)
    own = make_case(firm=firm)
    make_case()
    items = client.get("/api/v1/cases", headers=headers).get_json()["items"]
    assert [item["id"] for item in items] == [own.id]


def test_openapi_document_needs_no_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.")


def test_unknown_api_path_and_wrong_method_answer_json(client, api_user):
    _user, headers = api_user(Role.LEGAL)
    _error(client.get("/api/v1/nothing-here", headers=headers), 404)
    _error(client.put("/api/v1/cases", headers=headers, json={}), 405)
    _error(client.get("/api/v1/cases/999999", headers=headers), 404)


# ---- counsel see only their firm's cases ---------------------------------------------------


@pytest.fixture
def two_firms(make_firm, make_case, api_user):
    own_firm, other_firm = make_firm(), make_firm()
    own = make_case(firm=own_firm)
    other = make_case(firm=other_firm)
    unassigned = make_case()
    _counsel, headers = api_user(Role.COUNSEL, firm=own_firm)
    return {
        "own": own,
        "other": other,
        "unassigned": unassigned,
        "headers": headers,
        "other_firm": other_firm,
    }


def test_counsel_list_holds_only_their_firms_cases(client, two_firms):
    headers = two_firms["headers"]
    body = client.get("/api/v1/cases", headers=headers).get_json()
    assert [item["id"] for item in body["items"]] == [two_firms["own"].id]
    assert body["total"] == 1
    for params in ({"firm_id": two_firms["other_firm"].id}, {"q": two_firms["other"].number}):
        body = client.get("/api/v1/cases", headers=headers, query_string=params).get_json()
        assert body["items"] == []
        assert body["total"] == 0


@pytest.mark.parametrize("case_key", ["other", "unassigned"])
def test_counsel_get_404_on_cases_of_others(client, session, two_firms, case_key):
    case, headers = two_firms[case_key], two_firms["headers"]
    before = session.exec(select(Event.id).where(Event.case_id == case.id)).all()
    _error(client.get(f"/api/v1/cases/{case.id}", headers=headers), 404)
    error = _error(client.post(f"/api/v1/cases/{case.id}/events", headers=headers, json=EVENT), 404)
    assert error["message"] == "案件不存在。"
    # 404 before 403: counsel may not record payments at all, yet learn nothing here.
    _error(client.post(f"/api/v1/cases/{case.id}/payments", headers=headers, json=PAYMENT), 404)
    assert session.exec(select(Event.id).where(Event.case_id == case.id)).all() == before


# ---- role capabilities --------------------------------------------------------------------

WRITES = {
    "create_case": {
        Role.ADMIN: 201,
        Role.LEGAL: 201,
        Role.COUNSEL: 403,
        Role.FINANCE: 403,
        Role.MANAGEMENT: 403,
    },
    "log_event": {
        Role.ADMIN: 201,
        Role.LEGAL: 201,
        Role.COUNSEL: 201,
        Role.FINANCE: 403,
        Role.MANAGEMENT: 403,
    },
    "record_payment": {  # finance records, the others report (pending)
        Role.ADMIN: 201,
        Role.LEGAL: 201,
        Role.COUNSEL: 201,
        Role.FINANCE: 201,
        Role.MANAGEMENT: 403,
    },
    "read_case": dict.fromkeys(Role, 200),
}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("action", list(WRITES))
def test_role_capabilities(
    client, session, make_firm, make_creditor, make_case, api_user, role, action
):
    firm = make_firm()
    case = make_case(firm=firm)
    _user, headers = api_user(role, firm=firm if role == Role.COUNSEL else None)
    request = {
        "create_case": ("post", "/api/v1/cases", _json_body(case_payload(make_creditor().id))),
        "log_event": ("post", f"/api/v1/cases/{case.id}/events", EVENT),
        "record_payment": ("post", f"/api/v1/cases/{case.id}/payments", PAYMENT),
        "read_case": ("get", f"/api/v1/cases/{case.id}", None),
    }[action]
    method, url, body = request
    before = _counts(session)
    response = getattr(client, method)(url, headers=headers, json=body)
    expected = WRITES[action][role]
    assert response.status_code == expected, response.get_json()
    after = _counts(session)
    if expected == 403:
        assert _error(response, 403)["message"] == "您无权执行此操作。"
        assert after == before  # nothing was written
    elif action != "read_case":
        grown = {"create_case": "cases", "log_event": "events", "record_payment": "payments"}
        assert after[grown[action]] > before[grown[action]]


def _counts(session) -> dict[str, int]:
    return {
        name: len(session.exec(select(model.id)).all())
        for name, model in (("cases", Case), ("events", Event), ("payments", Payment))
    }


# ---- creating things ----------------------------------------------------------------------


def test_create_case_stores_it_and_answers_with_the_case(client, session, api_user, make_creditor):
    user, headers = api_user(Role.LEGAL)
    creditor = make_creditor()
    payload = _json_body(case_payload(creditor.id))
    payload["claims"][0]["principal"] = "98765.4"
    payload.update(
        external_ref="ERP-77",
        tags=["重点", "担保"],
        risk_level="high",
        guarantors=[
            {
                "party": {"kind": "company", "name": "担保有限公司", "uscc": valid_uscc()},
                "limit_amount": "50000",
            }
        ],
        evidence=[{"kind": "iou", "title": "欠条原件", "is_original": True}],
    )
    response = client.post("/api/v1/cases", headers=headers, json=payload)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/cases/{body['id']}"

    case = session.get(Case, body["id"])
    assert case is not None
    assert case.created_by_id == user.id
    assert case.claimed_principal == Decimal("98765.40")
    assert session.exec(select(Claim.principal).where(Claim.case_id == case.id)).all() == [
        Decimal("98765.40")
    ]

    assert body["number"] == case.number
    assert body["claims"][0]["principal"] == "98765.40"
    assert body["principal"] == "98765.40"
    assert body["outstanding"] == "98765.40"
    assert body["guarantors"][0]["party"]["name"] == "担保有限公司"
    assert body["guarantors"][0]["limit_amount"] == "50000.00"
    assert body["evidence"][0]["title"] == "欠条原件"
    assert sorted(body["tags"]) == ["担保", "重点"]
    assert body["stage"] == "intake"
    assert body["stage_label"] == "移交立案"
    assert body["claims"][0]["due_date"] == "2025-06-30"
    assert body["overdue_days"] > 0

    again = client.get(response.headers["Location"], headers=headers)
    assert again.status_code == 200
    assert again.get_json()["id"] == body["id"]


def test_log_event_on_own_case_as_counsel(client, session, make_firm, make_case, api_user):
    firm = make_firm()
    case = make_case(firm=firm)
    counsel, headers = api_user(Role.COUNSEL, firm=firm)
    response = client.post(f"/api/v1/cases/{case.id}/events", headers=headers, json=EVENT)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    event = session.get(Event, body["id"])
    assert event.case_id == case.id
    assert event.actor_id == counsel.id
    assert event.kind == EventKind.CONTACT
    assert body["promised_amount"] == "5000.00"
    assert body["promised_date"] == "2025-07-31"
    # A naive time is Beijing time: 10:00 there is 02:00 UTC.
    assert datetime.fromisoformat(body["occurred_at"]) == datetime(2025, 7, 1, 2, 0, tzinfo=UTC)


def test_record_payment_updates_the_totals(client, session, make_case, api_user):
    case = make_case()
    finance, headers = api_user(Role.FINANCE)
    response = client.post(f"/api/v1/cases/{case.id}/payments", headers=headers, json=PAYMENT)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["amount"] == "1234.50"
    assert body["received_on"] == "2025-07-15"
    payment = session.get(Payment, body["id"])
    assert payment.amount == Decimal("1234.50")
    assert payment.recorded_by_id == finance.id

    detail = client.get(f"/api/v1/cases/{case.id}", headers=headers).get_json()
    assert detail["recovered"] == "1234.50"
    assert detail["outstanding"] == "118765.50"
    assert [p["id"] for p in detail["payments"]] == [payment.id]
    assert detail["payments"][0]["status"] == "confirmed"
    assert [e["kind"] for e in detail["events"] if e["payment_id"] == payment.id] == ["payment"]


def test_audit_trail_records_the_token_user(client, session, api_user, make_creditor):
    user, headers = api_user(Role.LEGAL)
    payload = _json_body(case_payload(make_creditor().id))
    case_id = client.post("/api/v1/cases", headers=headers, json=payload).get_json()["id"]
    event_id = client.post(
        f"/api/v1/cases/{case_id}/events", headers=headers, json=EVENT
    ).get_json()["id"]
    payment_id = client.post(
        f"/api/v1/cases/{case_id}/payments", headers=headers, json=PAYMENT
    ).get_json()["id"]
    for entity, entity_id in (("case", case_id), ("event", event_id), ("payment", payment_id)):
        entry = session.exec(
            select(AuditEntry).where(
                AuditEntry.entity == entity,
                AuditEntry.entity_id == entity_id,
                AuditEntry.action == AuditAction.CREATE,
            )
        ).one()
        assert entry.actor_id == user.id
        assert entry.case_id == case_id


# ---- validation and malformed requests ----------------------------------------------------


def test_validation_errors_name_fields_in_chinese(client, session, api_user, make_creditor):
    _user, headers = api_user(Role.LEGAL)
    payload = _json_body(case_payload(make_creditor().id))
    payload["claims"][0]["principal"] = "0"
    payload["debtor"]["uscc"] = "911100000000000001"
    response = client.post("/api/v1/cases", headers=headers, json=payload)
    error = _error(response, 422)
    assert error["message"] == "部分字段无效。"
    assert error["fields"]["claims.0.principal"] == ["须大于 0"]
    assert error["fields"]["debtor.uscc"] == ["统一社会信用代码无效（校验位错误）"]
    assert session.exec(select(Case.id)).all() == []


def test_validation_errors_in_english(client, api_user, make_creditor):
    _user, headers = api_user(Role.LEGAL)
    payload = _json_body(case_payload(make_creditor().id))
    payload["claims"][0]["principal"] = "0"
    del payload["debtor"]["name"]
    response = client.post(
        "/api/v1/cases", json=payload, headers={**headers, "Accept-Language": "en-US,en;q=0.9"}
    )
    error = _error(response, 422)
    assert error["message"] == "Some fields are invalid."
    assert error["fields"]["claims.0.principal"] == ["Must be greater than 0"]
    assert error["fields"]["debtor.name"] == ["This field is required"]


def test_event_and_payment_rules_come_back_per_field(client, session, make_case, api_user):
    case = make_case()
    _user, headers = api_user(Role.LEGAL)
    no_channel = {**EVENT, "channel": None}
    error = _error(
        client.post(f"/api/v1/cases/{case.id}/events", headers=headers, json=no_channel), 422
    )
    assert error["fields"] == {"channel": ["请选择联系方式"]}
    future = {**PAYMENT, "received_on": "2999-01-01", "amount": "-5"}
    error = _error(
        client.post(f"/api/v1/cases/{case.id}/payments", headers=headers, json=future), 422
    )
    assert error["fields"]["received_on"] == ["收款日期不能晚于今天"]
    assert error["fields"]["amount"] == ["须大于 0"]
    assert session.exec(select(Payment.id)).all() == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", 400),
        (b"", 400),
        (b"\xff\xfe", 400),
        (b"[1, 2]", 422),
        (b"null", 422),
        (b'"text"', 422),
        (b'{"claims": "many"}', 422),
        (b'{"debtor": [], "claims": [1], "creditor_id": "x", "tags": {"a": 1}}', 422),
        (b'{"creditor_id": 1e999, "claims": [{"principal": "NaN"}]}', 422),
    ],
)
def test_malformed_bodies_answer_json_never_500(client, api_user, body, code):
    _user, headers = api_user(Role.LEGAL)
    response = client.post(
        "/api/v1/cases", data=body, headers=headers, content_type="application/json"
    )
    _error(response, code)


def test_bad_query_parameters_are_422(client, api_user):
    _user, headers = api_user(Role.LEGAL)
    response = client.get("/api/v1/cases?page=0&stage=nowhere", headers=headers)
    error = _error(response, 422)
    assert set(error["fields"]) == {"page", "stage"}


def test_list_pages_and_filters(client, make_case, api_user):
    _user, headers = api_user(Role.LEGAL)
    cases = [make_case() for _ in range(3)]
    first = client.get("/api/v1/cases?page_size=2", headers=headers).get_json()
    second = client.get("/api/v1/cases?page_size=2&page=2", headers=headers).get_json()
    assert (first["total"], first["page_size"], len(first["items"])) == (3, 2, 2)
    assert (second["page"], len(second["items"])) == (2, 1)
    ids = {item["id"] for item in first["items"] + second["items"]}
    assert ids == {case.id for case in cases}
    found = client.get(
        "/api/v1/cases", headers=headers, query_string={"q": cases[1].number}
    ).get_json()
    assert [item["id"] for item in found["items"]] == [cases[1].id]
    assert found["items"][0]["principal"] == "120000.00"


def test_list_row_and_detail_agree(client, session, make_firm, make_user, make_case, api_user):
    firm = make_firm("和信律师事务所")
    handler = make_user(Role.LEGAL, name="王承办")
    case = make_case(firm=firm, handler_id=handler.id, tags=["重点"], risk_level="high")
    _user, headers = api_user(Role.LEGAL)
    row = client.get("/api/v1/cases", headers=headers).get_json()["items"][0]
    detail = client.get(f"/api/v1/cases/{case.id}", headers=headers).get_json()
    assert {key: detail[key] for key in row} == row
    assert (row["firm_name"], row["handler_name"], row["tags"]) == (
        "和信律师事务所",
        "王承办",
        ["重点"],
    )
    assert row["due_date"] == "2025-06-30"
    due = date(2025, 6, 30)
    assert row["aging"] == bucket_for(due, today()).value
    assert row["overdue_days"] == (today() - due).days
    assert row["debtor_identifier"] == detail["debtor"]["uscc"]


def test_list_page_size_defaults_to_the_setting_and_sorts(app, client, make_case, api_user):
    app.config["PAGE_SIZE"] = 2
    _user, headers = api_user(Role.LEGAL)
    small = make_case(
        claims=[
            {
                "contract_ref": "S-1",
                "contract_title": "借款合同",
                "principal": "10.00",
                "due_date": "2025-01-01",
            }
        ]
    )
    [make_case() for _ in range(2)]
    body = client.get("/api/v1/cases?sort=principal&order=asc", headers=headers).get_json()
    assert (body["page_size"], body["total"], len(body["items"])) == (2, 3, 2)
    assert body["items"][0]["id"] == small.id
    assert body["items"][0]["principal"] == "10.00"


# ---- the OpenAPI document -----------------------------------------------------------------


def _openapi(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def test_document_and_url_map_list_the_same_routes(app, client):
    served = {
        (method.lower(), re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (method, path) for path, item in _openapi(client)["paths"].items() for method in item
    }
    assert served == documented
    assert ("post", "/api/v1/cases/{case_id}/payments") in served
    assert all(path.startswith("/api/v1/") for _method, path in served)


def test_document_is_valid_openapi(client):
    doc = _openapi(client)
    validate_spec(doc)
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert doc["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    listing = doc["paths"]["/api/v1/cases"]["get"]
    assert {"page", "page_size", "stage", "q"} <= {p["name"] for p in listing["parameters"]}
    assert listing["responses"]["401"] == {"$ref": "#/components/responses/E401"}


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/api/v1/cases", CaseCreate),
        ("/api/v1/cases/{case_id}/events", EventCreate),
        ("/api/v1/cases/{case_id}/payments", PaymentCreate),
    ],
)
def test_request_bodies_are_the_domain_models(client, path, model):
    doc = _openapi(client)
    ref = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema = doc["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    assert set(schema["properties"]) == set(model.model_fields)
    assert set(schema.get("required", [])) == {
        name for name, field in model.model_fields.items() if field.is_required()
    }


def test_responses_match_their_documented_schemas(client, make_case, api_user):
    case = make_case()
    _user, headers = api_user(Role.LEGAL)
    doc = _openapi(client)
    client.post(f"/api/v1/cases/{case.id}/payments", headers=headers, json=PAYMENT)
    client.post(f"/api/v1/cases/{case.id}/events", headers=headers, json=EVENT)
    checks = [
        ("get", "/api/v1/cases", "/api/v1/cases?page_size=5", None, "200"),
        ("get", "/api/v1/cases/{case_id}", f"/api/v1/cases/{case.id}", None, "200"),
        ("post", "/api/v1/cases/{case_id}/events", f"/api/v1/cases/{case.id}/events", EVENT, "201"),
        (
            "post",
            "/api/v1/cases/{case_id}/payments",
            f"/api/v1/cases/{case.id}/payments",
            PAYMENT,
            "201",
        ),
        ("get", "/api/v1/cases/{case_id}", "/api/v1/cases/999999", None, "404"),
        (
            "post",
            "/api/v1/cases/{case_id}/payments",
            f"/api/v1/cases/{case.id}/payments",
            {"amount": "x"},
            "422",
        ),
    ]
    for method, template, url, body, status in checks:
        response = getattr(client, method)(url, headers=headers, json=body)
        assert str(response.status_code) == status, (url, response.get_json())
        documented = doc["paths"][template][method]["responses"][status]
        if "$ref" in documented:
            documented = doc["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
        schema = {
            **documented["content"]["application/json"]["schema"],
            "components": doc["components"],
        }
        OAS31Validator(schema).validate(response.get_json())
