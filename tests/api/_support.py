"""API test helpers: a bank, API tokens for every persona, a client that sends them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from dataip.accounts import scopes
from dataip.accounts.tokens import create_token, revoke_token
from dataip.registry import clock
from dataip.registry.models import Application, Pledge
from dataip.registry.services import licensing, pledges
from dataip.registry.services.applications import create_holder
from dataip.registry.workflow import Status
from tests.support.builders import at_stage
from tests.support.personas import Person, Personas, make_person, valid_uscc

JSON = "application/json"
PROBLEM = "application/problem+json"


@dataclass
class Tokens:
    """A secret for each persona that calls the API (None: anonymous)."""

    own: str
    other: str
    bank: str
    revoked: str

    def of(self, persona: str) -> str | None:
        """The secret a persona sends: ``anonymous``, ``own``, ``other``, ``bank``, ``revoked``."""
        return None if persona == "anonymous" else str(getattr(self, persona))


PERSONAS = ("anonymous", "own", "other", "bank", "revoked")


@pytest.fixture
def bank(personas: Personas) -> Person:
    """A bank (丙银行) with a user who creates its token."""
    holder = create_holder(
        kind="legal_person", name="丙银行 Bank C", identifier=valid_uscc(50), province_code="31"
    )
    return make_person("banker", holder)


@pytest.fixture
def tokens(personas: Personas, bank: Person) -> Tokens:
    """Tokens of the applicant's organisation (one live with every scope, ``admin`` too; one
    revoked), of Beta and of the bank (every scope but ``admin``)."""
    own = create_token(personas.applicant.user, "erp", scopes.CODES)[1]  # every scope
    old, revoked = create_token(personas.applicant.user, "old")
    revoke_token(personas.applicant.user, old.pk)
    return Tokens(
        own=own,
        other=create_token(personas.other_applicant.user, "beta")[1],
        bank=create_token(bank.user, "loans")[1],
        revoked=revoked,
    )


class Api:
    """The Django test client, sending an API token and a language."""

    def __init__(self, client: Client, token: str | None = None, language: str = "en") -> None:
        self.client = client
        self.token = token
        self.language = language

    def as_(self, token: str | None) -> Api:
        """The same client with another token (None: anonymous)."""
        return Api(self.client, token, self.language)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept-Language": self.language, **(extra or {})}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        url = path if path.startswith(("/", "http://")) else f"/api/v1/{path}"
        send = getattr(self.client, method.lower())
        if "content_type" in kwargs and kwargs["content_type"] is None:
            del kwargs["content_type"]  # multipart, the test client's default
        elif body is not None and "content_type" not in kwargs:
            kwargs["content_type"] = JSON
        data = body if body is not None else kwargs.pop("data", None)
        if data is None and method in {"POST", "PUT", "PATCH"}:
            kwargs.setdefault("content_type", JSON)  # no body at all, as a real client sends
            return send(url, headers=self.headers(headers), **kwargs)
        if data is None:
            return send(url, headers=self.headers(headers), **kwargs)
        return send(url, data, headers=self.headers(headers), **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("PATCH", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("PUT", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def api(client: Client) -> Api:
    """An anonymous client asking for English."""
    return Api(client)


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status (and code); return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:dataip:problem:")
    assert body["title"]
    assert body["detail"]
    assert body["instance"]
    if code is not None:
        assert body["code"] == code, body
    return body


def field_names(problem: dict[str, Any]) -> list[str]:
    """The names of the refused fields of a 422 problem."""
    return [error["name"] for error in problem["errors"]]


def today() -> date:
    """The registry's today (rights in force are judged against it)."""
    return clock.local_date(clock.now())


def registered_with_rights(personas: Personas, bank: Person) -> tuple[Application, Pledge]:
    """A registration of Alpha pledged to the bank, with an exclusive licence to Beta in force.

    The licence runs around the real today, because encumbrances are judged against it.
    """
    app = at_stage(personas, Status.REGISTERED)
    actor = personas.applicant.actor
    now = today()
    pledge = pledges.pledge(
        app.pk,
        actor=actor,
        pledgee_id=bank.holder.pk,
        amount="3000000",
        starts=now - timedelta(days=10),
        ends=now + timedelta(days=355),
        contract_reference="ZY-2026-01",
    )
    pledges.consent(pledge.pk, actor=bank.actor, purpose="exclusive_licence")
    licensing.grant_licence(
        app.pk,
        actor=actor,
        licensee_id=personas.other_applicant.holder.pk,
        kind="exclusive",
        scope="商业分析",
        territory="中国大陆",
        starts=now - timedelta(days=5),
        ends=now + timedelta(days=360),
        fee="100000",
    )
    app.refresh_from_db()
    return app, pledge
