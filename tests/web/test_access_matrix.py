"""Who may see and do what: every page and action, as every persona.

404 for those who may not know that something exists; 302 to the sign-in page for anonymous
visitors of pages that need an account. Nothing of an application is public before its
announcement, and confidential fields never reach the public or other applicants.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.test import Client

from dataip.accounts.models import Notification, User
from dataip.registry.models import Application, Holder, Objection
from dataip.registry.services import examination, identity, listings, publicity, trade_reports
from dataip.registry.workflow import Status
from tests.support.exchanges import exchange_member
from tests.support.personas import Personas, make_holder, make_person, valid_uscc
from tests.web._builders import build, freeze
from tests.web.conftest import client_for, read_download

PERSONAS = (
    "anonymous",
    "other_applicant",
    "applicant",
    "outside_expert",
    "panel_expert",
    "examiner",
    "registrar",
    "bank",
    "other_bank",
    "objector",
)
LOGIN = 302


@dataclass
class World:
    personas: Personas
    outside_expert: User
    examined: Application
    announced: Application
    bank: User
    other_bank: User
    _registered: Application | None = None
    _pending: tuple[int, int] | None = None

    @property
    def registered(self) -> Application:
        """A registration of the applicant, built only for the cases that need one."""
        if self._registered is None:
            self._registered = build(self.personas, Status.REGISTERED, name="已登记的数据集")
        return self._registered

    def pending_organisation(self) -> tuple[int, int]:
        """A new organisation pending verification (signed up with its business licence), and
        the id of that document."""
        if self._pending is None:
            user = User(username="newco", email="newco@example.cn")
            user.set_password("a long enough passphrase 2026")
            done = identity.sign_up(
                user,
                kind="legal_person",
                org_type="holder",
                name="待认证的新公司",
                identifier=valid_uscc(140),
                province_code="31",
                documents={"business_licence": ("licence.pdf", io.BytesIO(b"%PDF-1.4 licence"))},
            )
            assert done.holder is not None
            document = done.holder.identity_documents.get()
            self._pending = (done.holder.pk, document.pk)
        return self._pending

    def reported_trade(self) -> int:
        """A licence a verified data exchange reported on the applicant's registration (made
        once per world)."""
        made: int | None = getattr(self, "_reported_trade_id", None)
        if made is not None:
            return made
        holder = make_holder(150, "上海数据交易所")
        Holder.objects.filter(pk=holder.pk).update(org_type="exchange")
        exchange = make_person("trade_exchanger", Holder.objects.get(pk=holder.pk))
        made = trade_reports.report_trade(
            self.registered.registration_number or "",
            actor=exchange.actor,
            contract_reference="SDE-W",
            traded_on="2026-04-10",
            amount="100",
            kind="licence",
            buyer_name="丁公司",
            licence_kind="ordinary",
            starts="2026-05-01",
            ends="2026-12-31",
        ).pk
        setattr(self, "_reported_trade_id", made)  # noqa: B010 - a cache on the world
        return made

    def user(self, name: str) -> User | None:
        p = self.personas
        return {
            "anonymous": None,
            "other_applicant": p.other_applicant.user,
            "applicant": p.applicant.user,
            "outside_expert": self.outside_expert,
            "panel_expert": p.experts[0].user,
            "examiner": p.examiner.user,
            "registrar": p.registrar.user,
            "bank": self.bank,
            "other_bank": self.other_bank,
            "objector": p.objector.user,
        }[name]


@pytest.fixture
def world(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> World:
    freeze(monkeypatch)
    outside = make_person("outside_expert", make_holder(30, "Institute Z"), is_expert=True)
    examined = build(personas, Status.EXPERT_REVIEW, name="保密审查数据集")
    examination.assign_expert(
        examined.pk, actor=personas.registrar.actor, expert=personas.experts[0].user
    )
    announced = build(personas, Status.UNDER_PUBLICITY, name="公示中的数据集")
    publicity.file_objection(
        announced.pk,
        actor=personas.objector.actor,
        user=personas.objector.user,
        ground="other",
        statement="异议",
        evidence=[("proof.pdf", io.BytesIO(b"%PDF-1.4 proof"))],
    )
    banks = []
    for index, name in ((60, "bank"), (61, "other_bank")):
        holder = make_holder(index, f"Bank {index}")
        holder.is_lender = True
        holder.save()
        banks.append(make_person(name, holder).user)
    return World(personas, outside.user, examined, announced, banks[0], banks[1])


MEMBERS = ("other_applicant", "applicant", "outside_expert", "panel_expert", "bank", "other_bank")
"""The personas that act for an organisation (administrators, as every first user is)."""


def everyone(default: int, **special: int) -> dict[str, int]:
    return {name: special.get(name, default) for name in PERSONAS}


def staff(*names: str, ok: int = 200) -> dict[str, int]:
    return everyone(404, anonymous=LOGIN, **dict.fromkeys(names, ok))


# (method, url template, data, expected status per persona)
MATRIX: dict[str, tuple[str, str, dict[str, str], dict[str, int]]] = {
    "home": ("get", "/", {}, everyone(200)),
    "search": ("get", "/search?q=数据集", {}, everyone(200)),
    "announcements": ("get", "/announcements", {}, everyone(200)),
    "statistics": ("get", "/statistics", {}, everyone(200)),
    "statistics csv": ("get", "/statistics.csv?table=provinces", {}, everyone(200)),
    "staff statistics": ("get", "/examine/statistics", {}, staff("examiner", "registrar")),
    "public page of an announced application": (
        "get",
        "/registry/{announced_number}",
        {},
        everyone(200),
    ),
    "public page before announcement": ("get", "/registry/{examined_number}", {}, everyone(404)),
    # Open metadata (docs/metadata.md): public like the page, nothing before the announcement
    "DCAT-AP of an announced application": (
        "get",
        "/registry/{announced_number}.ttl",
        {},
        everyone(200),
    ),
    "DCAT-AP JSON-LD of an announced application": (
        "get",
        "/registry/{announced_number}.jsonld",
        {},
        everyone(200),
    ),
    "Croissant of an announced dataset": (
        "get",
        "/registry/{announced_number}/croissant.json",
        {},
        everyone(200),
    ),
    "DCAT-AP before announcement": ("get", "/registry/{examined_number}.ttl", {}, everyone(404)),
    "Croissant before announcement": (
        "get",
        "/registry/{examined_number}/croissant.json",
        {},
        everyone(404),
    ),
    "DCAT catalogue": ("get", "/catalogue", {}, everyone(200)),
    "DCAT catalogue in Turtle": ("get", "/catalogue.ttl?page=1", {}, everyone(200)),
    "DCAT catalogue in JSON-LD": ("get", "/catalogue.jsonld", {}, everyone(200)),
    "a concept scheme": ("get", "/reference/gbt2260", {}, everyone(200)),
    "a concept scheme in JSON-LD": ("get", "/reference/gbt4754.jsonld", {}, everyone(200)),
    "application page": ("get", "/applications/{examined}", {}, staff("applicant")),
    "application step": ("get", "/applications/{examined}/steps/basics", {}, staff("applicant")),
    "material download": (
        "get",
        "/applications/{examined}/materials/{material}",
        {},
        staff("applicant", "panel_expert", "examiner", "registrar"),
    ),
    "applicant's PDF copy of the application": (
        "get",
        "/applications/{examined}/application.pdf",
        {},
        staff("applicant", "panel_expert", "examiner", "registrar"),
    ),
    "work queue": ("get", "/examine/", {}, staff("examiner", "registrar")),
    "examination case": ("get", "/examine/{examined}", {}, staff("examiner", "registrar")),
    "change requests queue": ("get", "/examine/changes", {}, staff("examiner", "registrar")),
    "reviews": ("get", "/review/", {}, staff("outside_expert", "panel_expert")),
    "review": ("get", "/review/{examined}", {}, staff("panel_expert")),
    # Experts act for their employer, which may file applications of its own. A person acting
    # for no organisation (the objector) has no page of an organisation's.
    "my applications": (
        "get",
        "/applications/",
        {},
        everyone(200, anonymous=LOGIN, examiner=404, registrar=404, objector=404),
    ),
    "withdraw": (
        "post",
        "/applications/{examined}/withdraw",
        {"confirm": "on"},
        staff("applicant", ok=302),
    ),
    "decide (panel incomplete)": (
        "post",
        "/examine/{examined}/act",
        {"action": "approve"},
        staff("examiner", "registrar", ok=409),
    ),
    "record an opinion": (
        "post",
        "/review/{examined}",
        {"approves": "yes", "opinion": "好"},
        staff("panel_expert", ok=302),
    ),
    "assign an expert": (
        "post",
        "/examine/{examined}/assign",
        {"expert": "{outside_expert_id}"},
        staff("registrar", ok=302),
    ),
    "manage a registration": (
        "get",
        "/applications/{registered}/rights/",
        {},
        staff("applicant"),
    ),
    "record a licence": (
        "post",
        "/applications/{registered}/rights/licence",
        {"licensee": "{other_identifier}", "kind": "ordinary", "scope": "分析"},
        staff("applicant", ok=422),  # the holder's form names the missing fields
    ),
    "licences granted to us": (
        "get",
        "/licences/",
        {},
        everyone(200, anonymous=LOGIN, examiner=404, registrar=404, objector=404),
    ),
    "encumbrance search": (
        "get",
        "/bank/encumbrances?registration_number=X1",
        {},
        everyone(200, anonymous=LOGIN, examiner=404, registrar=404, objector=404),
    ),
    "pledges a bank holds": (
        "get",
        "/bank/pledges/",
        {},
        everyone(200, anonymous=LOGIN, examiner=404, registrar=404, objector=404),
    ),
    "register a pledge (on an unregistered application)": (
        "post",
        "/bank/pledges/new",
        {"registration_number": "X1", "amount": "1", "starts": "2026-05-01", "ends": "2026-06-01"},
        everyone(422, anonymous=LOGIN, examiner=404, registrar=404, objector=404),
    ),
    "pledges to confirm": (
        "get",
        "/pledges/waiting",
        {},
        everyone(200, anonymous=LOGIN, examiner=404, registrar=404, objector=404),
    ),
    "confirm a pledge that does not wait": (
        "post",
        "/pledges/999999/confirm",
        {"confirm": "on"},
        everyone(404, anonymous=LOGIN),
    ),
    "release a pledge one does not hold": (
        "post",
        "/bank/pledges/999999/release",
        {"confirm": "on", "reason": "x"},
        everyone(404, anonymous=LOGIN),
    ),
    # Sealed records and requests for consent (a real pledge: tests/web/test_bank_consents.py)
    "encumbrance statement (PDF)": (
        "get",
        "/bank/encumbrances/{registered_number}/statement.pdf",
        {},
        everyone(200, anonymous=LOGIN, examiner=404, registrar=404, objector=404),
    ),
    "a decision's document one cannot see": (
        "get",
        "/applications/{registered}/decision-files/999999",
        {},
        everyone(404, anonymous=LOGIN),
    ),
    "pledge certificate of a pledge one cannot see": (
        "get",
        "/pledges/999999/certificate.pdf",
        {},
        everyone(404, anonymous=LOGIN),
    ),
    "requests for the bank's consent": (
        "get",
        "/bank/consents",
        {},
        everyone(200, anonymous=LOGIN, examiner=404, registrar=404, objector=404),
    ),
    "give a consent not asked of one": (
        "post",
        "/bank/consents/999999/give",
        {"confirm": "on"},
        everyone(404, anonymous=LOGIN),
    ),
    "refuse a consent not asked of one": (
        "post",
        "/bank/consents/999999/refuse",
        {"confirm": "on", "reason": "x"},
        everyone(404, anonymous=LOGIN),
    ),
    "ask the pledgee's consent (form; no pledge stands)": (
        "get",
        "/applications/{registered}/rights/consent",
        {},
        staff("applicant"),
    ),
    # Transfers: the holder proposes and withdraws; the parties confirm or decline
    "propose a transfer (form)": (
        "get",
        "/applications/{registered}/rights/transfer",
        {},
        staff("applicant"),
    ),
    "propose a transfer (unknown assignee)": (
        "post",
        "/applications/{registered}/rights/transfer",
        {"assignee": "X1", "contract_date": "2026-05-01", "confirmed": "True"},
        staff("applicant", ok=422),
    ),
    "withdraw a transfer one did not propose": (
        "post",
        "/applications/{registered}/rights/transfers/999999/withdraw",
        {"confirmed": "True"},
        everyone(404, anonymous=LOGIN),
    ),
    "transfers to confirm": (
        "get",
        "/transfers/waiting",
        {},
        everyone(200, anonymous=LOGIN, examiner=404, registrar=404, objector=404),
    ),
    "confirm a transfer that does not wait": (
        "post",
        "/transfers/999999/confirm",
        {"confirm": "on"},
        everyone(404, anonymous=LOGIN),
    ),
    "decline a transfer that does not wait": (
        "post",
        "/transfers/999999/decline",
        {"confirm": "on", "reason": "x"},
        everyone(404, anonymous=LOGIN),
    ),
    # The registrar on a registered right; the queue after registration; API tokens
    "pending after registration": ("get", "/examine/pending", {}, staff("examiner", "registrar")),
    "correct the particulars": (
        "get",
        "/examine/{registered}/correct",
        {},
        staff("registrar"),
    ),
    "correct without confirming": (
        "post",
        "/examine/{registered}/correct",
        {"reason": "笔误"},
        staff("registrar", ok=422),
    ),
    "re-issue the certificate": ("get", "/examine/{registered}/reissue", {}, staff("registrar")),
    "re-issue without confirming": (
        "post",
        "/examine/{registered}/reissue",
        {"ground": "lost", "reason": "遗失"},
        staff("registrar", ok=422),
    ),
    "API tokens": ("get", "/account/tokens", {}, everyone(200, anonymous=LOGIN, objector=404)),
    "revoke a token one cannot see": (
        "post",
        "/account/tokens/999999/revoke",
        {"confirm": "on"},
        everyone(404, anonymous=LOGIN),
    ),
    # The notification centre: every signed-in person's own notices
    "notifications": ("get", "/notifications/", {}, everyone(200, anonymous=LOGIN)),
    "unread notifications": ("get", "/notifications/?unread=1", {}, everyone(200, anonymous=LOGIN)),
    "mark all notifications read": (
        "post",
        "/notifications/read",
        {},
        everyone(302, anonymous=LOGIN),
    ),
    "mark the applicant's notification read": (
        "post",
        "/notifications/{applicant_notice}/read",
        {},
        everyone(404, anonymous=LOGIN, applicant=302),
    ),
    "notification settings": (
        "get",
        "/account/notifications/settings",
        {},
        everyone(200, anonymous=LOGIN),
    ),
    "save notification settings": (
        "post",
        "/account/notifications/settings",
        {"email": "examination"},
        everyone(302, anonymous=LOGIN),
    ),
    "rotate a token one cannot see": (
        "post",
        "/account/tokens/999999/rotate",
        {"confirm": "on"},
        everyone(404, anonymous=LOGIN),
    ),
    # The organisation: members of one (each persona's first user is its administrator)
    "organisation": ("get", "/account/organisation/", {}, staff(*MEMBERS)),
    "organisation's audit trail": ("get", "/account/organisation/activity", {}, staff(*MEMBERS)),
    "change the role of someone else's member": (
        "post",
        "/account/organisation/members/{outside_expert_id}/role",
        {"role": "member"},
        everyone(404, anonymous=LOGIN, outside_expert=403),  # itself, its last administrator
    ),
    "remove someone else's member": (
        "post",
        "/account/organisation/members/{outside_expert_id}/remove",
        {"confirm": "on"},
        staff("outside_expert", ok=403),  # itself: the last administrator of Institute Z
    ),
    "withdraw an invitation one cannot see": (
        "post",
        "/account/organisation/invitations/999999/withdraw",
        {"confirm": "on"},
        everyone(404, anonymous=LOGIN),
    ),
    "invite without an address": (
        "post",
        "/account/organisation/invite",
        {"role": "member", "language": "en"},
        staff(*MEMBERS, ok=422),
    ),
    "an invitation that does not exist": ("get", "/account/invitation/nonsense", {}, everyone(404)),
    # Identity of organisations (主体认证): one's own verification; the registrar's queue
    "organisation verification": (
        "get",
        "/account/verification",
        {},
        everyone(200, anonymous=LOGIN, examiner=404, registrar=404, objector=404),
    ),
    "upload nothing for verification": (
        "post",
        "/account/verification",
        {},
        everyone(422, anonymous=LOGIN, examiner=404, registrar=404, objector=404),
    ),
    "organisations to verify": ("get", "/examine/organisations", {}, staff("registrar")),
    "an organisation to verify": (
        "get",
        "/examine/organisations/organisation/{pending_org}",
        {},
        staff("registrar"),
    ),
    "an organisation's identity document": (
        "get",
        "/examine/organisations/organisation/{pending_org}/documents/{pending_document}",
        {},
        staff("registrar"),
    ),
    "decide on an organisation without confirming": (
        "post",
        "/examine/organisations/organisation/{pending_org}",
        {"decision": "approve"},
        staff("registrar", ok=422),
    ),
    # People's accounts and staff sign-in
    "profile": ("get", "/account/", {}, everyone(200, anonymous=LOGIN)),
    "change the password": ("get", "/account/password", {}, everyone(200, anonymous=LOGIN)),
    "reset the password": ("get", "/account/password/reset", {}, everyone(200)),
    "a reset link that is not valid": (
        "get",
        "/account/password/reset/MQ/bad-token",
        {},
        everyone(200),
    ),
    "an e-mail verification link that is not valid": (
        "get",
        "/account/verify-email/bad",
        {},
        everyone(410),
    ),
    "an enrolment link that is not valid": ("get", "/account/enrol/MQ/bad", {}, everyone(410)),
    "second factor": (
        "get",
        "/account/two-factor",
        {},
        everyone(
            403,
            anonymous=LOGIN,
            outside_expert=200,
            panel_expert=200,
            examiner=200,
            registrar=200,
        ),
    ),
    "new recovery codes without confirming": (
        "post",
        "/account/recovery-codes",
        {},
        staff("outside_expert", "panel_expert", "examiner", "registrar", ok=302),
    ),
    "staff accounts": ("get", "/examine/staff", {}, staff("registrar")),
    "create a staff account without its fields": (
        "post",
        "/examine/staff",
        {},
        staff("registrar", ok=422),
    ),
    "deactivate a staff account without confirming": (
        "post",
        "/examine/staff/{outside_expert_id}/deactivate",
        {},
        staff("registrar", ok=302),
    ),
    "re-send an enrolment link without confirming": (
        "post",
        "/examine/staff/{outside_expert_id}/enrolment",
        {},
        staff("registrar", ok=302),
    ),
    "file an objection": (
        "post",
        "/announcements/{announced_number}/objection",
        {"ground": "other", "statement": "异议"},
        everyone(302, applicant=403),
    ),
    # Objections, both sides
    "my objections": ("get", "/objections/", {}, everyone(200, anonymous=LOGIN)),
    "an objection by its reference": (
        "get",
        "/objections/{reference}",
        {},
        everyone(404, anonymous=LOGIN, objector=200),
    ),
    "objections to decide": ("get", "/examine/objections", {}, staff("examiner", "registrar")),
    "an objection to answer": (
        "get",
        "/applications/{announced}/objections/{objection}",
        {},
        staff("applicant"),
    ),
    "answer without confirming": (
        "post",
        "/applications/{announced}/objections/{objection}",
        {"statement": "答辩"},
        staff("applicant", ok=422),
    ),
    "an objection's evidence file": (
        "get",
        "/objections/{objection}/files/{objection_file}",
        {},
        staff("applicant", "examiner", "registrar"),
    ),
    # The public event feeds and the organisation's webhooks (docs/platforms.md)
    "event feed (Atom)": ("get", "/feed.atom", {}, everyone(200)),
    "event feed (JSON Feed)": ("get", "/feed.json?kind=registrations", {}, everyone(200)),
    "webhooks": ("get", "/account/webhooks", {}, staff(*MEMBERS)),
    "add a webhook with a bad URL": (
        "post",
        "/account/webhooks",
        {"url": "ftp://example.cn/hook", "topic": "all"},
        staff(*MEMBERS, ok=422),
    ),
    "a webhook one cannot see": (
        "get",
        "/account/webhooks/999999",
        {},
        everyone(404, anonymous=LOGIN),
    ),
    "ping a webhook one cannot see": (
        "post",
        "/account/webhooks/999999/ping",
        {},
        everyone(404, anonymous=LOGIN),
    ),
    "delete a webhook one cannot see": (
        "post",
        "/account/webhooks/999999/delete",
        {"confirm": "on"},
        everyone(404, anonymous=LOGIN),
    ),
    # Platforms: the display widget and the bulk export (public)
    "display badge": ("get", "/registry/{registered_number}/badge.svg", {}, everyone(200)),
    "display badge frame": ("get", "/registry/{registered_number}/badge.html", {}, everyone(200)),
    "embed page": ("get", "/registry/{registered_number}/embed", {}, everyone(200)),
    "badge before announcement": (
        "get",
        "/registry/{examined_number}/badge.svg",
        {},
        everyone(404),
    ),
    "exports page": ("get", "/exports/", {}, everyone(200)),
    "export as JSON Lines": ("get", "/exports/registrations.jsonl", {}, everyone(200)),
    "export as CSV": ("get", "/exports/registrations.csv", {}, everyone(200)),
}
# A data exchange's pages (web/views/exchange.py): no persona here acts for a data exchange
# (tests/web/test_exchange_pages.py visits them as one); the holder's side of a referral is
# the applicant's.
MATRIX.update(
    {
        "exchange home": ("get", "/exchange/", {}, staff()),
        "check a registration to list": (
            "get",
            "/exchange/listings/new?number={registered_number}",
            {},
            staff(),
        ),
        "list a product": ("post", "/exchange/listings/new", {}, staff()),
        "edit a listing": ("get", "/exchange/listings/1/", {}, staff()),
        "delist a product": ("post", "/exchange/listings/1/end", {"confirm": "on"}, staff()),
        "pre-fill an application": ("get", "/exchange/referrals/new", {}, staff()),
        "withdraw a referral": (
            "post",
            "/exchange/referrals/{referral}/withdraw",
            {"confirm": "on"},
            staff(),
        ),
        "a referral to the holder": ("get", "/referrals/{referral}/", {}, staff("applicant")),
        "start a draft from a referral": (
            "post",
            "/referrals/{referral}/",
            {},
            staff("applicant", ok=302),
        ),
        "decline a referral without confirming": (
            "post",
            "/referrals/{referral}/decline",
            {},
            staff("applicant", ok=422),
        ),
    }
)
# Trade reports (交易所交易报送): no persona here is an exchange (its pages are tested in
# tests/web/test_trade_reports_pages.py); the holder disputes, the registrar looks.
MATRIX.update(
    {
        "an exchange's trade reports": (
            "get",
            "/exchange/trades",
            {},
            everyone(404, anonymous=LOGIN),
        ),
        "report a trade as an exchange": (
            "get",
            "/exchange/trades/new",
            {},
            everyone(404, anonymous=LOGIN),
        ),
        "an exchange's trade report": (
            "get",
            "/exchange/trades/{reported_trade}",
            {},
            everyone(404, anonymous=LOGIN),
        ),
        "dispute a trade report": (
            "post",
            "/applications/{registered}/rights/trade-reports/{reported_trade}/dispute",
            {"reason": "金额不符", "confirm": "on"},
            staff("applicant", ok=302),
        ),
        "disputed trade reports": ("get", "/examine/trade-reports", {}, staff("registrar")),
    }
)
MATRIX.update(
    {
        "help centre": ("get", "/help/", {}, everyone(200)),
        "material template": ("get", "/help/templates/product_summary.md", {}, everyone(200)),
        "unknown material template": ("get", "/help/templates/samples.md", {}, everyone(404)),
    }
)
MATRIX.update(
    {
        "staff dashboard": ("get", "/examine/dashboard", {}, staff("examiner", "registrar")),
        "filtered work queue": (
            "get",
            "/examine/?status=registered&overdue=1&sort=number&q=数据",
            {},
            staff("examiner", "registrar"),
        ),
        "work queue of an unknown status": (
            "get",
            "/examine/?status=nonsense",
            {},
            staff("examiner", "registrar", ok=400),
        ),
        "save a queue view": (
            "post",
            "/examine/views",
            {"name": "mine", "query": "status=submitted"},
            staff("examiner", "registrar", ok=302),
        ),
        "record an expert's expertise": (
            "post",
            "/examine/staff/{outside_expert_id}/expertise",
            {"expertise": "65"},
            staff("registrar", ok=302),
        ),
        "delete a saved view not one's own": (
            "post",
            "/examine/views/999999/delete",
            {},
            staff(),
        ),
    }
)
PAGES = [key for key, row in MATRIX.items() if row[0] == "get"]
ACTIONS = [(key, persona) for key, row in MATRIX.items() if row[0] != "get" for persona in PERSONAS]


def _referral(world: World) -> int:
    """A referral made to the applicant's organisation by a verified exchange (first use)."""
    made: int | None = getattr(world, "_referral_id", None)
    if made is None:
        exchange = exchange_member()
        made = listings.create_referral(
            actor=exchange.actor,
            holder_identifier=world.personas.applicant.holder.identifier,
            kind="data_collection",
            values={"name": "预填数据集"},
            listing_reference="SDE-9",
        ).pk
        setattr(world, "_referral_id", made)  # noqa: B010
    return made


def fill(template: str, world: World) -> str:
    material = world.examined.materials.first()
    assert material is not None
    registered = world.registered.pk if "{registered}" in template else 0
    registered_number = (
        world.registered.registration_number if "{registered_number}" in template else ""
    )
    other = world.personas.other_applicant.holder.identifier
    objection = Objection.objects.get(application=world.announced)
    notice = Notification.objects.filter(recipient=world.personas.applicant.user).first()
    pending_org, pending_document = (
        world.pending_organisation() if "{pending_" in template else (0, 0)
    )
    reported_trade = world.reported_trade() if "{reported_trade}" in template else 0
    return template.format(
        referral=_referral(world) if "{referral}" in template else 0,
        reported_trade=reported_trade,
        applicant_notice=notice.pk if notice else 0,
        pending_org=pending_org,
        pending_document=pending_document,
        announced=world.announced.pk,
        objection=objection.pk,
        objection_file=objection.evidence.get().pk,
        reference=objection.reference,
        registered=registered,
        registered_number=registered_number,
        other_identifier=other,
        examined=world.examined.pk,
        examined_number=world.examined.number,
        announced_number=world.announced.number,
        material=material.pk,
        outside_expert_id=world.outside_expert.pk,
    )


def _mismatch(world: World, client: Client, key: str, persona: str) -> str:
    """'' if ``persona`` gets the status the matrix expects for row ``key``, else what went
    wrong."""
    method, template, data, expected = MATRIX[key]
    url = fill(template, world)
    payload = {name: fill(value, world) for name, value in data.items()}
    response = client.get(url) if method == "get" else client.post(url, payload)
    if hasattr(response, "streaming_content"):
        read_download(response)
    if response.status_code != expected[persona]:
        return f"{key} as {persona}: {response.status_code}, expected {expected[persona]}"
    sent_to_login = persona == "anonymous" and expected[persona] == LOGIN
    if (
        sent_to_login
        and key != "file an objection"
        and not response["Location"].startswith("/account/login")
    ):
        return f"{key} as {persona}: redirected to {response['Location']}, not the login"
    return ""


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages(world: World, persona: str) -> None:
    """Every page of the matrix (the GET rows) as one persona, on one world: reading a page
    changes nothing another row depends on."""
    client: Client = client_for(world.user(persona))
    wrong = [m for key in PAGES if (m := _mismatch(world, client, key, persona))]
    assert wrong == []


@pytest.mark.parametrize(("key", "persona"), ACTIONS, ids=[f"{k}-{p}" for k, p in ACTIONS])
def test_actions(world: World, key: str, persona: str) -> None:
    """Every action of the matrix (the POST rows) as each persona, each on a world of its own."""
    assert _mismatch(world, client_for(world.user(persona)), key, persona) == ""


@pytest.mark.parametrize("persona", PERSONAS)
def test_nothing_confidential_or_unannounced_reaches_the_public_pages(
    world: World, persona: str
) -> None:
    client = client_for(world.user(persona))
    pages = [
        "/",
        "/search?q=数据集",
        "/announcements",
        "/statistics",
        "/statistics.csv?table=industries",
        "/help/",
        f"/registry/{world.announced.number}",
        "/feed.atom",
        "/feed.json",
        f"/registry/{world.announced.number}.ttl",
        f"/registry/{world.announced.number}.jsonld",
        f"/registry/{world.announced.number}/croissant.json",
        "/catalogue.ttl",
        "/catalogue.jsonld",
    ]
    for url in pages:
        text = client.get(url).content.decode()
        assert "保密审查数据集" not in text, url
        for secret in ("用户协议授权", "保密的算法细节", "多源融合", "91310000000000001"):
            assert secret not in text, (url, secret)


def test_other_applicant_cannot_see_confidential_fields(world: World) -> None:
    client = client_for(world.personas.other_applicant.user)
    assert client.get(f"/applications/{world.announced.pk}").status_code == 404
    text = client.get(f"/registry/{world.announced.number}").content.decode()
    assert "公示中的数据集" in text
    assert "用户协议授权" not in text
