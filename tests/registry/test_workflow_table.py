"""The state machine on its own (no database): every pair, every role, every guard."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import date

import pytest

from dataip.errors import GuardFailed, PermissionDenied, TransitionNotAllowed
from dataip.registry.workflow import (
    SYSTEM,
    TERMINAL,
    TRANSITIONS,
    Action,
    Actor,
    Context,
    Role,
    Status,
    allowed_actions,
    decide,
    may_act,
)

APPLICANT = Actor(user_id=1, roles=frozenset({Role.PUBLIC}), holder_ids=frozenset({10}))
OTHER_APPLICANT = Actor(user_id=2, roles=frozenset({Role.PUBLIC}), holder_ids=frozenset({20}))
EXAMINER = Actor(user_id=3, roles=frozenset({Role.PUBLIC, Role.EXAMINER}))
REGISTRAR = Actor(user_id=4, roles=frozenset({Role.PUBLIC, Role.REGISTRAR}))
PANEL_EXPERT = Actor(user_id=5, roles=frozenset({Role.PUBLIC, Role.EXPERT}))
OTHER_EXPERT = Actor(user_id=6, roles=frozenset({Role.PUBLIC, Role.EXPERT}))
PUBLIC = Actor(user_id=7, roles=frozenset({Role.PUBLIC}))
PLEDGEE = Actor(user_id=8, roles=frozenset({Role.PUBLIC}), holder_ids=frozenset({30}))
ASSIGNEE = Actor(user_id=9, roles=frozenset({Role.PUBLIC}), holder_ids=frozenset({40}))
EXCHANGE = Actor(
    user_id=11, roles=frozenset({Role.PUBLIC, Role.EXCHANGE}), holder_ids=frozenset({50})
)
ANONYMOUS = Actor(user_id=None)
PERSONAS = {
    "applicant": APPLICANT,
    "other_applicant": OTHER_APPLICANT,
    "examiner": EXAMINER,
    "registrar": REGISTRAR,
    "panel_expert": PANEL_EXPERT,
    "other_expert": OTHER_EXPERT,
    "public": PUBLIC,
    "anonymous": ANONYMOUS,
    "pledgee": PLEDGEE,
    "assignee": ASSIGNEE,
    "exchange": EXCHANGE,
    "system": SYSTEM,
}

# Who may take each action (the rules, written out independently of the table).
MAY_ACT: dict[Action, set[str]] = {
    Action.EDIT: {"applicant"},
    Action.SUBMIT: {"applicant"},
    Action.RESUBMIT: {"applicant"},
    Action.WITHDRAW: {"applicant"},
    Action.START_FORMAL_EXAMINATION: {"examiner", "registrar"},
    Action.REQUEST_CORRECTION: {"examiner", "registrar"},
    Action.PASS_FORMAL_EXAMINATION: {"examiner", "registrar"},
    Action.APPROVE: {"examiner", "registrar"},
    Action.REJECT: {"examiner", "registrar"},
    Action.ANNOUNCE: {"examiner", "registrar"},
    Action.DISMISS_OBJECTION: {"examiner", "registrar"},
    Action.UPHOLD_OBJECTION: {"examiner", "registrar"},
    Action.ANSWER_OBJECTION: {"applicant"},
    Action.ASSIGN_EXPERT: {"registrar"},
    Action.RECORD_OPINION: {"panel_expert"},
    Action.FILE_OBJECTION: {
        "other_applicant",
        "examiner",
        "registrar",
        "panel_expert",
        "other_expert",
        "public",
        "pledgee",
        "assignee",
        "exchange",
    },
    Action.CLOSE_PUBLICITY: {"system", "examiner", "registrar"},
    Action.REGISTER: {"system", "examiner", "registrar"},
    Action.DEEM_WITHDRAWN: {"system"},
    Action.EXPIRE: {"system"},
    Action.REQUEST_CHANGE: {"applicant"},
    Action.APPROVE_CHANGE: {"examiner", "registrar"},
    Action.REFUSE_CHANGE: {"examiner", "registrar"},
    Action.PROPOSE_TRANSFER: {"applicant"},
    # The parties still to confirm (the assignee; other joint holders) confirm or decline;
    # the proposer's organisation withdraws.
    Action.AGREE_TO_TRANSFER: {"assignee"},
    Action.CONFIRM_TRANSFER: {"assignee"},
    Action.DECLINE_TRANSFER: {"assignee"},
    Action.CANCEL_TRANSFER: {"applicant"},
    Action.GRANT_LICENCE: {"applicant"},
    Action.END_LICENCE: {"applicant"},
    Action.RECORD_TRADE: {"applicant"},
    Action.PLEDGE: {"applicant"},
    Action.CONSENT: {"pledgee"},
    Action.REQUEST_CONSENT: {"applicant"},
    Action.REFUSE_CONSENT: {"pledgee"},
    Action.RELEASE_PLEDGE: {"pledgee", "registrar"},
    # Any organisation that does not hold the right may register a pledge as pledgee.
    Action.PROPOSE_PLEDGE: {"other_applicant", "pledgee", "assignee", "exchange"},
    Action.CONFIRM_PLEDGE: {"applicant"},
    Action.DECLINE_PLEDGE: {"applicant"},
    Action.RECORD_REVENUE: {"applicant"},
    Action.RECORD_VALUATION: {"applicant", "registrar"},
    Action.RENEW: {"applicant"},
    Action.CANCEL: {"applicant"},
    Action.REVOKE: {"registrar"},
    Action.CORRECT_PARTICULARS: {"registrar"},
    Action.REISSUE_CERTIFICATE: {"registrar"},
    # Members of a verified data exchange only.
    Action.LIST_PRODUCT: {"exchange"},
    Action.UPDATE_LISTING: {"exchange"},
    Action.END_LISTING: {"exchange"},
    # A member of a verified data exchange reports trades and withdraws its reports; a holder
    # disputes them.
    Action.REPORT_TRADE: {"exchange"},
    Action.WITHDRAW_TRADE_REPORT: {"exchange"},
    Action.DISPUTE_TRADE: {"applicant"},
}


def context(status: Status) -> Context:
    """A context in which every guard of ``status`` holds, so only who-checks remain."""
    return Context(
        status=status,
        today=date(2026, 6, 1),
        applicant_holder_ids=frozenset({10}),
        expert_review_required=status != Status.FORMAL_EXAMINATION,
        min_panel_size=1,
        panel={5: True},
        correction_due=date(2026, 6, 10) if status == Status.CORRECTION_REQUESTED else None,
        announcement_ends=date(2026, 6, 10) if status == Status.UNDER_PUBLICITY else None,
        valid_until=date(2026, 5, 1),
        pending_objections=1 if status == Status.OBJECTION_REVIEW else 0,
        proposed_expert_id=6,
        holder_ids=frozenset({10}),
        pledgee_ids=frozenset({30}),
        transfer_assignee_ids=frozenset({40}),
        transfer_proposer_ids=frozenset({10}),
        transfer_waiting_ids=frozenset({40}),
        pledge_proposed=True,
    )


ALL_PAIRS = [(s, a) for s in Status for a in Action]


@pytest.mark.parametrize(("status", "action"), [p for p in ALL_PAIRS if p not in TRANSITIONS])
def test_it_refuses_every_pair_that_is_not_in_the_table(status: Status, action: Action) -> None:
    for actor in PERSONAS.values():
        with pytest.raises(TransitionNotAllowed) as caught:
            decide(context(status), action, actor)
        assert not isinstance(caught.value, GuardFailed)
        assert action.value in str(caught.value)


@pytest.mark.parametrize(("status", "action"), list(TRANSITIONS))
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_persona_matrix(status: Status, action: Action, persona: str) -> None:
    ctx = context(status)
    actor = PERSONAS[persona]
    if persona in MAY_ACT[action]:
        # The persona may act; where it is refused, a guard of this context is the reason.
        with contextlib.suppress(GuardFailed):
            decide(ctx, action, actor)
    else:
        with pytest.raises(PermissionDenied):
            decide(ctx, action, actor)


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS)
def test_who_may_act_matches_the_matrix_whatever_the_condition(
    status: Status, action: Action
) -> None:
    ctx = context(status)
    may = {name for name, actor in PERSONAS.items() if may_act(ctx, action, actor)}
    assert may == (MAY_ACT[action] if (status, action) in TRANSITIONS else set())


def test_a_registrar_may_offer_to_assign_before_an_expert_is_chosen() -> None:
    ctx = Context(status=Status.EXPERT_REVIEW, today=date(2026, 1, 5))  # no proposed expert
    with pytest.raises(GuardFailed):
        decide(ctx, Action.ASSIGN_EXPERT, REGISTRAR)
    assert may_act(ctx, Action.ASSIGN_EXPERT, REGISTRAR)
    assert not may_act(ctx, Action.ASSIGN_EXPERT, EXAMINER)


def test_every_action_has_a_declared_audience() -> None:
    assert set(MAY_ACT) == set(Action)


def test_terminal_states_allow_nothing() -> None:
    for status in TERMINAL:
        for actor in PERSONAS.values():
            assert allowed_actions(context(status), actor) == []


def test_it_refuses_submission_of_an_incomplete_application_and_says_what_is_missing() -> None:
    ctx = Context(
        status=Status.DRAFT,
        today=date(2026, 1, 5),
        applicant_holder_ids=frozenset({10}),
        missing=("name", "materials.application_form"),
    )
    with pytest.raises(GuardFailed, match=r"name, materials\.application_form"):
        decide(ctx, Action.SUBMIT, APPLICANT)


def test_the_decision_must_follow_the_panel() -> None:
    base = dict(status=Status.EXPERT_REVIEW, today=date(2026, 1, 5), min_panel_size=3)
    split = Context(**base, panel={1: True, 2: False, 3: True})  # type: ignore[arg-type]
    assert decide(split, Action.APPROVE, EXAMINER).to == Status.APPROVED
    with pytest.raises(GuardFailed, match="majority"):
        decide(split, Action.REJECT, EXAMINER)
    pending = Context(**base, panel={1: True, 2: None, 3: True})  # type: ignore[arg-type]
    with pytest.raises(GuardFailed, match="Not every expert"):
        decide(pending, Action.APPROVE, EXAMINER)
    small = Context(**base, panel={1: True, 2: True})  # type: ignore[arg-type]
    with pytest.raises(GuardFailed, match="at least 3"):
        decide(small, Action.APPROVE, EXAMINER)
    tie = Context(**{**base, "min_panel_size": 2}, panel={1: True, 2: False})  # type: ignore[arg-type]
    assert decide(tie, Action.REJECT, EXAMINER).to == Status.REJECTED


def test_objections_only_while_the_announcement_runs() -> None:
    running = Context(
        status=Status.UNDER_PUBLICITY, today=date(2026, 1, 10), announcement_ends=date(2026, 1, 10)
    )
    assert decide(running, Action.FILE_OBJECTION, PUBLIC).to == Status.UNDER_PUBLICITY
    over = Context(
        status=Status.UNDER_PUBLICITY, today=date(2026, 1, 11), announcement_ends=date(2026, 1, 10)
    )
    with pytest.raises(GuardFailed, match="over"):
        decide(over, Action.FILE_OBJECTION, PUBLIC)
    assert decide(over, Action.REGISTER, SYSTEM).to == Status.REGISTERED
    with pytest.raises(GuardFailed):
        decide(running, Action.REGISTER, SYSTEM)


def test_a_conflicted_expert_cannot_be_assigned() -> None:
    ctx = Context(
        status=Status.EXPERT_REVIEW,
        today=date(2026, 1, 5),
        proposed_expert_id=9,
        proposed_expert_conflicted=True,
    )
    with pytest.raises(GuardFailed, match="conflict of interest"):
        decide(ctx, Action.ASSIGN_EXPERT, REGISTRAR)


def test_formal_only_regimes_approve_after_formal_examination() -> None:
    formal_only = Context(
        status=Status.FORMAL_EXAMINATION, today=date(2026, 1, 5), expert_review_required=False
    )
    assert decide(formal_only, Action.APPROVE, EXAMINER).to == Status.APPROVED
    with pytest.raises(GuardFailed):
        decide(formal_only, Action.PASS_FORMAL_EXAMINATION, EXAMINER)


def test_a_transfer_takes_effect_with_the_last_partys_confirmation() -> None:
    joint = Actor(user_id=11, roles=frozenset({Role.PUBLIC}), holder_ids=frozenset({20}))
    base = Context(
        status=Status.REGISTERED,
        today=date(2026, 6, 1),
        holder_ids=frozenset({10, 20}),
        transfer_assignee_ids=frozenset({40}),
        transfer_proposer_ids=frozenset({10}),
    )
    both = replace(base, transfer_waiting_ids=frozenset({20, 40}))
    assert decide(both, Action.AGREE_TO_TRANSFER, joint).then == ()
    with pytest.raises(GuardFailed, match="Other parties"):
        decide(both, Action.CONFIRM_TRANSFER, ASSIGNEE)
    with pytest.raises(PermissionDenied):  # the proposer does not confirm its own proposal
        decide(both, Action.AGREE_TO_TRANSFER, APPLICANT)
    last = replace(base, transfer_waiting_ids=frozenset({40}))
    assert decide(last, Action.CONFIRM_TRANSFER, ASSIGNEE).then
    with pytest.raises(GuardFailed, match="completes"):
        decide(last, Action.AGREE_TO_TRANSFER, ASSIGNEE)
    with pytest.raises(PermissionDenied):  # Beta confirmed already: it may no longer decline
        decide(last, Action.DECLINE_TRANSFER, joint)
    pledged = replace(last, pledgee_ids=frozenset({30}))
    with pytest.raises(GuardFailed, match="pledgee must consent"):
        decide(pledged, Action.CONFIRM_TRANSFER, ASSIGNEE)
    assert decide(pledged, Action.CANCEL_TRANSFER, APPLICANT).to == Status.REGISTERED
