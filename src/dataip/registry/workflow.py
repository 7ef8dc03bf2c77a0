r"""THE registration workflow (登记流程): every state, every action, who may act, and when.

This module is the one place where the registry's procedure is decided. It is pure Python
(no Django), so it reads top to bottom against the rules and its tests run in milliseconds.
The service layer (``registry.services``) snapshots an application into a :class:`Context`,
asks :func:`decide` for the :class:`Rule`, then performs the rule's effects and records the
event in one database transaction. What follows a transition once it has committed (a new
certificate version) is declared here too, as the rule's :class:`Consequence`\ s, and so is
who is told: the rule's :class:`Notice`\ s, written with the event (recipients and text:
:mod:`dataip.registry.notices`). Every public event (an action its service records with
``public=True``) of an application in :data:`PUBLIC_STATUSES` is also delivered to the webhook
subscribers: their deliveries are written with the event, in its transaction, and sent after
the commit (:mod:`dataip.registry.webhooks`; the feeds read the same events). Every
transition also keeps the statistics cells in step with what the application now contributes
to the bulletin (submission, registration, records after it, pledges that stood), in its
transaction (:mod:`dataip.registry.rollup`).

The procedure::

    draft ─submit→ submitted ─start formal examination→ formal_examination
      formal_examination ─request correction→ correction_requested (deadline per regime)
          correction_requested ─resubmit→ submitted
          correction_requested ─(deadline passed, tick)→ withdrawn        (deemed withdrawn)
      formal_examination ─pass→ expert_review            (regimes with substantive review)
      formal_examination ─approve→ approved              (formal-only regimes)
      formal_examination ─reject→ rejected
      expert_review: registrar assigns experts, each expert records an opinion;
          ─approve→ approved / ─reject→ rejected      (the decision must follow the panel)
      approved ─announce→ under_publicity (length per regime); anyone may object meanwhile;
          the holder answers each objection in writing before the examiner decides it, who
          decides within the regime's limit (the queues flag it when due soon or overdue)
      under_publicity ─(period over, no pending objection)→ registered
      under_publicity ─(period over, objections pending)→ objection_review
      under_publicity / objection_review ─uphold objection→ rejected
      objection_review ─(last objection dismissed)→ registered
      registered ─(validity ended, tick)→ expired
    The applicant may withdraw at any point before approval. rejected, withdrawn: terminal.

After registration (登记后) the right's life is recorded on the registered application:
changes (examined where the regime says so), transfers (the assignee and every other joint
holder confirm; any of them may decline, the proposer may withdraw), licences,
trades, pledges and their release, service revenue, valuations and renewal; the holder may
cancel (注销) and the registry may revoke (撤销), correct an obvious error in the particulars
(更正) or re-issue the certificate (补发/换发). While a pledge stands, a transfer, an
exclusive licence or a cancellation needs the pledgee's consent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from dataip.errors import (
    GuardFailed,
    Message,
    PermissionDenied,
    TransitionNotAllowed,
    gettext_noop,
)


class Status(StrEnum):
    """Where an application stands (申请状态)."""

    DRAFT = "draft"  # 草稿
    SUBMITTED = "submitted"  # 已提交，待形式审查
    FORMAL_EXAMINATION = "formal_examination"  # 形式审查中
    CORRECTION_REQUESTED = "correction_requested"  # 待补正
    EXPERT_REVIEW = "expert_review"  # 专家实质审查中
    APPROVED = "approved"  # 审查通过，待公示
    UNDER_PUBLICITY = "under_publicity"  # 公示中
    OBJECTION_REVIEW = "objection_review"  # 异议审查中
    REGISTERED = "registered"  # 已登记
    EXPIRED = "expired"  # 已届满
    REJECTED = "rejected"  # 不予登记
    WITHDRAWN = "withdrawn"  # 已撤回 / 视为撤回
    CANCELLED = "cancelled"  # 已注销
    REVOKED = "revoked"  # 已撤销


TERMINAL = frozenset(
    {Status.REJECTED, Status.WITHDRAWN, Status.EXPIRED, Status.CANCELLED, Status.REVOKED}
)
PUBLIC_STATUSES = frozenset(
    {
        Status.UNDER_PUBLICITY,
        Status.OBJECTION_REVIEW,
        Status.REGISTERED,
        Status.EXPIRED,
        Status.CANCELLED,
        Status.REVOKED,
    }
)
"""Statuses in which an application is public: nothing is shown before its announcement."""


class Action(StrEnum):
    """What someone can do to an application (操作)."""

    EDIT = "edit"
    SUBMIT = "submit"
    START_FORMAL_EXAMINATION = "start_formal_examination"
    REQUEST_CORRECTION = "request_correction"
    RESUBMIT = "resubmit"
    PASS_FORMAL_EXAMINATION = "pass_formal_examination"
    ASSIGN_EXPERT = "assign_expert"
    RECORD_OPINION = "record_opinion"
    APPROVE = "approve"
    REJECT = "reject"
    ANNOUNCE = "announce"
    FILE_OBJECTION = "file_objection"
    ANSWER_OBJECTION = "answer_objection"
    DISMISS_OBJECTION = "dismiss_objection"
    UPHOLD_OBJECTION = "uphold_objection"
    CLOSE_PUBLICITY = "close_publicity"
    REGISTER = "register"
    WITHDRAW = "withdraw"
    DEEM_WITHDRAWN = "deem_withdrawn"
    EXPIRE = "expire"
    # After registration
    REQUEST_CHANGE = "request_change"
    APPROVE_CHANGE = "approve_change"
    REFUSE_CHANGE = "refuse_change"
    PROPOSE_TRANSFER = "propose_transfer"
    CONFIRM_TRANSFER = "confirm_transfer"
    CANCEL_TRANSFER = "cancel_transfer"
    AGREE_TO_TRANSFER = "agree_to_transfer"
    DECLINE_TRANSFER = "decline_transfer"
    GRANT_LICENCE = "grant_licence"
    END_LICENCE = "end_licence"
    RECORD_TRADE = "record_trade"
    PLEDGE = "pledge"
    CONSENT = "consent"
    REQUEST_CONSENT = "request_consent"
    REFUSE_CONSENT = "refuse_consent"
    RELEASE_PLEDGE = "release_pledge"
    PROPOSE_PLEDGE = "propose_pledge"
    CONFIRM_PLEDGE = "confirm_pledge"
    DECLINE_PLEDGE = "decline_pledge"
    RECORD_REVENUE = "record_revenue"
    RECORD_VALUATION = "record_valuation"
    RENEW = "renew"
    CANCEL = "cancel"
    REVOKE = "revoke"
    # The registrar on a registered right (登记管理员)
    CORRECT_PARTICULARS = "correct_particulars"
    REISSUE_CERTIFICATE = "reissue_certificate"
    # A data exchange on a registered right (数据交易所挂牌)
    LIST_PRODUCT = "list_product"
    UPDATE_LISTING = "update_listing"
    END_LISTING = "end_listing"
    # Trade reports by a data exchange (交易所交易报送)
    REPORT_TRADE = "report_trade"
    WITHDRAW_TRADE_REPORT = "withdraw_trade_report"
    DISPUTE_TRADE = "dispute_trade"


class Role(StrEnum):
    """Roles a person (or the registry's clock) can act in."""

    APPLICANT = "applicant"  # 申请人 (a member of the filing holder or of a holder)
    EXAMINER = "examiner"  # 审查员
    REGISTRAR = "registrar"  # 登记管理员
    EXPERT = "expert"  # 评审专家
    EXCHANGE = "exchange"  # 数据交易所 (a member of a verified data exchange)
    PUBLIC = "public"  # 社会公众 (any signed-in person)
    SYSTEM = "system"  # 系统 (dataip tick)


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user with roles, or the system clock."""

    user_id: int | None
    roles: frozenset[Role] = frozenset()
    holder_ids: frozenset[int] = frozenset()
    """The holders this actor acts for (may file, confirm, consent... for)."""
    label: str = ""
    viewing_holder_ids: frozenset[int] = frozenset()
    """Holders whose records this actor may see without acting for them: a read-only member
    (只读成员) of an organisation. Every rule that lets a holder act reads ``holder_ids`` only."""

    @property
    def sees_holder_ids(self) -> frozenset[int]:
        """The holders whose own records this actor may read: those it acts for and views."""
        return self.holder_ids | self.viewing_holder_ids

    @property
    def is_system(self) -> bool:
        """True for the registry's own clock (``dataip tick``)."""
        return Role.SYSTEM in self.roles


SYSTEM = Actor(user_id=None, roles=frozenset({Role.SYSTEM}), label="system")


@dataclass(frozen=True)
class Context:
    """A snapshot of one application: everything the rules look at, and nothing else."""

    status: Status
    today: date
    applicant_holder_ids: frozenset[int] = frozenset()
    expert_review_required: bool = True
    min_panel_size: int = 3
    panel: Mapping[int, bool | None] = field(default_factory=dict)
    """Assigned experts (user id) and their opinion: True approve, False reject, None pending."""
    missing: tuple[str, ...] = ()
    """What the application still lacks before it can be submitted (field or material names)."""
    unverified_holders: tuple[str, ...] = ()
    """Names of the organisations on the applicant's side whose identity is not verified yet
    (主体认证): they may draft, not submit."""
    correction_due: date | None = None
    announcement_ends: date | None = None
    valid_until: date | None = None
    pending_objections: int = 0
    proposed_expert_id: int | None = None
    proposed_expert_conflicted: bool = False
    proposed_expert_is_expert: bool = True
    # After registration
    holder_ids: frozenset[int] = frozenset()
    """The current holders of the registered right (after any transfer)."""
    pledgee_ids: frozenset[int] = frozenset()
    """Holders (banks, creditors) with a pledge that stands."""
    consents: frozenset[str] = frozenset()
    """Purposes every standing pledge's pledgee has consented to (unused consents)."""
    renewal_opens: date | None = None
    pending_change: bool = False
    transfer_assignee_ids: frozenset[int] | None = None
    """The assignee of a proposed transfer waiting for confirmation (None: no proposal)."""
    transfer_proposer_ids: frozenset[int] = frozenset()
    """The holder that proposed the pending transfer (it may withdraw it)."""
    transfer_waiting_ids: frozenset[int] = frozenset()
    """The parties to the pending transfer (the assignee, the other joint holders) that have
    not confirmed it yet."""
    licence_conflict: str = ""
    """Why the proposed licence collides with one in force (empty: no collision)."""
    exclusive: bool = False
    """The proposed licence is exclusive or sole."""
    pledge_proposed: bool = False
    """The pledge a holder confirms or declines is still waiting for that (under the lock)."""
    reported_transfer: bool = False
    """The trade an exchange reports is a transfer of the right (it proposes the transfer)."""


Who = Callable[[Actor, Context], bool]
Guard = Callable[[Context], Message | None]


# ── who may act ────────────────────────────────────────────────────────────────────────


def applicant(actor: Actor, ctx: Context) -> bool:
    """A member of the holder that filed the application, or of one of its holders."""
    return bool(actor.holder_ids & ctx.applicant_holder_ids)


def examiner(actor: Actor, ctx: Context) -> bool:
    """An examiner, or a registrar (who may do all an examiner does)."""
    return bool(actor.roles & {Role.EXAMINER, Role.REGISTRAR})


def registrar(actor: Actor, ctx: Context) -> bool:
    """A registrar: assigns experts."""
    return Role.REGISTRAR in actor.roles


def panel_expert(actor: Actor, ctx: Context) -> bool:
    """An expert assigned to this application's panel."""
    return Role.EXPERT in actor.roles and actor.user_id in ctx.panel


def third_party(actor: Actor, ctx: Context) -> bool:
    """Any signed-in person who is not on the applicant's side: may file an objection."""
    return (
        actor.user_id is not None
        and not actor.is_system
        and not actor.sees_holder_ids & ctx.applicant_holder_ids
    )


def right_holder(actor: Actor, ctx: Context) -> bool:
    """A member of a current holder of the registered right."""
    return bool(actor.holder_ids & ctx.holder_ids)


def transfer_party(actor: Actor, ctx: Context) -> bool:
    """A member of a party to the proposed transfer that has not confirmed it yet: the assignee
    or another joint holder."""
    return bool(actor.holder_ids & ctx.transfer_waiting_ids)


def transfer_proposer(actor: Actor, ctx: Context) -> bool:
    """A member of the holder that proposed the transfer."""
    return bool(actor.holder_ids & ctx.transfer_proposer_ids)


def pledgee(actor: Actor, ctx: Context) -> bool:
    """A member of a pledgee whose pledge stands."""
    return bool(actor.holder_ids & ctx.pledgee_ids)


def outside_lender(actor: Actor, ctx: Context) -> bool:
    """A member of an organisation that does not hold the right: may propose a pledge."""
    return bool(actor.holder_ids) and not actor.holder_ids & ctx.holder_ids


def exchange(actor: Actor, ctx: Context) -> bool:
    """A member of a verified data exchange (数据交易所): lists products, reports trades."""
    return Role.EXCHANGE in actor.roles


def system(actor: Actor, ctx: Context) -> bool:
    """The registry's clock."""
    return actor.is_system


def either(*whos: Who) -> Who:
    """Any of several kinds of actor."""

    def who(actor: Actor, ctx: Context) -> bool:
        return any(w(actor, ctx) for w in whos)

    who.__doc__ = " or ".join((w.__doc__ or w.__name__).split(":")[0] for w in whos)
    return who


# ── guards: None when the condition holds, otherwise the reason it does not ────────────


def complete(ctx: Context) -> Message | None:
    """Every required field and material is present."""
    if ctx.missing:
        return Message(
            gettext_noop("The application is incomplete; missing: %(missing)s"),
            {"missing": ", ".join(ctx.missing)},
        )
    return None


def identity_verified(ctx: Context) -> Message | None:
    """Every organisation on the applicant's side has had its identity verified."""
    if ctx.unverified_holders:
        return Message(
            gettext_noop(
                "The identity of %(holders)s is not verified yet: the application can be "
                "submitted once the registrar has verified it. You may keep editing the draft."
            ),
            {"holders": ", ".join(ctx.unverified_holders)},
        )
    return None


def correction_open(ctx: Context) -> Message | None:
    """The correction deadline has not passed."""
    if ctx.correction_due is not None and ctx.today > ctx.correction_due:
        return Message(
            gettext_noop("The correction deadline %(due)s has passed."),
            {"due": ctx.correction_due.isoformat()},
        )
    return None


def correction_overdue(ctx: Context) -> Message | None:
    """The correction deadline has passed."""
    if ctx.correction_due is None or ctx.today <= ctx.correction_due:
        return Message(gettext_noop("The correction deadline has not passed yet."))
    return None


def substantive_review(ctx: Context) -> Message | None:
    """The regime requires substantive review by an expert panel."""
    if not ctx.expert_review_required:
        return Message(gettext_noop("This regime has no expert review; approve directly."))
    return None


def formal_only(ctx: Context) -> Message | None:
    """The regime examines formally only (no expert panel)."""
    if ctx.expert_review_required:
        return Message(gettext_noop("This regime requires review by an expert panel first."))
    return None


def expert_assignable(ctx: Context) -> Message | None:
    """The proposed expert is an expert, not already on the panel, and free of conflict."""
    if ctx.proposed_expert_id is None or not ctx.proposed_expert_is_expert:
        return Message(gettext_noop("Only a registered expert can be assigned to a panel."))
    if ctx.proposed_expert_id in ctx.panel:
        return Message(gettext_noop("This expert is already on the panel."))
    if ctx.proposed_expert_conflicted:
        return Message(
            gettext_noop(
                "This expert is tied to the applicant's organisation (conflict of interest)."
            )
        )
    return None


def panel_favours(approve: bool) -> Guard:
    """The panel is complete, every expert has given an opinion, and the majority agrees."""

    def guard(ctx: Context) -> Message | None:
        if len(ctx.panel) < ctx.min_panel_size:
            return Message(
                gettext_noop("The panel needs at least %(size)s experts."),
                {"size": ctx.min_panel_size},
            )
        if any(opinion is None for opinion in ctx.panel.values()):
            return Message(gettext_noop("Not every expert on the panel has given an opinion."))
        approvals = sum(1 for opinion in ctx.panel.values() if opinion)
        majority_approves = approvals * 2 > len(ctx.panel)
        if majority_approves != approve:
            return Message(gettext_noop("The decision must follow the expert panel's majority."))
        return None

    guard.__doc__ = panel_favours.__doc__
    return guard


def publicity_running(ctx: Context) -> Message | None:
    """The announcement period is still running."""
    if ctx.announcement_ends is None or ctx.today > ctx.announcement_ends:
        return Message(gettext_noop("The announcement period is over."))
    return None


def publicity_over_without_objection(ctx: Context) -> Message | None:
    """The announcement period is over and no objection is pending."""
    if ctx.announcement_ends is not None and ctx.today <= ctx.announcement_ends:
        return Message(
            gettext_noop("The announcement period runs until %(end)s."),
            {"end": ctx.announcement_ends.isoformat()},
        )
    return no_pending_objection(ctx)


def publicity_over_with_objections(ctx: Context) -> Message | None:
    """The announcement period is over and objections wait for a decision."""
    if ctx.announcement_ends is not None and ctx.today <= ctx.announcement_ends:
        return Message(
            gettext_noop("The announcement period runs until %(end)s."),
            {"end": ctx.announcement_ends.isoformat()},
        )
    if ctx.pending_objections == 0:
        return Message(gettext_noop("No objection is pending."))
    return None


def objection_pending(ctx: Context) -> Message | None:
    """At least one objection waits for a decision."""
    if ctx.pending_objections == 0:
        return Message(gettext_noop("No objection is pending."))
    return None


def no_pending_objection(ctx: Context) -> Message | None:
    """No objection waits for a decision."""
    if ctx.pending_objections:
        return Message(
            gettext_noop("%(count)s objection(s) still wait for a decision."),
            {"count": ctx.pending_objections},
        )
    return None


def validity_ended(ctx: Context) -> Message | None:
    """The registration's validity has ended."""
    if ctx.valid_until is None or ctx.today <= ctx.valid_until:
        return Message(gettext_noop("The registration is still valid."))
    return None


def pledgee_consents(purpose: str) -> Guard:
    """No pledge stands, or every standing pledge's pledgee has consented to this purpose."""

    def guard(ctx: Context) -> Message | None:
        if ctx.pledgee_ids and purpose not in ctx.consents:
            return Message(
                gettext_noop("The registration is pledged: the pledgee must consent first.")
            )
        return None

    guard.__doc__ = f"{pledgee_consents.__doc__} ({purpose})"
    return guard


def exclusive_needs_consent(ctx: Context) -> Message | None:
    """An exclusive or sole licence of pledged data needs the pledgee's consent."""
    return pledgee_consents("exclusive_licence")(ctx) if ctx.exclusive else None


def no_licence_conflict(ctx: Context) -> Message | None:
    """The licence does not collide with an exclusive or sole licence in force."""
    if ctx.licence_conflict:
        return Message(ctx.licence_conflict)
    return None


def renewal_window_open(ctx: Context) -> Message | None:
    """Today is inside the regime's renewal window, before validity ends."""
    if ctx.renewal_opens is None or ctx.valid_until is None:
        return Message(gettext_noop("This registration cannot be renewed."))
    if not ctx.renewal_opens <= ctx.today <= ctx.valid_until:
        return Message(
            gettext_noop("Renewal is possible from %(opens)s to %(closes)s."),
            {"opens": ctx.renewal_opens.isoformat(), "closes": ctx.valid_until.isoformat()},
        )
    return None


def no_pending_change(ctx: Context) -> Message | None:
    """No other change request waits for a decision."""
    if ctx.pending_change:
        return Message(gettext_noop("Another change request waits for a decision."))
    return None


def change_pending(ctx: Context) -> Message | None:
    """A change request waits for a decision."""
    if not ctx.pending_change:
        return Message(gettext_noop("No change request waits for a decision."))
    return None


def no_transfer_pending(ctx: Context) -> Message | None:
    """No transfer is waiting for confirmation."""
    if ctx.transfer_assignee_ids is not None:
        return Message(gettext_noop("A transfer is already waiting for confirmation."))
    return None


def transfer_pending(ctx: Context) -> Message | None:
    """A transfer is waiting for confirmation."""
    if ctx.transfer_assignee_ids is None:
        return Message(gettext_noop("No transfer is waiting for confirmation."))
    return None


def last_confirmation(ctx: Context) -> Message | None:
    """Only one party's confirmation is missing: with it, the transfer takes effect."""
    if len(ctx.transfer_waiting_ids) != 1:
        return Message(gettext_noop("Other parties must still confirm the transfer."))
    return None


def more_confirmations_due(ctx: Context) -> Message | None:
    """More than one party has still to confirm the transfer."""
    if len(ctx.transfer_waiting_ids) < 2:
        return Message(gettext_noop("This confirmation completes the transfer."))
    return None


def pledged(ctx: Context) -> Message | None:
    """A pledge stands."""
    if not ctx.pledgee_ids:
        return Message(gettext_noop("No pledge stands on this registration."))
    return None


def pledge_waiting(ctx: Context) -> Message | None:
    """The proposed pledge still waits for a holder's confirmation."""
    if not ctx.pledge_proposed:
        return Message(gettext_noop("This pledge no longer waits for a confirmation."))
    return None


def transfer_may_be_proposed(ctx: Context) -> Message | None:
    """A reported transfer proposes the transfer: none may be pending, and a standing pledge's
    pledgee must have consented (as when a holder proposes it). A licence needs nothing."""
    if not ctx.reported_transfer:
        return None
    return no_transfer_pending(ctx) or pledgee_consents("transfer")(ctx)


def all_of(*guards: Guard) -> Guard:
    """Every one of several guards holds; the first failure is reported."""

    def guard(ctx: Context) -> Message | None:
        for g in guards:
            if (failure := g(ctx)) is not None:
                return failure
        return None

    guard.__doc__ = "; ".join(g.__doc__ or g.__name__ for g in guards)
    return guard


# ── the table ──────────────────────────────────────────────────────────────────────────


class Consequence(StrEnum):
    """What follows a transition after it has committed (后续处理), done by a subscriber bound
    above the registry (``dataip.subscribers``). A failure does not undo the transition;
    ``dataip tick`` does what is still due."""

    ISSUE_CERTIFICATE = "issue_certificate"
    """Issue the certificate version now due (证书签发); nothing when none is due."""


class Notice(StrEnum):
    """What a person is told (通知), written with the event in the same transaction. Who
    receives each notice and its text in both languages: :mod:`dataip.registry.notices`."""

    CORRECTION_REQUESTED = "correction_requested"  # 补正通知 (with its deadline)
    FORMAL_EXAMINATION_PASSED = "formal_examination_passed"  # 形式审查通过
    EXAMINATION_PASSED = "examination_passed"  # 审查通过
    APPLICATION_REFUSED = "application_refused"  # 不予登记
    DEEMED_WITHDRAWN = "deemed_withdrawn"  # 视为撤回
    ANNOUNCED = "announced"  # 公示开始
    REGISTERED = "registered"  # 准予登记
    CERTIFICATE_ISSUED = "certificate_issued"  # 证书签发 (by the certificates' subscriber)
    OBJECTION_FILED = "objection_filed"  # 异议提出 (to the holder)
    OBJECTION_DECIDED = "objection_decided"  # 异议决定 (to holder and objector)
    CHANGE_DECIDED = "change_decided"  # 变更决定
    TRANSFER_TO_CONFIRM = "transfer_to_confirm"  # 转让待确认 (assignee, joint holders)
    TRANSFER_RECORDED = "transfer_recorded"  # 转让完成
    LICENCE_RECORDED = "licence_recorded"  # 许可登记 (to the licensee)
    PLEDGE_TO_CONFIRM = "pledge_to_confirm"  # 质押待确认 (to the holder)
    PLEDGE_REGISTERED = "pledge_registered"  # 质押登记
    PLEDGE_RELEASED = "pledge_released"  # 质押注销
    CONSENT_REQUESTED = "consent_requested"  # 请求质权人同意 (to the bank)
    CONSENT_ANSWERED = "consent_answered"  # 质权人答复
    REVOKED = "revoked"  # 撤销登记
    # Deadlines approaching (期限提醒), written by ``dataip tick``
    CORRECTION_DUE_SOON = "correction_due_soon"  # 补正期限将至 (7 days)
    RENEWAL_DUE = "renewal_due"  # 续展期开始
    OBJECTION_DECISION_DUE = "objection_decision_due"  # 异议决定期限将至 (to the examiners)
    # The account and the organisation (账户与组织): not transitions of an application; written
    # by the identity service (registry/services/identity.py) and, for members and invitations,
    # by the organisation's services (accounts/organisation.py, through accounts/tell.py).
    ORGANISATION_VERIFIED = "organisation_verified"  # 主体认证通过 (to its members)
    ORGANISATION_REFUSED = "organisation_refused"  # 主体认证未通过 (to its members, with reason)
    DISPUTE_GRANTED = "dispute_granted"  # 主体争议准予 (to the claimant)
    DISPUTE_REFUSED = "dispute_refused"  # 主体争议驳回 (to the claimant, with reason)
    ORGANISATION_WAITING = "organisation_waiting"  # 待认证主体 (to the registrars)
    DISPUTE_WAITING = "dispute_waiting"  # 待处理主体争议 (to the registrars)
    INVITED = "invited"  # 受邀加入组织 (to an invitee who has an account)
    ROLE_CHANGED = "role_changed"  # 成员角色变更 (to the member)
    MEMBER_REMOVED = "member_removed"  # 移出组织 (to the member removed)
    # A data exchange's listings (挂牌) and fast-lane referrals (快速通道)
    LISTED = "listed"  # 挂牌 (to the holder)
    DELISTED = "delisted"  # 摘牌 (to the holder)
    REFERRAL_RECEIVED = "referral_received"  # 交易所预填申请 (to the holder's members)
    # Trade reports by a data exchange (交易所交易报送)
    TRADE_REPORTED = "trade_reported"  # 交易所报送交易 (to the holders)
    TRADE_DISPUTED = "trade_disputed"  # 持有人异议交易报送 (to the exchange)
    TRADE_REPORT_WITHDRAWN = "trade_report_withdrawn"  # 交易报送撤回 (to the holders)


@dataclass(frozen=True)
class Rule:
    """One permitted transition: target status, who may act, the condition, its effect, and
    the consequences that follow once it has committed."""

    to: Status
    who: Who
    guard: Guard | None = None
    effect: str = ""
    reason_required: bool = False
    logged: bool = True
    then: tuple[Consequence, ...] = ()
    notify: tuple[Notice, ...] = ()
    """The notices the event produces (recipients and text: :mod:`dataip.registry.notices`)."""


S, A, C, N = Status, Action, Consequence, Notice
BEFORE_APPROVAL = (
    S.SUBMITTED,
    S.FORMAL_EXAMINATION,
    S.CORRECTION_REQUESTED,
    S.EXPERT_REVIEW,
)

TRANSITIONS: dict[tuple[Status, Action], Rule] = {
    # Filing (申请)
    (S.DRAFT, A.EDIT): Rule(S.DRAFT, applicant, logged=False, effect="fields and materials change"),
    (S.DRAFT, A.SUBMIT): Rule(
        S.SUBMITTED,
        applicant,
        all_of(identity_verified, complete),
        effect="application number issued; content digest logged",
    ),
    # Formal examination (形式审查)
    (S.SUBMITTED, A.START_FORMAL_EXAMINATION): Rule(
        S.FORMAL_EXAMINATION, examiner, effect="the examiner takes the application"
    ),
    (S.FORMAL_EXAMINATION, A.REQUEST_CORRECTION): Rule(
        S.CORRECTION_REQUESTED,
        examiner,
        reason_required=True,
        effect="correction deadline set by the regime",
        notify=(N.CORRECTION_REQUESTED,),
    ),
    (S.CORRECTION_REQUESTED, A.EDIT): Rule(
        S.CORRECTION_REQUESTED, applicant, correction_open, logged=False
    ),
    (S.CORRECTION_REQUESTED, A.RESUBMIT): Rule(
        S.SUBMITTED,
        applicant,
        all_of(correction_open, complete),
        effect="correction deadline cleared; content digest logged",
    ),
    (S.CORRECTION_REQUESTED, A.DEEM_WITHDRAWN): Rule(
        S.WITHDRAWN,
        system,
        correction_overdue,
        effect="deemed withdrawn (视为撤回)",
        notify=(N.DEEMED_WITHDRAWN,),
    ),
    (S.FORMAL_EXAMINATION, A.PASS_FORMAL_EXAMINATION): Rule(
        S.EXPERT_REVIEW, examiner, substantive_review, notify=(N.FORMAL_EXAMINATION_PASSED,)
    ),
    (S.FORMAL_EXAMINATION, A.APPROVE): Rule(
        S.APPROVED, examiner, formal_only, notify=(N.EXAMINATION_PASSED,)
    ),
    (S.FORMAL_EXAMINATION, A.REJECT): Rule(
        S.REJECTED, examiner, reason_required=True, notify=(N.APPLICATION_REFUSED,)
    ),
    # Substantive examination by an expert panel (专家实质审查)
    (S.EXPERT_REVIEW, A.ASSIGN_EXPERT): Rule(
        S.EXPERT_REVIEW, registrar, expert_assignable, effect="expert added to the panel"
    ),
    (S.EXPERT_REVIEW, A.RECORD_OPINION): Rule(
        S.EXPERT_REVIEW, panel_expert, reason_required=True, effect="the expert's opinion recorded"
    ),
    (S.EXPERT_REVIEW, A.APPROVE): Rule(
        S.APPROVED, examiner, panel_favours(approve=True), notify=(N.EXAMINATION_PASSED,)
    ),
    (S.EXPERT_REVIEW, A.REJECT): Rule(
        S.REJECTED,
        examiner,
        panel_favours(approve=False),
        reason_required=True,
        notify=(N.APPLICATION_REFUSED,),
    ),
    # Public announcement and objections (公示与异议)
    (S.APPROVED, A.ANNOUNCE): Rule(
        S.UNDER_PUBLICITY,
        examiner,
        effect="announcement period set by the regime",
        notify=(N.ANNOUNCED,),
    ),
    (S.UNDER_PUBLICITY, A.FILE_OBJECTION): Rule(
        S.UNDER_PUBLICITY,
        third_party,
        publicity_running,
        reason_required=True,
        notify=(N.OBJECTION_FILED,),
    ),
    **{
        (status, A.ANSWER_OBJECTION): Rule(
            status,
            applicant,
            objection_pending,
            reason_required=True,
            effect="the holder's written answer and its files recorded, before the decision",
        )
        for status in (S.UNDER_PUBLICITY, S.OBJECTION_REVIEW)
    },
    (S.UNDER_PUBLICITY, A.DISMISS_OBJECTION): Rule(
        S.UNDER_PUBLICITY,
        examiner,
        objection_pending,
        reason_required=True,
        notify=(N.OBJECTION_DECIDED,),
    ),
    (S.UNDER_PUBLICITY, A.UPHOLD_OBJECTION): Rule(
        S.REJECTED,
        examiner,
        objection_pending,
        reason_required=True,
        notify=(N.OBJECTION_DECIDED, N.APPLICATION_REFUSED),
    ),
    (S.UNDER_PUBLICITY, A.CLOSE_PUBLICITY): Rule(
        S.OBJECTION_REVIEW, either(system, examiner), publicity_over_with_objections
    ),
    (S.UNDER_PUBLICITY, A.REGISTER): Rule(
        S.REGISTERED,
        either(system, examiner),
        publicity_over_without_objection,
        effect="registration and certificate numbers issued; validity starts",
        then=(C.ISSUE_CERTIFICATE,),
        notify=(N.REGISTERED,),
    ),
    (S.OBJECTION_REVIEW, A.DISMISS_OBJECTION): Rule(
        S.OBJECTION_REVIEW,
        examiner,
        objection_pending,
        reason_required=True,
        notify=(N.OBJECTION_DECIDED,),
    ),
    (S.OBJECTION_REVIEW, A.UPHOLD_OBJECTION): Rule(
        S.REJECTED,
        examiner,
        objection_pending,
        reason_required=True,
        notify=(N.OBJECTION_DECIDED, N.APPLICATION_REFUSED),
    ),
    (S.OBJECTION_REVIEW, A.REGISTER): Rule(
        S.REGISTERED,
        either(system, examiner),
        no_pending_objection,
        effect="registration and certificate numbers issued; validity starts",
        then=(C.ISSUE_CERTIFICATE,),
        notify=(N.REGISTERED,),
    ),
    # Registered rights (登记后)
    (S.REGISTERED, A.EXPIRE): Rule(S.EXPIRED, system, validity_ended),
    (S.REGISTERED, A.REQUEST_CHANGE): Rule(
        S.REGISTERED,
        right_holder,
        no_pending_change,
        effect="applied now (certificate re-issued), or examined first (nothing due yet)",
        then=(C.ISSUE_CERTIFICATE,),
    ),
    (S.REGISTERED, A.APPROVE_CHANGE): Rule(
        S.REGISTERED,
        examiner,
        change_pending,
        effect="the change applies; certificate re-issued",
        then=(C.ISSUE_CERTIFICATE,),
        notify=(N.CHANGE_DECIDED,),
    ),
    (S.REGISTERED, A.REFUSE_CHANGE): Rule(
        S.REGISTERED, examiner, change_pending, reason_required=True, notify=(N.CHANGE_DECIDED,)
    ),
    (S.REGISTERED, A.PROPOSE_TRANSFER): Rule(
        S.REGISTERED,
        right_holder,
        all_of(no_transfer_pending, pledgee_consents("transfer")),
        notify=(N.TRANSFER_TO_CONFIRM,),
    ),
    (S.REGISTERED, A.AGREE_TO_TRANSFER): Rule(
        S.REGISTERED,
        transfer_party,
        all_of(transfer_pending, more_confirmations_due),
        effect="one party's confirmation recorded; the others still confirm",
    ),
    (S.REGISTERED, A.CONFIRM_TRANSFER): Rule(
        S.REGISTERED,
        transfer_party,
        all_of(transfer_pending, last_confirmation, pledgee_consents("transfer")),
        effect="the last confirmation: the assignee becomes the holder; certificate re-issued",
        then=(C.ISSUE_CERTIFICATE,),
        notify=(N.TRANSFER_RECORDED,),
    ),
    (S.REGISTERED, A.DECLINE_TRANSFER): Rule(
        S.REGISTERED,
        transfer_party,
        transfer_pending,
        reason_required=True,
        effect="the transfer is cancelled",
    ),
    (S.REGISTERED, A.CANCEL_TRANSFER): Rule(
        S.REGISTERED, transfer_proposer, transfer_pending, effect="the proposer withdraws it"
    ),
    (S.REGISTERED, A.GRANT_LICENCE): Rule(
        S.REGISTERED,
        right_holder,
        all_of(no_licence_conflict, exclusive_needs_consent),
        notify=(N.LICENCE_RECORDED,),
    ),
    (S.REGISTERED, A.END_LICENCE): Rule(S.REGISTERED, right_holder, reason_required=True),
    (S.REGISTERED, A.RECORD_TRADE): Rule(S.REGISTERED, right_holder),
    (S.REGISTERED, A.PLEDGE): Rule(
        S.REGISTERED, right_holder, effect="the pledge stands", notify=(N.PLEDGE_REGISTERED,)
    ),
    (S.REGISTERED, A.PROPOSE_PLEDGE): Rule(
        S.REGISTERED,
        outside_lender,
        effect="the pledge waits for a holder's confirmation",
        notify=(N.PLEDGE_TO_CONFIRM,),
    ),
    (S.REGISTERED, A.CONFIRM_PLEDGE): Rule(
        S.REGISTERED,
        right_holder,
        pledge_waiting,
        effect="the pledge stands",
        notify=(N.PLEDGE_REGISTERED,),
    ),
    (S.REGISTERED, A.DECLINE_PLEDGE): Rule(
        S.REGISTERED, right_holder, pledge_waiting, reason_required=True
    ),
    (S.REGISTERED, A.CONSENT): Rule(S.REGISTERED, pledgee, pledged, notify=(N.CONSENT_ANSWERED,)),
    (S.REGISTERED, A.REQUEST_CONSENT): Rule(
        S.REGISTERED,
        right_holder,
        pledged,
        effect="the request waits for the pledgee",
        notify=(N.CONSENT_REQUESTED,),
    ),
    (S.REGISTERED, A.REFUSE_CONSENT): Rule(
        S.REGISTERED,
        pledgee,
        pledged,
        reason_required=True,
        effect="nothing is consented",
        notify=(N.CONSENT_ANSWERED,),
    ),
    (S.REGISTERED, A.RELEASE_PLEDGE): Rule(
        S.REGISTERED,
        either(pledgee, registrar),
        pledged,
        reason_required=True,
        notify=(N.PLEDGE_RELEASED,),
    ),
    (S.REGISTERED, A.RECORD_REVENUE): Rule(S.REGISTERED, right_holder),
    (S.REGISTERED, A.RECORD_VALUATION): Rule(S.REGISTERED, either(right_holder, registrar)),
    (S.REGISTERED, A.RENEW): Rule(
        S.REGISTERED,
        right_holder,
        renewal_window_open,
        effect="validity extended by the regime; certificate re-issued",
        then=(C.ISSUE_CERTIFICATE,),
    ),
    (S.REGISTERED, A.CANCEL): Rule(
        S.CANCELLED, right_holder, pledgee_consents("cancellation"), reason_required=True
    ),
    (S.REGISTERED, A.REVOKE): Rule(S.REVOKED, registrar, reason_required=True, notify=(N.REVOKED,)),
    (S.REGISTERED, A.CORRECT_PARTICULARS): Rule(
        S.REGISTERED,
        registrar,
        reason_required=True,
        effect="an obvious error in the particulars corrected (更正); certificate re-issued",
        then=(C.ISSUE_CERTIFICATE,),
    ),
    (S.REGISTERED, A.REISSUE_CERTIFICATE): Rule(
        S.REGISTERED,
        registrar,
        reason_required=True,
        effect="same particulars, a new certificate version (补发/换发)",
        then=(C.ISSUE_CERTIFICATE,),
    ),
    # A data exchange lists the registered product (挂牌), updates and ends its listing
    (S.REGISTERED, A.LIST_PRODUCT): Rule(
        S.REGISTERED, exchange, effect="the listing is public", notify=(N.LISTED,)
    ),
    (S.REGISTERED, A.UPDATE_LISTING): Rule(S.REGISTERED, exchange),
    (S.REGISTERED, A.END_LISTING): Rule(S.REGISTERED, exchange, notify=(N.DELISTED,)),
    # Trade reports by a data exchange (交易所交易报送): a reported transfer also proposes
    # the transfer, which the holders and the buyer then confirm as any other.
    (S.REGISTERED, A.REPORT_TRADE): Rule(
        S.REGISTERED,
        exchange,
        transfer_may_be_proposed,
        effect="the report recorded; a transfer is proposed to every holder and the buyer",
        notify=(N.TRADE_REPORTED, N.TRANSFER_TO_CONFIRM),
    ),
    (S.REGISTERED, A.WITHDRAW_TRADE_REPORT): Rule(
        S.REGISTERED,
        exchange,
        effect="the report withdrawn (its pending transfer cancelled)",
        notify=(N.TRADE_REPORT_WITHDRAWN,),
    ),
    (S.REGISTERED, A.DISPUTE_TRADE): Rule(
        S.REGISTERED,
        right_holder,
        reason_required=True,
        effect="the report marked as disputed",
        notify=(N.TRADE_DISPUTED,),
    ),
    # Withdrawal by the applicant before approval (撤回)
    **{(status, A.WITHDRAW): Rule(S.WITHDRAWN, applicant) for status in BEFORE_APPROVAL},
}


def decide(ctx: Context, action: Action, actor: Actor) -> Rule:
    """Return the rule for ``action`` in ``ctx``, or raise why it may not happen.

    The order matters for the message the person sees: first whether the action exists in
    this state at all, then whether this actor may take it, then whether its condition holds.
    """
    rule = TRANSITIONS.get((ctx.status, action))
    if rule is None:
        raise TransitionNotAllowed(
            Message(
                gettext_noop("'%(action)s' is not possible while the application is '%(status)s'."),
                {"action": action.value, "status": ctx.status.value},
            )
        )
    if not rule.who(actor, ctx):
        raise PermissionDenied(
            Message(
                gettext_noop("You may not '%(action)s' this application."), {"action": action.value}
            )
        )
    if rule.guard is not None and (failure := rule.guard(ctx)) is not None:
        raise GuardFailed(failure)
    return rule


def follow_up(ctx: Context, action: Action) -> Action | None:
    """The transition the registry takes at once after ``action``, in the same transaction
    (``services.publicity.dismiss_objection``): once the announcement is over, dismissing the
    last pending objection registers the application. None when nothing follows."""
    if (
        action == Action.DISMISS_OBJECTION
        and ctx.status == Status.OBJECTION_REVIEW
        and ctx.pending_objections <= 1
    ):
        return Action.REGISTER
    return None


def may_act(ctx: Context, action: Action, actor: Actor) -> bool:
    """Whether ``actor`` is one who may take ``action`` in this status, whether or not its
    condition holds yet: for actions whose condition depends on what is proposed (which expert
    to assign), so a page can offer the form and the service then says why it refuses."""
    rule = TRANSITIONS.get((ctx.status, action))
    return rule is not None and rule.who(actor, ctx)


def allowed_actions(ctx: Context, actor: Actor) -> list[Action]:
    """The actions this actor could take now (what a page offers as buttons)."""
    result = []
    for (status, action), rule in TRANSITIONS.items():
        if status != ctx.status or not rule.who(actor, ctx):
            continue
        if rule.guard is None or rule.guard(ctx) is None:
            result.append(action)
    return result
