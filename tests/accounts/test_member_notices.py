"""Members are told what the organisation's administrators do to them (账户与组织通知): an
invitee who has an account finds the invitation in the notification centre too, a member is told
of a new role and of being removed; in the transaction of the change, in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from dataip.accounts import organisation as org
from dataip.accounts.models import MailOutbox, Notification, OrgRole
from dataip.registry import notices
from dataip.registry.workflow import Notice
from tests.support.mailbox import Inbox, free_port, smtp  # noqa: F401 - the fixture
from tests.support.personas import Personas, make_person

pytestmark = pytest.mark.django_db


def kinds_of(username: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient__username=username)
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_an_invitee_with_an_account_is_told_in_the_centre_too(
    personas: Personas,
    smtp: Inbox,  # noqa: F811 - the fixture
) -> None:
    free = make_person("free").user
    free.email = "free@elsewhere.example"
    free.save()
    taken = personas.other_applicant.user  # acts for another organisation: cannot join
    taken.email = "taken@beta.example"
    taken.save()
    staff = personas.examiner.user
    staff.email = "examiner@registry.example"
    staff.save()
    admin = personas.applicant.user
    org.invite(admin, email="Free@Elsewhere.example", role="read_only")
    org.invite(admin, email="taken@beta.example", role="member")
    org.invite(admin, email="examiner@registry.example", role="member")
    org.invite(admin, email="nobody@alpha.example", role="member")
    assert len(smtp.messages) == 4, "every invitee gets the mail with the link"
    invited = Notification.objects.filter(kind=Notice.INVITED)
    assert [n.recipient_id for n in invited] == [free.pk]
    notice = invited.get()
    assert not MailOutbox.objects.filter(notification=notice), "the invitation mail suffices"
    holder = personas.applicant.holder.name
    zh = notices.render(notice.kind, notice.params, "zh-hans")
    en = notices.render(notice.kind, notice.params, "en")
    assert holder in zh[0]
    assert "只读成员" in zh[1]
    assert en[1].startswith(f"You are invited to join {holder} as read-only.")


def test_no_notice_is_left_when_the_invitation_mail_fails(
    personas: Personas, settings: Any
) -> None:
    free = make_person("free").user
    free.email = "free@elsewhere.example"
    free.save()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    with pytest.raises(org.MailNotSent):
        org.invite(personas.applicant.user, email="free@elsewhere.example", role="member")
    assert not Notification.objects.filter(kind=Notice.INVITED)


def test_a_member_is_told_of_a_new_role_and_of_being_removed(personas: Personas) -> None:
    admin = personas.applicant.user
    alpha = personas.applicant.holder
    member = make_person("member", alpha).user
    member.language = "en"
    member.save()
    org.change_role(admin, member.pk, OrgRole.READ_ONLY)
    org.change_role(admin, member.pk, OrgRole.READ_ONLY)  # no change: nothing to tell
    org.remove_member(admin, member.pk)
    assert kinds_of("member") == [Notice.ROLE_CHANGED, Notice.MEMBER_REMOVED]
    changed, removed = Notification.objects.filter(recipient=member).order_by("id")
    assert notices.render(changed.kind, changed.params, "en")[1] == (
        f"Your role in {alpha.name} is now read-only."
    )
    assert "只读成员" in notices.render(changed.kind, changed.params, "zh-hans")[1]
    subject, text = notices.render(removed.kind, removed.params, "en")
    assert subject == f"You left {alpha.name}"
    assert "stays recorded" in text
    assert MailOutbox.objects.filter(notification__recipient=member).count() == 0, "no address"
    # The administrator is not told of its own act.
    org.change_role(admin, personas.conflicted_expert.user.pk, OrgRole.ADMINISTRATOR)
    org.change_role(admin, admin.pk, OrgRole.MEMBER)
    assert kinds_of(admin.username) == []


def test_a_refused_change_tells_nobody(personas: Personas) -> None:
    admin = personas.applicant.user
    org.change_role(admin, personas.conflicted_expert.user.pk, OrgRole.MEMBER)
    with pytest.raises(Exception, match="at least one administrator"):
        org.remove_member(admin, admin.pk)
    assert kinds_of(admin.username) == []
    assert kinds_of(personas.conflicted_expert.user.username) == [Notice.ROLE_CHANGED]
