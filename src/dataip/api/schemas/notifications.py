"""Schemas of the notification centre (通知): a notice addressed to the token's creator."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from dataip.api.schemas.common import Page


class NotificationOut(Schema):
    """A notice: its kind, its subject and text in the request's language, and the
    application it is about."""

    id: int
    kind: str = Field(description="The notice kind, e.g. correction_requested (stable)")
    subject: str
    text: str
    createdAt: datetime
    readAt: datetime | None
    number: str = Field(description="The application or registration number it is about")


class NotificationList(Page):
    """The notices, the newest first."""

    items: list[NotificationOut]


class MarkedRead(Schema):
    """How many notices were marked read."""

    marked: int
