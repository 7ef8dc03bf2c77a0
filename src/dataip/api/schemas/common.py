"""Schemas shared by every router: field errors of a 422 problem, and a page of a list."""

from __future__ import annotations

from ninja import P, Schema
from ninja.params import PathEx
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from dataip.api.schemas.log import Problem


class FieldError(Schema):
    """One refused field: where it was (``body``, ``query``, ``form``...), its name, and why."""

    name: str
    reason: str
    location: str | None = None


class ValidationProblem(Problem):
    """RFC 9457 problem details of refused input: one entry in ``errors`` per field."""

    errors: list[FieldError] = []


class Page(Schema):
    """A page of a list. ``next`` is the link to the following page (``null`` on the last);
    ``nextCursor`` is its opaque cursor, to pass back as ``cursor``."""

    next: str | None
    nextCursor: str | None


MAX_ID = (1 << 63) - 1

# Path parameters, declared once for every router
RegistrationNumber = PathEx[
    str, P(pattern=r"^[0-9A-Za-z]{1,20}$", description="The registration number (登记编号)")
]
AppId = PathEx[int, P(ge=1, le=MAX_ID, description="The application's id")]
ObjectionId = PathEx[int, P(ge=1, le=MAX_ID, description="The objection's id")]
FileId = PathEx[int, P(ge=1, le=MAX_ID, description="The file's id")]
"""The largest id or count a database column holds (64-bit)."""


def storable(value: object) -> bool:
    """Whether every text in ``value`` can be stored: no NUL character, no lone surrogate.

    PostgreSQL refuses NUL in text and JSON, and no database stores unpaired surrogates, so
    such input is refused as invalid at the door instead of failing in the database.
    """
    if isinstance(value, str):
        return _encodable(value)
    if isinstance(value, dict):
        return all(storable(k) and storable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(storable(v) for v in value)
    return True


def _encodable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Input(Schema):
    """A request body: unknown fields are refused, and so is text no database can store."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: object) -> object:
        if not storable(value):
            raise PydanticCustomError("text_unstorable", "text with a NUL or a lone surrogate")
        return value
