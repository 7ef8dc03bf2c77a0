"""Schemas of the staff API (examiners and registrars, with a staff token): the queue of
requests after registration with their deadlines, the correction of particulars (更正) and the
re-issue of a certificate (补发/换发)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from ninja import Field, Schema
from pydantic import create_model

from dataip.api.schemas.common import Input, Page
from dataip.api.schemas.products import input_fields
from dataip.api.schemas.rights import DecisionFileOut
from dataip.registry.fields import PRODUCT_FIELDS
from dataip.registry.queries.staff import Pending
from dataip.registry.services.registrar import ReissueGround

Reason = Field(min_length=1, max_length=2000, description="Why (shown in the history)")

if TYPE_CHECKING:  # the fields are made at import time; to mypy this is a plain input
    CorrectionIn = Input
else:
    CorrectionIn = create_model(
        "CorrectionIn",
        __base__=Input,
        __doc__="The corrected particulars (only those sent are corrected), and the reason.",
        __module__=__name__,
        **input_fields(f for f in PRODUCT_FIELDS if f.changeable),
        holderName=(str | None, Field(None, max_length=200)),
        holderNameEn=(str | None, Field(None, max_length=200)),
        holderAddress=(str | None, Field(None, max_length=300)),
        reason=(str, Reason),
    )


class ReissueIn(Input):
    """Why the certificate is issued again with the same particulars."""

    ground: ReissueGround = Field(description="lost (补发), damaged (换发) or other")
    reason: str = Reason


class StaffRegistration(Schema):
    """A registration after the registrar's act: a new certificate version is due."""

    registrationNumber: str
    status: str
    statusLabel: str
    certificateVersion: int


class PendingOut(Schema):
    """A request after registration that waits, with its deadline."""

    kind: Pending
    kindLabel: str
    applicationId: int
    registrationNumber: str
    productName: str
    recordId: int | None = Field(description="The change request, transfer or pledge")
    since: date
    due: date
    overdue: bool
    waitsFor: str = Field(description="examiner, assignee, holder or system")
    waitsForLabel: str


class PendingCounts(Schema):
    """How many requests of each kind wait, and how many are overdue."""

    change: int
    transfer: int
    pledge: int
    renewal: int
    lapsed: int
    overdue: int


class PendingList(Page):
    """A page of the queue, the earliest deadline first (overdue ones lead)."""

    counts: PendingCounts
    items: list[PendingOut]


class ChangeDecisionIn(Input):
    """The examiner's decision on a change of registered particulars (变更审查)."""

    decision: Literal["approve", "refuse"] = Field(
        description="approve (the change applies; a new certificate version is issued) or refuse"
    )
    reason: str = Field(default="", max_length=4000, description="The reasons (required to refuse)")


class ChangeDecisionOut(Schema):
    """A change request after the examiner's decision."""

    id: int
    registrationNumber: str
    status: str
    reason: str
    certificateVersion: int


class RevocationOut(StaffRegistration):
    """A registration after its revocation (撤销), with the decision's reference and document."""

    decisionReference: str
    decisionFiles: list[DecisionFileOut]


class CaseDeadlineOut(Schema):
    """The deadline that runs for a case in its status, and where it stands today."""

    kind: str = Field(description="correction, announcement, objection_decision or empty")
    kindLabel: str
    due: date | None
    state: str = Field(description="overdue, due_soon, on_time or empty (no deadline runs)")
    overdue: bool


class CaseOut(Schema):
    """A case in a staff queue."""

    applicationId: int
    applicationNumber: str
    registrationNumber: str
    status: str
    statusLabel: str
    kind: str
    productName: str
    applicant: str
    province: str
    industry: str
    examiner: str | None = Field(description="The examiner's user name, once one took the case")
    submittedAt: datetime | None
    deadline: CaseDeadlineOut


class CaseList(Page):
    """A page of a staff queue, searched, filtered and sorted as asked."""

    total: int
    items: list[CaseOut]


class QueueFigureOut(Schema):
    """One queue: how many cases wait, and since when the oldest was submitted."""

    status: str
    statusLabel: str
    size: int
    oldestSubmitted: date | None
    oldestDays: int | None


class DayFigureOut(Schema):
    """What came in and what was decided on one day."""

    day: date
    received: int
    registered: int
    rejected: int


class DashboardOut(Schema):
    """The registrar's dashboard: the queues, the overdue cases, this month's throughput."""

    today: date
    queues: list[QueueFigureOut]
    overdue: list[CaseOut]
    monthStart: date
    received: int
    registered: int
    rejected: int
    days: list[DayFigureOut]


CaseAction = Literal[
    "start_formal_examination",
    "request_correction",
    "pass_formal_examination",
    "approve",
    "reject",
    "announce",
    "close_publicity",
    "register",
]


class CaseActionIn(Input):
    """One act on a case (案件办理), as on the case page: the workflow decides whether it is
    possible now and for whom."""

    action: CaseAction = Field(
        description="start_formal_examination, request_correction (reason required), "
        "pass_formal_examination, approve, reject (reason required), announce, "
        "close_publicity, register"
    )
    reason: str = Field("", max_length=2000, description="The reason (shown in the history)")
    confirm: bool = Field(
        False,
        description="Must be true for an act that cannot be undone (approve, reject, announce, "
        "register…); without it the answer is a 422 naming `confirm` and what would follow",
    )


class CaseActedOut(Schema):
    """The case after the act, and what it did and what comes next, in words."""

    case: CaseOut
    outcome: str


class PanelIn(Input):
    """The experts to put on the review panel (专家组), all at once or none."""

    experts: list[int] = Field(min_length=1, max_length=20, description="The experts' user ids")


class PanelSeatOut(Schema):
    """One expert on the panel, and the opinion once given."""

    expert: int
    expertName: str
    approves: bool | None
    opinion: str
    opinionAt: datetime | None


class PanelOut(Schema):
    """The review panel of a case."""

    applicationId: int
    panel: list[PanelSeatOut]
