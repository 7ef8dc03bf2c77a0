"""Schemas of objections, both sides (异议): what the objector sees of its objections (the
reference, where each stands, the decision and its reasons), what the holder and the registry
see (the ground, statement and evidence, the holder's answer), and the examiners' decision."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from dataip.api.schemas.common import Input, Page

Deadline = Literal["on_time", "due_soon", "overdue", "decided"]


class FileOut(Schema):
    """An evidence file: its name, kind, size and SHA-256, and where to download it."""

    id: int
    name: str
    contentType: str
    size: int
    sha256: str
    url: str | None = Field(description="Download address (null where the caller may not)")


class AnswerOut(Schema):
    """The holder's written answer (答辩) and its files."""

    statement: str
    answeredAt: datetime
    files: list[FileOut]


class Decision(Schema):
    """Where an objection stands, its due date and, once decided, the decision's reasons."""

    status: str = Field(description="pending, upheld, dismissed or moot")
    statusLabel: str
    filedAt: datetime
    decisionDue: date | None = Field(description="The last day for the registry's decision")
    deadline: Deadline = Field(description="on_time, due_soon (7 days or fewer), overdue, decided")
    decidedAt: datetime | None
    decisionReason: str


class FiledObjectionOut(Decision):
    """One of the caller's objections, as the objector sees it."""

    reference: str = Field(description="The objection's reference number (异议编号)")
    applicationNumber: str
    productName: str
    ground: str
    groundLabel: str
    statement: str
    files: list[FileOut]
    answeredAt: datetime | None = Field(description="When the holder answered (null: not yet)")


class FiledObjectionList(Page):
    """The caller's objections, the newest first."""

    items: list[FiledObjectionOut]


class ObjectionOut(Decision):
    """An objection as the holder of the application and the registry see it (never who
    filed it)."""

    id: int
    reference: str
    applicationId: int
    applicationNumber: str
    productName: str
    ground: str
    groundLabel: str
    statement: str
    files: list[FileOut]
    answer: AnswerOut | None


class ObjectionList(Page):
    """Objections, oldest first (to an application) or the earliest due first (staff)."""

    items: list[ObjectionOut]


class ObjectionCounts(Schema):
    """How many objections wait for a decision, and how many are overdue or due soon."""

    waiting: int
    overdue: int
    dueSoon: int


class StaffObjectionList(ObjectionList):
    """Objections waiting for a decision, the earliest due first, with their counts."""

    counts: ObjectionCounts


class DecisionIn(Input):
    """The examiner's decision on an objection, with its reasons (shown to the objector)."""

    decision: Literal["dismiss", "uphold"] = Field(
        description="dismiss (驳回: registration goes on) or uphold (成立: registration refused)"
    )
    reason: str = Field(min_length=1, max_length=4000, description="The decision's reasons")
