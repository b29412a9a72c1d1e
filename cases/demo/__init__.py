"""Demonstration data for ``flask --app webapp demo load``.

A bank with two branches and an industrial group with a subsidiary as creditors, three law
firms with two lawyers each, users of every role, and a few hundred cases spread over every
stage, with their debtors, guarantors, claims, evidence, tags, collection records, court
progress and payments.

The data is first *planned* as plain values drawn from one ``random.Random(seed)``
(``plan_cases``), then *loaded* through the domain operations (``create_user``, ``add_firm``,
``add_creditor``, ``create_case``, ``update_case``, ``move_stage``, ``log_event``,
``record_payment``), case by case in order of transfer date, so that the audit trail, the
timelines, the case numbers and the derived totals are the real thing.

Back-dating: while the data loads, a demo clock (a ``before_flush`` listener on this session
only) stamps what the operations would stamp with "now" (``created_at``, ``recorded_at``,
``updated_at``, ``last_activity_at``, the time of stage moves) with the planned moment of each
step instead, as the row is first flushed. So every case has a chronological history in the
past and no row is rewritten afterwards. Audit entries keep the real time of loading: they
record when the data entered the system.

The package: ``data`` holds the fixed tables, ``identities`` the check-digit numbers,
``plan`` the planned values, ``planner`` and ``history`` draw them, ``load`` loads them.
"""

from cases.demo.data import DEMO_PASSWORD, EMAIL_DOMAIN, STAGE_WEIGHTS
from cases.demo.load import load_demo
from cases.demo.planner import plan_cases, stage_quota

__all__ = [
    "DEMO_PASSWORD",
    "EMAIL_DOMAIN",
    "STAGE_WEIGHTS",
    "load_demo",
    "plan_cases",
    "stage_quota",
]
