"""Plans the demo cases: parties, claims, evidence and the path of each case, all drawn
from one ``random.Random(seed)``; ``History`` adds what happens to each case."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from cases.base import today
from cases.demo.data import (
    BRANDS,
    CITIES,
    COMPANY_FORMS,
    CONTRACTS,
    CREDITOR_WEIGHTS,
    CREDITORS,
    DWELL,
    FIRM_COUNSEL,
    GIVEN,
    LEGAL,
    MAX_AGE_DAYS,
    MOBILE_PREFIXES,
    PATHS,
    STAGE_WEIGHTS,
    STREETS,
    SURNAMES,
    TITLES,
    TRADES,
)
from cases.demo.history import History
from cases.demo.identities import make_ric, make_uscc
from cases.demo.plan import CasePlan, _at, _CaseContext, _yuan
from cases.register.stages import Action, Stage, next_stage

A = Action


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


class Planner:
    """Draws every case from one random generator; no database access."""

    def __init__(
        self, rng: random.Random, last_day: date, terms: random.Random | None = None
    ) -> None:
        self.rng = rng
        self.last_day = last_day  # nothing happens after this business day
        self.companies: list[dict[str, Any]] = []
        self.serials: set[int] = set()
        self.names: set[str] = set()
        self.person_ids: set[str] = set()
        self.refs = 0
        self.history = History(rng, last_day, terms)  # same generator: one sequence of draws

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
            recovery=self.history.recovery(stage),
        )
        self.history.draw(ctx, actions, dwell, engage_at)
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


def plan_cases(count: int, *, seed: int = 2026, last_day: date | None = None) -> list[CasePlan]:
    """All demo cases as plain values, in order of transfer; the same seed gives the same plan."""
    rng = random.Random(seed)  # reproducible demo data, not security
    terms = random.Random(f"{seed}/engagement terms")  # a str seed is hashed with SHA-512
    planner = Planner(rng, last_day or today() - timedelta(days=1), terms)
    stages = [stage for stage, n in stage_quota(count).items() for _ in range(n)]
    rng.shuffle(stages)
    plans = [planner.case(stage) for stage in stages]
    return sorted(plans, key=lambda p: p.created_at)
