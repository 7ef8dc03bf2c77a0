"""Organisations and members: invitations by real mail, roles, removal, the last administrator."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dataip.accounts import organisation as org
from dataip.accounts.models import Invitation, OrganisationActivity, OrgRole, User
from dataip.errors import NotFound, PermissionDenied, ValidationFailed
from tests.support.mailbox import Inbox, free_port, smtp  # noqa: F401 - the fixture
from tests.support.personas import Personas, make_person

pytestmark = pytest.mark.django_db


def _secret(inbox: Inbox) -> str:
    found = re.search(r"/account/invitation/([A-Za-z0-9_-]+)", inbox.body())
    assert found is not None, inbox.body()
    return found[1]


def test_an_invitation_goes_by_mail_in_the_language_chosen_and_works_once(
    personas: Personas,
    smtp: Inbox,  # noqa: F811 - the fixture
) -> None:
    admin = personas.applicant.user
    org.invite(admin, email="Li.Lei@Alpha.example", role="member")  # Chinese by default
    org.invite(admin, email="ann@alpha.example", role="read_only", language="en")
    assert [m["To"] for m in smtp.messages] == ["li.lei@alpha.example", "ann@alpha.example"]
    chinese, english = smtp.body(0), smtp.body(1)
    assert "邀请您以成员身份" in chinese
    assert "as read-only" in english
    secret = _secret(smtp)
    joined = org.sign_up_by_invitation(secret, username="ann", password="a long passphrase 42")
    assert joined.holder == personas.applicant.holder
    assert joined.org_role == OrgRole.READ_ONLY
    assert joined.email == "ann@alpha.example"
    with pytest.raises(org.InvitationClosed):
        org.invitation_for(secret)
    other = make_person("someone")
    with pytest.raises(org.InvitationClosed):
        org.accept_invitation(secret, other.user)
    assert User.objects.get(pk=other.user.pk).holder_id is None
    actions = list(OrganisationActivity.objects.values_list("action", flat=True))
    assert sorted(actions) == ["invitation_sent", "invitation_sent", "member_joined"]


def test_an_expired_or_withdrawn_invitation_is_refused(
    personas: Personas,
    smtp: Inbox,  # noqa: F811 - the fixture
    settings: Any,
) -> None:
    admin = personas.applicant.user
    invitation = org.invite(admin, email="late@alpha.example", role="member")
    secret = _secret(smtp)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(org.InvitationClosed, match="expired"):
        org.accept_invitation(secret, personas.objector.user)
    second = org.invite(admin, email="late@alpha.example", role="member")  # a new one may go
    with pytest.raises(NotFound):
        org.withdraw_invitation(personas.other_applicant.user, second.pk)
    org.withdraw_invitation(admin, second.pk)
    with pytest.raises(org.InvitationClosed, match="withdrawn"):
        org.accept_invitation(_secret(smtp), personas.objector.user)
    assert personas.objector.user.holder_id is None
    expected = timezone.now() + timedelta(days=settings.DATAIP_INVITATION_DAYS)
    assert abs((second.expires_at - expected).total_seconds()) < 60


def test_no_invitation_is_left_when_the_mail_cannot_be_sent(
    personas: Personas, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    with pytest.raises(org.MailNotSent):
        org.invite(personas.applicant.user, email="x@alpha.example", role="member")
    assert not Invitation.objects.exists()
    assert not OrganisationActivity.objects.exists()


def test_bad_invitations_name_the_field(personas: Personas) -> None:
    with pytest.raises(ValidationFailed) as refused:
        org.invite(personas.applicant.user, email="not an address", role="boss", language="fr")
    assert set(refused.value.errors) == {"email", "role", "language"}
    with pytest.raises(ValidationFailed) as again:
        org.invite(personas.applicant.user, email=" ", role="member")
    assert set(again.value.errors) == {"email"}


def test_only_administrators_invite_change_roles_and_remove(personas: Personas) -> None:
    alpha = personas.applicant.holder
    member = make_person("member", alpha).user
    member.org_role = OrgRole.MEMBER
    member.save()
    for attempt in (
        lambda: org.invite(member, email="x@alpha.example", role="member"),
        lambda: org.change_role(member, member.pk, "administrator"),
        lambda: org.remove_member(member, personas.applicant.user.pk),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    with pytest.raises(NotFound):  # not a member of the administrator's organisation
        org.change_role(personas.applicant.user, personas.other_applicant.user.pk, "member")


def test_the_last_administrator_stays(personas: Personas) -> None:
    alpha = personas.applicant.holder
    admin = personas.applicant.user
    # conflicted_expert is the other administrator of Alpha in the personas: demote it first.
    org.change_role(admin, personas.conflicted_expert.user.pk, "member")
    with pytest.raises(PermissionDenied, match="at least one administrator"):
        org.change_role(admin, admin.pk, "read_only")
    with pytest.raises(PermissionDenied, match="at least one administrator"):
        org.remove_member(admin, admin.pk)
    second = make_person("second_admin", alpha).user  # administrator by default
    org.remove_member(admin, second.pk)
    org.change_role(admin, personas.conflicted_expert.user.pk, "administrator")
    org.change_role(admin, admin.pk, "member")  # another administrator remains
    assert User.objects.get(pk=admin.pk).org_role == OrgRole.MEMBER


def test_removing_a_member_keeps_its_past_acts(personas: Personas) -> None:
    from tests.support.builders import draft

    alpha = personas.applicant.holder
    member = make_person("filer", alpha)
    app = draft(personas)
    app.created_by = member.user
    app.save(update_fields=["created_by"])
    org.remove_member(personas.applicant.user, member.user.pk)
    member.user.refresh_from_db()
    assert member.user.holder_id is None
    app.refresh_from_db()
    assert app.created_by_id == member.user.pk
    assert OrganisationActivity.objects.filter(action="member_removed").count() == 1
    assert alpha.pk not in [u.holder_id for u in User.objects.filter(username="filer")]
