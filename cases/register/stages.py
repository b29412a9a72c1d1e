"""The stage machine of a case (WORKFLOW.md, "The path of a case").

Moves are named actions; ``TRANSITIONS`` is the whole table. A case may step back (a broken
repayment agreement returns to litigation) but never jumps where the table has no row.
"""

from __future__ import annotations

from cases.base import StrEnum
from cases.errors import N_, DomainError, Message


class Stage(StrEnum):
    INTAKE = "intake"
    COLLECTION = "collection"
    DEMAND_LETTER = "demand_letter"
    NEGOTIATION = "negotiation"
    PRESERVATION = "preservation"
    LITIGATION = "litigation"
    ENFORCEMENT = "enforcement"
    CLOSED = "closed"
    WRITTEN_OFF = "written_off"


STAGE_LABELS = {
    Stage.INTAKE: N_("Intake"),
    Stage.COLLECTION: N_("Amicable collection"),
    Stage.DEMAND_LETTER: N_("Lawyer's letter"),
    Stage.NEGOTIATION: N_("Repayment agreement"),
    Stage.PRESERVATION: N_("Preservation"),
    Stage.LITIGATION: N_("Litigation"),
    Stage.ENFORCEMENT: N_("Enforcement"),
    Stage.CLOSED: N_("Closed"),
    Stage.WRITTEN_OFF: N_("Written off"),
}


class Action(StrEnum):
    ACCEPT = "accept"
    SEND_LETTER = "send_letter"
    NEGOTIATE = "negotiate"
    PRESERVE = "preserve"
    SUE = "sue"
    ENFORCE = "enforce"
    AGREEMENT_BROKEN = "agreement_broken"
    CLOSE = "close"
    REOPEN = "reopen"
    WRITE_OFF = "write_off"


ACTION_LABELS = {
    Action.ACCEPT: N_("Accept transfer, start collection"),
    Action.SEND_LETTER: N_("Send lawyer's letter"),
    Action.NEGOTIATE: N_("Negotiate repayment agreement"),
    Action.PRESERVE: N_("Apply for property preservation"),
    Action.SUE: N_("File suit or arbitration"),
    Action.ENFORCE: N_("Apply for enforcement"),
    Action.AGREEMENT_BROKEN: N_("Agreement broken: back to litigation"),
    Action.CLOSE: N_("Close the case"),
    Action.REOPEN: N_("Reopen the case"),
    Action.WRITE_OFF: N_("Write off (approved)"),
}

S, A = Stage, Action
_PRE_SUIT = (S.COLLECTION, S.DEMAND_LETTER, S.NEGOTIATION)
_OPEN = (
    S.INTAKE,
    S.COLLECTION,
    S.DEMAND_LETTER,
    S.NEGOTIATION,
    S.PRESERVATION,
    S.LITIGATION,
    S.ENFORCEMENT,
)

TRANSITIONS: dict[tuple[Stage, Action], Stage] = {
    (S.INTAKE, A.ACCEPT): S.COLLECTION,
    (S.COLLECTION, A.SEND_LETTER): S.DEMAND_LETTER,
    (S.COLLECTION, A.NEGOTIATE): S.NEGOTIATION,
    (S.DEMAND_LETTER, A.NEGOTIATE): S.NEGOTIATION,
    **{(s, A.PRESERVE): S.PRESERVATION for s in _PRE_SUIT},
    **{(s, A.SUE): S.LITIGATION for s in (*_PRE_SUIT, S.PRESERVATION)},
    (S.LITIGATION, A.NEGOTIATE): S.NEGOTIATION,  # court mediation or settlement
    (S.NEGOTIATION, A.AGREEMENT_BROKEN): S.LITIGATION,
    (S.LITIGATION, A.ENFORCE): S.ENFORCEMENT,
    (S.NEGOTIATION, A.ENFORCE): S.ENFORCEMENT,  # a mediation statement is enforceable
    (S.ENFORCEMENT, A.NEGOTIATE): S.NEGOTIATION,  # settlement in enforcement (执行和解)
    **{(s, A.CLOSE): S.CLOSED for s in (*_OPEN, S.WRITTEN_OFF)},
    **{(s, A.WRITE_OFF): S.WRITTEN_OFF for s in (*_OPEN[1:], S.CLOSED)},
    (S.CLOSED, A.REOPEN): S.COLLECTION,
}

# Moves that only a completed approval may make (write-offs are approved, never clicked).
APPROVAL_ONLY = frozenset({A.WRITE_OFF})


def next_stage(stage: Stage, action: Action) -> Stage:
    try:
        return TRANSITIONS[(stage, action)]
    except KeyError:
        raise DomainError(
            N_("A case in stage “%(stage)s” cannot “%(action)s”."),
            stage=Message(STAGE_LABELS[stage]),
            action=Message(ACTION_LABELS[action]),
        ) from None


def actions_from(stage: Stage, *, include_approval_only: bool = False) -> list[Action]:
    return [
        action
        for (from_stage, action) in TRANSITIONS
        if from_stage == stage and (include_approval_only or action not in APPROVAL_ONLY)
    ]
