"""Identity decisions tell the people they concern (账户与组织通知), in the decision's
transaction: the registrars of a case that starts waiting, the members of an organisation
verified or refused, the claimant of a dispute granted or refused; and the organisation's audit
trail records the decisions, the claimant who joined and the documents uploaded."""

from __future__ import annotations

import io
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.db import transaction

from dataip.accounts.models import (
    MailOutbox,
    Notification,
    OrganisationActivity,
    OrgRole,
    User,
)
from dataip.registry import notices
from dataip.registry.mail import deliver_due
from dataip.registry.services import identity
from dataip.registry.verifiers import _load
from dataip.registry.workflow import Notice
from tests.registry.test_identity import documents, sign_up
from tests.support.builders import PDF
from tests.support.mailbox import Inbox, smtp  # noqa: F401 - the fixture
from tests.support.personas import Personas, make_person, valid_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_verifier() -> None:
    _load.cache_clear()


def told(kind: Notice) -> dict[str, Notification]:
    """Who was told ``kind``: user name → notice."""
    found = Notification.objects.filter(kind=kind).select_related("recipient")
    return {n.recipient.username: n for n in found}


def registrar_names() -> set[str]:
    return set(User.objects.filter(is_registrar=True).values_list("username", flat=True))


def trail(holder_id: int) -> list[str]:
    return list(
        OrganisationActivity.objects.filter(holder_id=holder_id)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_new_organisation_and_a_dispute_are_announced_to_the_registrars(
    personas: Personas,
) -> None:
    sign_up("newco", valid_uscc(71), documents=documents(), org_name="新公司")
    sign_up("claimant", personas.applicant.holder.identifier, org_name="甲公司")
    waiting = told(Notice.ORGANISATION_WAITING)
    disputes = told(Notice.DISPUTE_WAITING)
    assert set(waiting) == registrar_names() == set(disputes)
    assert personas.registrar.user.username in waiting
    zh = notices.render(Notice.DISPUTE_WAITING, disputes[personas.registrar.user.username].params)
    en = notices.render(
        Notice.DISPUTE_WAITING, disputes[personas.registrar.user.username].params, "en"
    )
    assert "甲公司" in zh[0]
    assert "争议" in zh[1]
    assert en[0].startswith("A claim on an organisation waits")
    assert "甲公司" in en[1]
    # The claimant is told nothing that a new organisation's founder is not told.
    assert not Notification.objects.filter(recipient__username__in=["newco", "claimant"])


def test_the_members_are_told_the_registrars_decision_and_the_trail_records_it(
    personas: Personas,
) -> None:
    registrar = personas.registrar
    one = sign_up("one", valid_uscc(72), documents=documents(), org_name="壹公司")
    two = sign_up("two", valid_uscc(73), documents=documents(), org_name="贰公司")
    assert one.holder is not None
    assert two.holder is not None
    colleague = make_person("one-b", one.holder).user
    identity.approve_organisation(one.holder.pk, actor=registrar.actor)
    verified = told(Notice.ORGANISATION_VERIFIED)
    assert set(verified) == {"one", colleague.username}
    subject, text = notices.render(Notice.ORGANISATION_VERIFIED, verified["one"].params, "en")
    assert subject == "Organisation verified: 壹公司"
    assert "may now submit" in text
    assert trail(one.holder.pk) == ["organisation_verified"]
    row = OrganisationActivity.objects.get(holder=one.holder)
    assert row.user_id == registrar.user.pk

    identity.refuse_organisation(two.holder.pk, actor=registrar.actor, reason="执照不清晰")
    refused = told(Notice.ORGANISATION_REFUSED)
    assert set(refused) == {"two"}
    zh = notices.render(Notice.ORGANISATION_REFUSED, refused["two"].params, "zh-hans")
    assert "执照不清晰" in zh[1]
    assert "未通过" in zh[0]
    assert trail(two.holder.pk) == ["organisation_refused"]

    # Uploading again puts it back in the registrar's queue: the registrars are told again.
    before = Notification.objects.filter(kind=Notice.ORGANISATION_WAITING).count()
    identity.upload_documents(two.user, {"business_licence": ("l.pdf", io.BytesIO(PDF))})
    after = Notification.objects.filter(kind=Notice.ORGANISATION_WAITING).count()
    assert after - before == len(registrar_names())
    assert trail(two.holder.pk) == ["organisation_refused", "documents_uploaded"]
    uploaded = OrganisationActivity.objects.get(holder=two.holder, action="documents_uploaded")
    assert uploaded.detail["documents"] == ["business_licence"]


def test_a_granted_dispute_makes_the_claimant_administrator_and_tells_it(
    personas: Personas,
) -> None:
    holder = personas.applicant.holder
    heir = sign_up("heir", holder.identifier)
    impostor = sign_up("impostor", holder.identifier)
    assert heir.claim is not None
    assert impostor.claim is not None
    User.objects.filter(username="heir").update(org_role=OrgRole.READ_ONLY)  # not by default
    identity.grant_claim(heir.claim.pk, actor=personas.registrar.actor)
    joined = User.objects.get(username="heir")
    assert joined.holder_id == holder.pk
    assert joined.org_role == OrgRole.ADMINISTRATOR
    row = OrganisationActivity.objects.get(holder=holder, action="member_joined")
    assert row.detail == {"username": "heir", "role": "administrator", "by": "registrar"}
    assert row.user_id == personas.registrar.user.pk
    assert set(told(Notice.DISPUTE_GRANTED)) == {"heir"}
    en = notices.render(Notice.DISPUTE_GRANTED, told(Notice.DISPUTE_GRANTED)["heir"].params, "en")
    assert holder.name in en[1]
    assert "administrator" in en[1]

    identity.refuse_claim(impostor.claim.pk, actor=personas.registrar.actor, reason="非法定代表人")
    refused = told(Notice.DISPUTE_REFUSED)
    assert set(refused) == {"impostor"}
    assert "非法定代表人" in notices.render(Notice.DISPUTE_REFUSED, refused["impostor"].params)[1]
    # The organisation's members are not told of a refused claim on it.
    assert not Notification.objects.filter(recipient__holder=holder).exclude(
        recipient__username="heir"
    )


def test_a_decision_rolled_back_tells_nobody_and_records_nothing(personas: Personas) -> None:
    done = sign_up("rolled", valid_uscc(74), documents=documents())
    assert done.holder is not None
    before = Notification.objects.count()
    written: list[str] = []

    def decide_then_fail(holder_id: int) -> None:
        with transaction.atomic():
            identity.approve_organisation(holder_id, actor=personas.registrar.actor)
            written.extend(told(Notice.ORGANISATION_VERIFIED))
            raise RuntimeError("the request failed after the decision")

    with pytest.raises(RuntimeError):
        decide_then_fail(done.holder.pk)
    assert written == ["rolled"], "written inside the transaction"
    assert Notification.objects.count() == before
    assert not MailOutbox.objects.filter(notification__kind=Notice.ORGANISATION_VERIFIED)
    assert trail(done.holder.pk) == []


def test_the_decision_is_mailed_in_the_members_language_as_chosen(
    personas: Personas,
    smtp: Inbox,  # noqa: F811 - the fixture
    settings: Any,
) -> None:
    done = sign_up("mailed", valid_uscc(75), documents=documents(), org_name="邮件公司")
    assert done.holder is not None
    User.objects.filter(username="mailed").update(language="en")
    quiet = make_person("quiet", done.holder).user
    quiet.email = "quiet@example.cn"
    quiet.save()
    notices.set_email_preferences(quiet.pk, ["examination"])  # account notices: centre only
    deliver_due()  # the registrars' mail about the new organisation
    smtp.messages.clear()
    identity.approve_organisation(done.holder.pk, actor=personas.registrar.actor)
    assert deliver_due() == {"mail_sent": 1, "mail_skipped": 1}
    (message,) = smtp.messages
    assert message["To"] == "mailed@example.cn"
    assert str(make_header(decode_header(message["Subject"]))) == "Organisation verified: 邮件公司"
    assert message["X-Dataip-Notice"] == Notice.ORGANISATION_VERIFIED
