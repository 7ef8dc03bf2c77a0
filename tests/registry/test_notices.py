"""Notices (通知): each transition that concerns a person tells the right people, in their
language, in the same transaction as the event; a rolled-back transition tells nobody."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import transaction

from dataip.accounts.models import MailOutbox, Notification, User
from dataip.certificates.issue import record_due_certificate
from dataip.errors import ValidationFailed
from dataip.registry import notices
from dataip.registry.queries import notifications as found
from dataip.registry.services import changes, examination, licensing, pledges, publicity
from dataip.registry.services.applications import create_holder
from dataip.registry.workflow import TRANSITIONS, Notice, Status
from dataip.upkeep.tick import deadlines_approaching
from tests.support.builders import PDF, at_stage, day
from tests.support.personas import Person, Personas, make_person, valid_uscc

pytestmark = pytest.mark.django_db


def kinds_for(user: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True)
    )


def with_mail(person: Person, language: str = "zh-hans") -> None:
    person.user.email = f"{person.user.username}@example.test"
    person.user.language = language
    person.user.save()


@pytest.fixture
def bank(db: None) -> Person:
    holder = create_holder(
        kind="legal_person", name="丙银行 Bank C", identifier=valid_uscc(50), province_code="31"
    )
    return make_person("banker", holder)


def test_every_declared_notice_has_recipients_and_text_in_both_languages() -> None:
    declared = {n for rule in TRANSITIONS.values() for n in rule.notify}
    assert declared <= set(notices.NOTICES)
    assert set(Notice) == set(notices.NOTICES), "one row per notice kind"
    for kind, text in notices.NOTICES.items():
        assert text.to, kind
        params = {"number": "N1", "product": "数据", "product_en": "Data"}
        if text.group is notices.Group.ACCOUNT:  # about an organisation, not an application
            params = {"organisation": "N1", "reason": "R", "role": "member"}
        zh = notices.render(kind, params, "zh-hans")
        en = notices.render(kind, params, "en")
        assert zh != en, f"{kind} is not translated"
        assert "N1" in zh[0] + zh[1]
        assert "N1" in en[0] + en[1]


def test_a_correction_request_tells_the_holder_with_its_deadline_in_their_language(
    personas: Personas,
) -> None:
    with_mail(personas.applicant, "en")
    app = at_stage(personas, Status.FORMAL_EXAMINATION)
    examination.request_correction(
        app.pk, actor=personas.examiner.actor, reason="Add the source agreement", at=day(3)
    )
    notice = Notification.objects.get(recipient=personas.applicant.user)
    assert notice.kind == Notice.CORRECTION_REQUESTED
    app.refresh_from_db()
    assert app.correction_due is not None
    due = app.correction_due.isoformat()
    assert notice.params["due"] == due
    subject, text = notices.render(notice.kind, notice.params, "en")
    assert subject.startswith("Correction requested")
    assert due in text
    assert "Add the source agreement" in text
    zh_subject, zh_text = notices.render(notice.kind, notice.params, "zh-hans")
    assert "补正" in zh_subject
    assert due in zh_text
    assert MailOutbox.objects.filter(notification=notice, status="pending").count() == 1
    assert kinds_for(personas.examiner.user) == [], "the examiner acted; not told"
    assert kinds_for(personas.other_applicant.user) == []


def test_a_rolled_back_transition_leaves_no_notice_and_no_mail(personas: Personas) -> None:
    with_mail(personas.applicant)
    app = at_stage(personas, Status.FORMAL_EXAMINATION)
    written = []

    def correct_then_fail() -> None:
        with transaction.atomic():
            examination.request_correction(
                app.pk, actor=personas.examiner.actor, reason="Fix it", at=day(3)
            )
            written.append(Notification.objects.count())
            raise RuntimeError("the caller's transaction fails after the transition")

    with pytest.raises(RuntimeError):
        correct_then_fail()
    assert written == [2], "both members of the holder, inside the transaction"
    assert Notification.objects.count() == 0
    assert MailOutbox.objects.count() == 0
    with pytest.raises(ValidationFailed):  # a refused transition writes nothing either
        examination.request_correction(app.pk, actor=personas.examiner.actor, reason=" ")
    assert Notification.objects.count() == 0


def test_objections_tell_the_holder_when_filed_and_holder_and_objector_when_decided(
    personas: Personas,
) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    objection = publicity.file_objection(
        app.pk,
        actor=personas.objector.actor,
        user=personas.objector.user,
        ground="ownership_dispute",
        statement="数据属于我方",
        evidence=[("proof.pdf", io.BytesIO(PDF))],
        at=day(8),
    )
    assert kinds_for(personas.applicant.user)[-1] == Notice.OBJECTION_FILED
    assert kinds_for(personas.objector.user) == []
    publicity.dismiss_objection(
        objection.pk, actor=personas.examiner.actor, reason="无证据", at=day(9)
    )
    assert kinds_for(personas.applicant.user)[-1] == Notice.OBJECTION_DECIDED
    assert kinds_for(personas.objector.user) == [Notice.OBJECTION_DECIDED]
    told = Notification.objects.get(recipient=personas.objector.user)
    _subject, text = notices.render(told.kind, told.params, "en")
    assert objection.reference
    assert objection.reference in text
    assert "dismissed" in text
    assert "驳回" in notices.render(told.kind, told.params, "zh-hans")[1]


def test_registration_and_the_certificate_are_told_to_the_holder(personas: Personas) -> None:
    app = at_stage(personas, Status.REGISTERED)
    record_due_certificate(app.pk)  # what the subscriber does after the commit
    kinds = kinds_for(personas.applicant.user)
    assert Notice.EXAMINATION_PASSED in kinds
    assert Notice.REGISTERED in kinds
    assert kinds[-1] == Notice.CERTIFICATE_ISSUED


def test_pledges_and_licences_tell_the_bank_and_the_licensee(
    personas: Personas, bank: Person
) -> None:
    app = at_stage(personas, Status.REGISTERED)
    pledge = pledges.pledge(
        app.pk,
        actor=personas.applicant.actor,
        pledgee_id=bank.holder.pk,
        amount="3000000",
        starts="2026-05-01",
        ends="2027-04-30",
        contract_reference="ZY-2026-01",
    )
    assert kinds_for(bank.user) == [Notice.PLEDGE_REGISTERED]
    assert Notice.PLEDGE_REGISTERED not in kinds_for(personas.applicant.user), "who acted"
    pledges.request_consent(pledge.pk, actor=personas.applicant.actor, purpose="transfer")
    assert kinds_for(bank.user)[-1] == Notice.CONSENT_REQUESTED
    licensing.grant_licence(
        app.pk,
        actor=personas.applicant.actor,
        kind="ordinary",
        starts="2026-05-01",
        ends="2026-12-31",
        scope="模型训练",
        territory="中国大陆",
        licensee_id=personas.other_applicant.holder.pk,
    )
    assert kinds_for(personas.other_applicant.user) == [Notice.LICENCE_RECORDED]
    pledges.release_pledge(pledge.pk, actor=bank.actor, reason="贷款已还清")
    assert kinds_for(personas.applicant.user)[-1] == Notice.PLEDGE_RELEASED


def test_deadlines_approaching_are_told_once(personas: Personas) -> None:
    app = at_stage(personas, Status.FORMAL_EXAMINATION)
    examination.request_correction(app.pk, actor=personas.examiner.actor, reason="补正", at=day(3))
    app.refresh_from_db()
    assert app.correction_due is not None
    early = day(3) + timedelta(days=10)
    assert deadlines_approaching(early) == {}
    week_before = day(3) + (app.correction_due - (day(3) + timedelta(hours=8)).date())
    week_before -= timedelta(days=5)
    assert deadlines_approaching(week_before) == {Notice.CORRECTION_DUE_SOON: 2}, "both members"
    assert deadlines_approaching(week_before + timedelta(days=1)) == {}, "told once"
    assert kinds_for(personas.applicant.user)[-1] == Notice.CORRECTION_DUE_SOON


def test_the_centre_reads_only_ones_own_notices_and_marks_them_read(personas: Personas) -> None:
    app = at_stage(personas, Status.FORMAL_EXAMINATION)
    examination.request_correction(app.pk, actor=personas.examiner.actor, reason="补正", at=day(3))
    mine = personas.applicant.user.pk
    assert found.unread_count(mine) == 1
    notice = Notification.objects.get(recipient_id=mine)
    assert notices.mark_read(personas.other_applicant.user.pk, [notice.pk]) == 0
    assert found.unread_count(mine) == 1
    assert notices.mark_read(mine, [notice.pk]) == 1
    assert found.unread_count(mine) == 0
    items, page, pages = found.notifications_for(mine)
    assert [i.kind for i in items] == [Notice.CORRECTION_REQUESTED]
    assert (page, pages) == (1, 1)


def test_a_proposed_transfer_asks_the_assignee_and_then_tells_both_sides(
    personas: Personas,
) -> None:
    app = at_stage(personas, Status.REGISTERED)
    transfer = changes.propose_transfer(
        app.pk,
        actor=personas.applicant.actor,
        assignee_id=personas.other_applicant.holder.pk,
        contract_date="2026-05-01",
        effective_date="2026-05-10",
    )
    assert kinds_for(personas.other_applicant.user) == [Notice.TRANSFER_TO_CONFIRM]
    assert Notice.TRANSFER_TO_CONFIRM not in kinds_for(personas.applicant.user)
    changes.confirm_transfer(transfer.pk, actor=personas.other_applicant.actor)
    assert kinds_for(personas.applicant.user)[-1] == Notice.TRANSFER_RECORDED
