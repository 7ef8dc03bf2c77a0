"""Who may call what: every endpoint × every persona (anonymous, the applicant's own token,
another organisation's token, a bank's token, a revoked token of the applicant).

Within a case the personas that are refused go first, so a refusal can be seen to change
nothing, and the allowed persona's change happens last.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dataip.accounts import organisation
from dataip.accounts.models import Notification, OrgRole, User
from dataip.accounts.tokens import create_token
from dataip.api.api import api as api_of_the_site
from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.models import (
    AnswerEvidence,
    Application,
    ConsentRequest,
    DecisionDocument,
    Holder,
    Licence,
    Material,
    Objection,
    Pledge,
    Trade,
    Transfer,
)
from dataip.registry.queries import exports
from dataip.registry.services import (
    changes,
    examination,
    lifecycle,
    listings,
    pledges,
    publicity,
    trade_reports,
    webhooks,
)
from dataip.registry.workflow import Status
from dataip.upkeep.exports import write_snapshots
from tests.api._support import PERSONAS, PROBLEM, Api, Tokens, registered_with_rights, today
from tests.support.builders import PDF, at_stage, draft
from tests.support.exchanges import exchange_member
from tests.support.personas import Person, Personas, make_holder, make_person

pytestmark = pytest.mark.django_db
UNAUTHENTICATED = {"anonymous": 401, "revoked": 401}
PUBLIC = dict.fromkeys(PERSONAS, 200)
ORDER = ("anonymous", "revoked", "other", "bank", "own")


class World:
    """The applications a case needs, built on first use."""

    def __init__(self, personas: Personas, bank: Person) -> None:
        self.personas = personas
        self.bank = bank
        self._built: dict[str, Application] = {}
        self._made: dict[str, int] = {}

    def app(self, name: str) -> Application:
        if name not in self._built:
            self._built[name] = self._build(name)
        return self._built[name]

    def _build(self, name: str) -> Application:
        p = self.personas
        if name == "reported":  # registered, with a licence reported by a verified exchange
            return _reported(p)
        if name == "registered":
            return registered_with_rights(p, self.bank)[0]
        if name == "consent_request":  # pledged to the bank; Alpha asks its consent
            app, pledge = registered_with_rights(p, self.bank)
            pledges.request_consent(pledge.pk, actor=p.applicant.actor, purpose="transfer")
            return app
        if name == "proposed":
            app = at_stage(p, Status.REGISTERED)
            pledges.propose_pledge(
                app.pk,
                actor=self.bank.actor,
                amount="1",
                starts="2026-05-01",
                ends="2026-06-01",
                contract_reference="ZY-M",
            )
            return app
        if name in {"transferable", "transfer"}:  # held by Alpha, unpledged (+ a transfer to Beta)
            app = at_stage(p, Status.REGISTERED)
            if name == "transfer":
                changes.propose_transfer(
                    app.pk,
                    actor=p.applicant.actor,
                    assignee_id=p.other_applicant.holder.pk,
                    contract_date="2026-05-01",
                    effective_date="2026-05-01",
                )
            return app
        if name in {"announced", "objected", "answered"}:
            app = at_stage(p, Status.UNDER_PUBLICITY)
            # Announced now (the builders' dates lie in the past): objections are open.
            Application.objects.filter(pk=app.pk).update(
                announcement_starts=today(), announcement_ends=today() + timedelta(days=14)
            )
            if name != "announced":
                objection = publicity.file_objection(
                    app.pk,
                    actor=p.other_applicant.actor,
                    user=p.other_applicant.user,
                    ground="ownership_dispute",
                    statement="数据属于乙方",
                    evidence=[("proof.pdf", io.BytesIO(PDF))],
                )
                if name == "answered":
                    publicity.answer_objection(
                        objection.pk,
                        actor=p.applicant.actor,
                        user=p.applicant.user,
                        statement="答辩",
                        evidence=[("answer.pdf", io.BytesIO(PDF))],
                    )
            return app
        if name == "revoked":  # revoked by the registrar, with the decision's document
            app = at_stage(p, Status.REGISTERED)
            lifecycle.revoke(
                app.pk,
                actor=p.registrar.actor,
                reason="法院判决",
                reference="(2026)沪73民初1号",
                decision=[("判决书.pdf", io.BytesIO(PDF))],
            )
            return app
        if name == "draft":
            return draft(p)
        if name == "submitted":
            return at_stage(p, Status.SUBMITTED)
        app = at_stage(p, Status.FORMAL_EXAMINATION)
        examination.request_correction(app.pk, actor=p.examiner.actor, reason="请补正")
        return app

    def pledge(self, name: str) -> int:
        return Pledge.objects.filter(application=self.app(name)).values_list("pk", flat=True)[0]

    def objection(self, name: str) -> Objection:
        return Objection.objects.filter(application=self.app(name)).get()

    def transfer(self) -> int:
        return Transfer.objects.filter(application=self.app("transfer")).values_list(
            "pk", flat=True
        )[0]

    def member(self) -> int:
        """A second member of Alpha (a read-only one), made on first use."""
        if "member" not in self._made:
            self._made["member"] = make_person(
                "alpha_reader", self.personas.applicant.holder
            ).user.pk
            User.objects.filter(pk=self._made["member"]).update(org_role=OrgRole.READ_ONLY)
        return self._made["member"]

    def invitation(self) -> int:
        """An open invitation of Alpha, made on first use."""
        if "invitation" not in self._made:
            made = organisation.invite(
                self.personas.applicant.user, email="new@alpha.example", role="member"
            )
            self._made["invitation"] = made.pk
        return self._made["invitation"]

    def subscription(self) -> int:
        """A webhook subscription of Alpha, made on first use."""
        if "subscription" not in self._made:
            made, _secret = webhooks.create_subscription(
                self.personas.applicant.user, url="https://alpha.example/hook", topic="all"
            )
            self._made["subscription"] = made.pk
        return self._made["subscription"]

    def alpha_token(self, name: str) -> int:
        """Another token of Alpha, made on first use."""
        if name not in self._made:
            self._made[name] = create_token(self.personas.applicant.user, name, ["read"])[0].pk
        return self._made[name]

    def material(self) -> int:
        return Material.objects.filter(application=self.app("draft")).values_list("pk", flat=True)[
            0
        ]


@dataclass
class Case:
    """One endpoint: how to call it, and the status each persona gets."""

    method: str
    path: Callable[[World], str]
    expected: dict[str, int]
    body: Callable[[World], Any] | None = None
    multipart: bool = False
    needs: tuple[str, ...] = ()
    checks: dict[str, Callable[[World, Any], None]] = field(default_factory=dict)


def _own_only(status: int) -> dict[str, int]:
    return {**UNAUTHENTICATED, "other": 404, "bank": 404, "own": status}


def _any_token(status: int) -> dict[str, int]:
    return {**UNAUTHENTICATED, "other": status, "bank": status, "own": status}


def _lists(expected_count: Callable[[str], int]) -> Callable[[str], Callable[[World, Any], None]]:
    def check_for(persona: str) -> Callable[[World, Any], None]:
        def check(world: World, body: Any) -> None:
            assert len(body["items"]) == expected_count(persona), persona

        return check

    return check_for


def _reg(world: World) -> str:
    return world.app("registered").registration_number or ""


def _licence(world: World) -> int:
    return Licence.objects.filter(application=world.app("registered")).values_list("pk", flat=True)[
        0
    ]


def _consent_request(world: World) -> int:
    return ConsentRequest.objects.filter(
        pledge__application=world.app("consent_request")
    ).values_list("pk", flat=True)[0]


def _revoked(world: World) -> str:
    return world.app("revoked").registration_number or ""


def _admin_only(status: int) -> dict[str, int]:
    """The organisation administrators' routes: only the applicant's token has ``admin``."""
    return {**UNAUTHENTICATED, "other": 403, "bank": 403, "own": status}


def _draft(world: World) -> str:
    return f"applications/{world.app('draft').pk}"


def _some_notices(some: bool) -> Callable[[World, Any], None]:
    def check(world: World, body: Any) -> None:
        assert bool(body["items"]) is some

    return check


def _applicant_notice(w: World) -> int:
    found = Notification.objects.filter(recipient=w.personas.applicant.user)
    return found.values_list("pk", flat=True)[0]


CASES: dict[str, Case] = {
    "search_registrations": Case("GET", lambda w: f"registrations?q={_reg(w)}", PUBLIC),
    "registration": Case("GET", lambda w: f"registrations/{_reg(w)}", PUBLIC),
    "display": Case("GET", lambda w: f"registrations/{_reg(w)}/display", PUBLIC),
    "announcements": Case("GET", lambda w: "announcements", PUBLIC),
    "statistics": Case("GET", lambda w: "statistics", PUBLIC),
    "list_applications": Case(
        "GET",
        lambda w: "applications",
        _any_token(200),
        needs=("draft",),
        checks={p: _lists(lambda p: int(p == "own"))(p) for p in ("own", "other", "bank")},
    ),
    "create_draft": Case(
        "POST", lambda w: "applications", _any_token(201), body=lambda w: {"kind": "data_product"}
    ),
    "read_application": Case("GET", _draft, _own_only(200)),
    "read_application#public": Case(
        "GET", lambda w: f"applications/{w.app('registered').pk}", _own_only(200)
    ),
    "update_application": Case(
        "PATCH", _draft, _own_only(200), body=lambda w: {"summary": "新摘要"}
    ),
    "set_holders": Case(
        "PUT",
        lambda w: f"{_draft(w)}/holders",
        _own_only(200),
        body=lambda w: {"shares": [{"holderId": w.personas.applicant.holder.pk, "share": 100}]},
    ),
    "list_materials": Case("GET", lambda w: f"{_draft(w)}/materials", _own_only(200)),
    "upload_material": Case(
        "POST",
        lambda w: f"{_draft(w)}/materials",
        _own_only(201),
        body=lambda w: {"kind": "samples", "file": SimpleUploadedFile("s.pdf", PDF)},
        multipart=True,
    ),
    "remove_material": Case(
        "DELETE", lambda w: f"{_draft(w)}/materials/{w.material()}", _own_only(204)
    ),
    "missing": Case("GET", lambda w: f"{_draft(w)}/missing", _own_only(200)),
    "submit": Case(
        "POST",
        lambda w: f"{_draft(w)}/submit",
        _own_only(200),
        body=lambda w: {"declaration": DECLARATION_VERSION},
    ),
    "resubmit": Case(
        "POST",
        lambda w: f"applications/{w.app('correction').pk}/resubmit",
        _own_only(200),
        body=lambda w: {"declaration": DECLARATION_VERSION},
    ),
    "withdraw": Case(
        "POST", lambda w: f"applications/{w.app('submitted').pk}/withdraw", _own_only(200)
    ),
    "events": Case("GET", lambda w: f"applications/{w.app('submitted').pk}/events", _own_only(200)),
    "event_bundle": Case("GET", lambda w: f"{_submitted_event(w)}/bundle", _own_only(200)),
    "pledges": Case(
        "GET",
        lambda w: "pledges",
        _any_token(200),
        needs=("registered",),
        checks={p: _lists(lambda p: int(p == "bank"))(p) for p in ("own", "other", "bank")},
    ),
    "encumbrances": Case(
        "GET", lambda w: f"encumbrances?registrationNumber={_reg(w)}", _any_token(200)
    ),
    # A registered right's holder (the registration is pledged to the bank, and licensed
    # exclusively to Beta, "other"): only the holder's token reaches it.
    "list_licences": Case("GET", lambda w: f"registrations/{_reg(w)}/licences", _own_only(200)),
    "grant_licence": Case(
        "POST",
        lambda w: f"registrations/{_reg(w)}/licences",
        _own_only(201),
        body=lambda w: {
            "licensee": w.bank.holder.identifier,
            "kind": "ordinary",
            "scope": "风控模型",
            "territory": "nationwide",
            "starts": (today() + timedelta(days=400)).isoformat(),
            "ends": (today() + timedelta(days=500)).isoformat(),
            "fee": "10",
        },
    ),
    "end_licence": Case(
        "POST",
        lambda w: f"licences/{_licence(w)}/end",
        _own_only(200),
        body=lambda w: {"reason": "解约"},
    ),
    "licences_granted": Case(
        "GET",
        lambda w: "licences",
        _any_token(200),
        needs=("registered",),
        checks={p: _lists(lambda p: int(p == "other"))(p) for p in ("own", "other", "bank")},
    ),
    "list_trades": Case("GET", lambda w: f"registrations/{_reg(w)}/trades", _own_only(200)),
    "record_trade": Case(
        "POST",
        lambda w: f"registrations/{_reg(w)}/trades",
        _own_only(201),
        body=lambda w: {
            "exchange": "上海数据交易所",
            "contractReference": "SDE-1",
            "tradedOn": "2026-05-02",
            "amount": "10",
        },
    ),
    "list_revenue": Case("GET", lambda w: f"registrations/{_reg(w)}/revenue", _own_only(200)),
    "record_revenue": Case(
        "POST",
        lambda w: f"registrations/{_reg(w)}/revenue",
        _own_only(201),
        body=lambda w: {"periodStart": "2026-05-01", "periodEnd": "2026-05-31", "amount": 1},
    ),
    "income": Case("GET", lambda w: f"registrations/{_reg(w)}/income", _own_only(200)),
    "list_changes": Case("GET", lambda w: f"registrations/{_reg(w)}/changes", _own_only(200)),
    "request_change": Case(
        "POST",
        lambda w: f"registrations/{_reg(w)}/changes",
        _own_only(201),
        body=lambda w: {"nameEn": "Renamed"},
    ),
    # Outside the renewal window; pledged without the bank's consent to a cancellation.
    "renew": Case("POST", lambda w: f"registrations/{_reg(w)}/renewal", _own_only(409)),
    "cancel": Case(
        "POST",
        lambda w: f"registrations/{_reg(w)}/cancellation",
        _own_only(409),
        body=lambda w: {"reason": "停止运营"},
    ),
    "list_valuations": Case("GET", lambda w: f"registrations/{_reg(w)}/valuations", _own_only(200)),
    "record_valuation": Case(
        "POST",
        lambda w: f"registrations/{_reg(w)}/valuations",
        _own_only(201),
        body=lambda w: {
            "method": "market",
            "evaluator": "评估公司",
            "valuedOn": "2026-05-03",
            "value": "100",
        },
    ),
    # Any organisation that does not hold the right may register a pledge as its pledgee.
    "propose_pledge": Case(
        "POST",
        lambda w: "pledges",
        {**UNAUTHENTICATED, "other": 201, "bank": 201, "own": 403},
        body=lambda w: {
            "registrationNumber": _reg(w),
            "amount": "10.00",
            "starts": "2026-05-01",
            "ends": "2027-05-01",
            "contractReference": "ZY-M2",
        },
    ),
    "pledges_waiting": Case(
        "GET",
        lambda w: "pledges/waiting",
        _any_token(200),
        needs=("proposed",),
        checks={p: _lists(lambda p: int(p == "own"))(p) for p in ("own", "other", "bank")},
    ),
    "confirm_pledge": Case(
        "POST", lambda w: f"pledges/{w.pledge('proposed')}/confirm", _own_only(200)
    ),
    "decline_pledge": Case(
        "POST",
        lambda w: f"pledges/{w.pledge('proposed')}/decline",
        _own_only(200),
        body=lambda w: {"reason": "不同意"},
    ),
    "release_pledge": Case(
        "POST",
        lambda w: f"pledges/{w.pledge('registered')}/release",
        {**UNAUTHENTICATED, "other": 404, "own": 404, "bank": 200},
        body=lambda w: {"reason": "已清偿"},
    ),
    "consent": Case(
        "POST",
        lambda w: f"pledges/{w.pledge('registered')}/consents",
        {**UNAUTHENTICATED, "other": 404, "own": 404, "bank": 201},
        body=lambda w: {"purpose": "transfer"},
    ),
    # Sealed records: a statement for any organisation; a pledge's certificate for its pledgee
    # and the pledged right's holder, not for the licensee ("other").
    "encumbrance_statement": Case(
        "GET", lambda w: f"encumbrances/{_reg(w)}/statement.pdf", _any_token(200)
    ),
    "pledge_certificate": Case(
        "GET",
        lambda w: f"pledges/{w.pledge('registered')}/certificate.pdf",
        {**UNAUTHENTICATED, "other": 404, "bank": 200, "own": 200},
    ),
    # Consent: Alpha ("own") asks the bank, which gives or refuses it.
    "request_consent": Case(
        "POST",
        lambda w: f"pledges/{w.pledge('registered')}/consent-requests",
        {**UNAUTHENTICATED, "other": 403, "bank": 403, "own": 201},
        body=lambda w: {"purpose": "cancellation", "note": "拟注销"},
    ),
    "my_consent_requests": Case(
        "GET",
        lambda w: "consent-requests",
        _any_token(200),
        needs=("consent_request",),
        checks={p: _lists(lambda p: int(p == "own"))(p) for p in ("own", "other", "bank")},
    ),
    "consent_requests": Case(
        "GET",
        lambda w: "consents",
        _any_token(200),
        needs=("consent_request",),
        checks={p: _lists(lambda p: int(p == "bank"))(p) for p in ("own", "other", "bank")},
    ),
    "give_consent": Case(
        "POST",
        lambda w: f"consents/{_consent_request(w)}/give",
        {**UNAUTHENTICATED, "other": 404, "own": 404, "bank": 200},
    ),
    "refuse_consent": Case(
        "POST",
        lambda w: f"consents/{_consent_request(w)}/refuse",
        {**UNAUTHENTICATED, "other": 404, "own": 404, "bank": 200},
        body=lambda w: {"reason": "贷款未清偿"},
    ),
    # Transfers: Alpha ("own") proposes and withdraws; Beta ("other"), the assignee, confirms
    # or declines (it acts before the bank and Alpha, who are refused either way).
    "list_transfers": Case("GET", lambda w: f"registrations/{_reg(w)}/transfers", _own_only(200)),
    "propose_transfer": Case(
        "POST",
        lambda w: f"registrations/{w.app('transferable').registration_number}/transfers",
        _own_only(201),
        body=lambda w: {
            "assignee": w.personas.other_applicant.holder.identifier,
            "contractDate": "2026-05-01",
            "effectiveDate": "2026-05-10",
            "price": "1000.00",
        },
    ),
    "waiting_transfers": Case(
        "GET",
        lambda w: "transfers/waiting",
        _any_token(200),
        needs=("transfer",),
        checks={p: _lists(lambda p: int(p == "other"))(p) for p in ("own", "other", "bank")},
    ),
    "confirm_transfer": Case(
        "POST",
        lambda w: f"transfers/{w.transfer()}/confirm",
        {**UNAUTHENTICATED, "other": 200, "bank": 404, "own": 404},
    ),
    "decline_transfer": Case(
        "POST",
        lambda w: f"transfers/{w.transfer()}/decline",
        {**UNAUTHENTICATED, "other": 200, "bank": 404, "own": 404},
        body=lambda w: {"reason": "不同意"},
    ),
    "cancel_transfer": Case(
        "POST", lambda w: f"transfers/{w.transfer()}/cancel", _own_only(200), body=lambda w: {}
    ),
    # Objections: any organisation but the applicant's files one; each side sees its own
    "file_objection": Case(
        "POST",
        lambda w: f"announcements/{w.app('announced').number}/objections",
        {**UNAUTHENTICATED, "other": 201, "bank": 201, "own": 403},
        body=lambda w: {
            "ground": "other",
            "statement": "异议",
            "evidence": [SimpleUploadedFile("a.pdf", PDF, "application/pdf")],
        },
        multipart=True,
    ),
    "my_objections": Case(
        "GET",
        lambda w: "objections",
        _any_token(200),
        needs=("objected",),
        checks={p: _lists(lambda q: 1 if q == "other" else 0)(p) for p in ("other", "bank", "own")},
    ),
    "my_objection": Case(
        "GET",
        lambda w: f"objections/{w.objection('objected').reference}",
        {**UNAUTHENTICATED, "other": 200, "bank": 404, "own": 404},
    ),
    "application_objections": Case(
        "GET",
        lambda w: f"applications/{w.app('objected').pk}/objections",
        _own_only(200),
        checks={"own": _lists(lambda q: 1)("own")},
    ),
    "answer_objection": Case(
        "POST",
        lambda w: (
            f"applications/{w.app('objected').pk}/objections/{w.objection('objected').pk}/answer"
        ),
        _own_only(201),
        body=lambda w: {"statement": "答辩"},
        multipart=True,
    ),
    "objection_file": Case(
        "GET",
        lambda w: (
            f"objections/{w.objection('objected').pk}/files/"
            f"{w.objection('objected').evidence.get().pk}"
        ),
        _own_only(200),
    ),
    # The decision that revoked a registration: its holders read it and its document
    "decision": Case("GET", lambda w: f"registrations/{_revoked(w)}/decision", _own_only(200)),
    "decision#none": Case("GET", lambda w: f"registrations/{_reg(w)}/decision", _own_only(404)),
    "decision_file": Case(
        "GET",
        lambda w: (
            f"registrations/{_revoked(w)}/decision-files/"
            f"{DecisionDocument.objects.get(application=w.app('revoked')).pk}"
        ),
        _own_only(200),
    ),
    # Identity of organisations: each organisation reads its own verification (all verified)
    "my_verification": Case("GET", lambda w: "organisation/verification", _any_token(200)),
    "answer_file": Case(
        "GET",
        lambda w: (
            f"objections/{w.objection('answered').pk}/answer-files/"
            f"{AnswerEvidence.objects.get(answer__objection=w.objection('answered')).pk}"
        ),
        _own_only(200),
    ),
    # The notification centre: the notices addressed to the token's creator
    "my_notifications": Case(
        "GET",
        lambda w: "notifications",
        _any_token(200),
        needs=("objected",),
        checks={
            "own": _some_notices(True),
            "other": _some_notices(False),
            "bank": _some_notices(False),
        },
    ),
    "mark_read": Case(
        "POST",
        lambda w: f"notifications/{_applicant_notice(w)}/read",
        _own_only(200),
        needs=("objected",),
    ),
    "mark_all_read": Case("POST", lambda w: "notifications/read", _any_token(200)),
    # Organisation administrators (a token with the admin scope)
    "members": Case("GET", lambda w: "organisation/members", _admin_only(200)),
    "change_role": Case(
        "PATCH",
        lambda w: f"organisation/members/{w.member()}",
        _admin_only(200),
        body=lambda w: {"role": "member"},
    ),
    "remove_member": Case(
        "DELETE", lambda w: f"organisation/members/{w.member()}", _admin_only(204)
    ),
    "invitations": Case("GET", lambda w: "organisation/invitations", _admin_only(200)),
    "invite": Case(
        "POST",
        lambda w: "organisation/invitations",
        _admin_only(201),
        body=lambda w: {"email": "colleague@alpha.example", "role": "read_only"},
    ),
    "withdraw_invitation": Case(
        "DELETE", lambda w: f"organisation/invitations/{w.invitation()}", _admin_only(204)
    ),
    "list_tokens": Case("GET", lambda w: "organisation/tokens", _admin_only(200)),
    "create_token": Case(
        "POST",
        lambda w: "organisation/tokens",
        _admin_only(201),
        body=lambda w: {"name": "reporting", "scopes": ["read"]},
    ),
    "revoke_token": Case(
        "POST", lambda w: f"organisation/tokens/{w.alpha_token('a')}/revoke", _admin_only(200)
    ),
    "rotate_token": Case(
        "POST", lambda w: f"organisation/tokens/{w.alpha_token('b')}/rotate", _admin_only(201)
    ),
    "activity": Case("GET", lambda w: "organisation/activity", _admin_only(200)),
    # The public event feed, and webhook subscriptions (a token with the webhooks scope,
    # made by an administrator of a verified organisation: every persona's is)
    "events#feed": Case(
        "GET", lambda w: "events?kind=registrations", PUBLIC, needs=("registered",)
    ),
    "list_subscriptions": Case("GET", lambda w: "webhooks", _any_token(200)),
    "create_subscription": Case(
        "POST",
        lambda w: "webhooks",
        _any_token(201),
        body=lambda w: {"url": "https://example.cn/hook", "topic": "registrations"},
    ),
    "get_subscription": Case("GET", lambda w: f"webhooks/{w.subscription()}", _own_only(200)),
    "change_subscription": Case(
        "PATCH",
        lambda w: f"webhooks/{w.subscription()}",
        _own_only(200),
        body=lambda w: {"active": False},
    ),
    "rotate_secret": Case("POST", lambda w: f"webhooks/{w.subscription()}/rotate", _own_only(200)),
    "ping": Case("POST", lambda w: f"webhooks/{w.subscription()}/ping", _own_only(202)),
    "deliveries": Case("GET", lambda w: f"webhooks/{w.subscription()}/deliveries", _own_only(200)),
    "delete_subscription": Case("DELETE", lambda w: f"webhooks/{w.subscription()}", _own_only(204)),
    # Open metadata (docs/metadata.md)
    "catalogue": Case("GET", lambda w: "catalogue?page=1", PUBLIC, needs=("registered",)),
    "registration_dcat": Case("GET", lambda w: f"registrations/{_reg(w)}/dcat", PUBLIC),
}


# ── a data exchange's listings and referrals (api/routers/listings.py) ───────────────────
# No persona here acts for a data exchange: each token is refused (403; tests/api/
# test_listings_api.py calls them with an exchange's token). The holder's side of a referral
# is the applicant's own.
_NOT_AN_EXCHANGE = {**UNAUTHENTICATED, "other": 403, "bank": 403, "own": 403}
_LISTING = {
    "registrationNumber": "20260000000001",
    "listingId": "SDE-1",
    "url": "https://sde.example/1",
    "listedOn": "2026-04-10",
    "priceModel": "fixed",
}


def _referral(w: World) -> int:
    """A referral made to Alpha by a verified exchange, made on first use."""
    made: int | None = getattr(w, "_referral_id", None)
    if made is None:
        exchange = exchange_member()
        made = listings.create_referral(
            actor=exchange.actor,
            holder_identifier=w.personas.applicant.holder.identifier,
            kind="data_collection",
            values={"name": "预填数据集"},
            listing_reference="SDE-9",
        ).pk
        w._referral_id = made  # type: ignore[attr-defined]
    return made


def _referrals(w: World) -> str:
    """The holder's list of referrals, with one made to Alpha."""
    _referral(w)
    return "referrals"


# ── trade reports (交易所交易报送): no persona here is an exchange (its own side is tested in
# tests/api/test_trade_reports_api.py); the holder's side belongs to the holder's token only.


def _reported(p: Personas) -> Application:
    app = at_stage(p, Status.REGISTERED)
    holder = make_holder(60, "上海数据交易所")
    Holder.objects.filter(pk=holder.pk).update(org_type="exchange")
    exchange = make_person("trade_exchanger", Holder.objects.get(pk=holder.pk))
    trade_reports.report_trade(
        app.registration_number or "",
        actor=exchange.actor,
        contract_reference="SDE-M",
        traded_on="2026-04-10",
        amount="100",
        kind="licence",
        buyer_name="丁公司",
        licence_kind="ordinary",
        starts="2026-05-01",
        ends="2026-12-31",
    )
    return app


def _report(w: World) -> int:
    return Trade.objects.filter(application=w.app("reported")).values_list("pk", flat=True)[0]


def _nobody(status: int) -> dict[str, int]:
    return {**UNAUTHENTICATED, "other": status, "bank": status, "own": status}


CASES.update(
    {
        "list_listings": Case("GET", lambda w: "exchange/listings", _NOT_AN_EXCHANGE),
        "create_listing": Case(
            "POST", lambda w: "exchange/listings", _NOT_AN_EXCHANGE, body=lambda w: _LISTING
        ),
        "read_listing": Case("GET", lambda w: "exchange/listings/1", _NOT_AN_EXCHANGE),
        "update_listing": Case(
            "PATCH",
            lambda w: "exchange/listings/1",
            _NOT_AN_EXCHANGE,
            body=lambda w: {"url": "https://sde.example/2", "priceModel": "free"},
        ),
        "end_listing": Case(
            "POST", lambda w: "exchange/listings/1/end", _NOT_AN_EXCHANGE, body=lambda w: {}
        ),
        "list_referrals": Case("GET", lambda w: "exchange/referrals", _NOT_AN_EXCHANGE),
        "create_referral": Case(
            "POST",
            lambda w: "exchange/referrals",
            _NOT_AN_EXCHANGE,
            body=lambda w: {
                "holderIdentifier": w.personas.applicant.holder.identifier,
                "kind": "data_collection",
                "listingReference": "SDE-9",
                "product": {"name": "预填数据集"},
            },
        ),
        "read_referral": Case(
            "GET", lambda w: f"exchange/referrals/{_referral(w)}", _NOT_AN_EXCHANGE
        ),
        "withdraw_referral": Case(
            "POST", lambda w: f"exchange/referrals/{_referral(w)}/withdraw", _NOT_AN_EXCHANGE
        ),
        "received_referrals": Case(
            "GET",
            lambda w: _referrals(w),
            _any_token(200),
            checks={p: _lists(lambda p: int(p == "own"))(p) for p in ("own", "other", "bank")},
        ),
        "received_referral": Case("GET", lambda w: f"referrals/{_referral(w)}", _own_only(200)),
        "start_draft": Case("POST", lambda w: f"referrals/{_referral(w)}/draft", _own_only(201)),
        "decline_referral": Case(
            "POST", lambda w: f"referrals/{_referral(w)}/decline", _own_only(200), body=lambda w: {}
        ),
        "report_trade": Case(
            "POST",
            lambda w: "trade-reports",
            _nobody(403),
            body=lambda w: {
                "registrationNumber": w.app("reported").registration_number,
                "contractReference": "SDE-N",
                "tradedOn": "2026-04-10",
                "amount": "1",
                "kind": "licence",
                "buyerName": "丁公司",
                "licenceKind": "ordinary",
                "starts": "2026-05-01",
                "ends": "2026-12-31",
            },
        ),
        "list_reports": Case(
            "GET",
            lambda w: "trade-reports",
            _any_token(200),
            needs=("reported",),
            checks={p: _lists(lambda p: 0)(p) for p in ("own", "other", "bank")},
        ),
        "get_report": Case("GET", lambda w: f"trade-reports/{_report(w)}", _nobody(404)),
        "withdraw_report": Case(
            "POST",
            lambda w: f"trade-reports/{_report(w)}/withdraw",
            _nobody(404),
            body=lambda w: {},
        ),
        "reports_on_registration": Case(
            "GET",
            lambda w: f"registrations/{w.app('reported').registration_number}/trade-reports",
            _own_only(200),
            checks={"own": _lists(lambda p: 1)("own")},
        ),
        "dispute_report": Case(
            "POST",
            lambda w: (
                f"registrations/{w.app('reported').registration_number}/trade-reports/"
                f"{_report(w)}/dispute"
            ),
            _own_only(200),
            body=lambda w: {"reason": "金额不符"},
        ),
    }
)
CASES.update(
    {
        # Platforms: the bulk export (public)
        "export_jsonl": Case("GET", lambda w: "exports/registrations.jsonl", PUBLIC),
        "export_csv": Case("GET", lambda w: "exports/registrations.csv?bom=1", PUBLIC),
        "snapshots": Case("GET", lambda w: "exports/snapshots", PUBLIC),
        "export_snapshot": Case("GET", lambda w: f"exports/snapshots/{_snapshot()}", PUBLIC),
    }
)


CASES.update(
    {
        # The applicant's PDF copy of its submitted application (as reading its applications)
        "application_pdf": Case(
            "GET",
            lambda w: f"applications/{w.app('submitted').pk}/application.pdf",
            _own_only(200),
        ),
    }
)


def _snapshot() -> str:
    """The name of today's JSON Lines snapshot (written if it is not there yet)."""
    write_snapshots()
    return next(s.name for s in exports.snapshots() if s.format == "jsonl")


def _submitted_event(w: World) -> str:
    """The address of the submitted application's first event."""
    app = w.app("submitted")
    return f"applications/{app.pk}/events/{app.events.order_by('id')[0].pk}"


def test_every_route_is_in_the_matrix() -> None:
    schema = api_of_the_site.get_openapi_schema(path_prefix="")
    routes = {
        operation["operationId"].rsplit(f"_{module}_", 1)[1]
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for module in (
            "public",
            "applications",
            "bank",
            "rights",
            "transfers",
            "objections",
            "notifications",
            "organisation",
            "identity",
            "listings",
            "events",
            "webhooks",
            "metadata",
            "trade_reports",
            "exports",
        )
        if f"_routers_{module}_" in operation["operationId"]
    }
    assert routes == {name.split("#")[0] for name in CASES}


@pytest.mark.parametrize("name", list(CASES))
def test_persona_matrix(
    name: str, api: Api, tokens: Tokens, personas: Personas, bank: Person
) -> None:
    case = CASES[name]
    world = World(personas, bank)
    for needed in case.needs:
        world.app(needed)
    for persona in ORDER:
        caller = api.as_(tokens.of(persona))
        kwargs: dict[str, Any] = {}
        body = case.body(world) if case.body else None
        if case.multipart:
            kwargs = {"data": body, "content_type": None}
            body = None
        response = caller.call(case.method, case.path(world), body, **kwargs)
        if getattr(response, "streaming", False):  # read (and close) a streamed download
            b"".join(response.streaming_content)
        expected = case.expected[persona]
        assert response.status_code == expected, (persona, response.content)
        if expected >= 400:
            assert response["Content-Type"] == PROBLEM
        if expected == 401:
            assert response["WWW-Authenticate"].startswith("Bearer")
        if persona in case.checks:
            case.checks[persona](world, response.json())
