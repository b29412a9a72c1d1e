"""What happens to each planned case, day by day: moves, contacts, progress reports in
court and payments, drawn from the planner's random generator; no database access."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from cases.demo.data import (
    CONTACTS,
    COURT_WORK,
    FIRM_COUNSEL,
    FIRMS,
    MOVE_NOTES,
    NOTES,
    UNREACHABLE,
)
from cases.demo.plan import Step, _at, _CaseContext, _cn_date, _yuan
from cases.demo.terms import engagement_terms
from cases.register.stages import Action, Stage

A = Action


class History:
    """Draws the dated history of one case at a time; shares the planner's generator."""

    def __init__(
        self, rng: random.Random, last_day: date, terms: random.Random | None = None
    ) -> None:
        self.rng = rng
        self.last_day = last_day  # nothing happens after this business day
        # The engagements' fee terms come from a generator of their own, so that they can
        # change without changing anything else the plan draws.
        self.terms = terms or random.Random(0)

    def draw(
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
                terms = engagement_terms(self.terms, action, plan.principal, end)
                plan.steps.append(
                    Step(
                        _at(end, 9, rng.randint(0, 29)),
                        plan.handler,
                        "engage",
                        {"firm": plan.firm, "lead": ctx.counsel, **terms},
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

    def recovery(self, stage: Stage) -> float | None:
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
