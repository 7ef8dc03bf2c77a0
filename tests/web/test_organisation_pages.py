"""The organisation's pages: members, invitations by real mail, the audit trail, API tokens with
scopes; read-only members see but cannot act."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dataip.accounts.models import ApiToken, OrgRole, User
from dataip.registry.models import Application
from tests.support.builders import draft
from tests.support.mailbox import Inbox, smtp  # noqa: F401 - the fixture
from tests.support.personas import Personas, make_person
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["成员", "邀请成员", "操作记录", "管理员"]),
        ("en", ["Members", "Invite a member", "Audit trail", "administrator"]),
    ],
)
def test_the_organisation_page_speaks_both_languages(
    personas: Personas, language: str, words: list[str]
) -> None:
    client = client_for(personas.applicant.user, language=language)
    text = _page(client, "/account/organisation/")
    for word in words:
        assert word in text, word
    activity = _page(client, "/account/organisation/activity")
    assert ("操作记录" if language == "zh-hans" else "Audit trail") in activity


def test_a_member_sees_the_members_but_no_administration(personas: Personas) -> None:
    member = make_person("plain", personas.applicant.holder).user
    member.org_role = OrgRole.MEMBER
    member.save()
    client = client_for(member)
    text = _page(client, "/account/organisation/")
    assert "applicant" in text
    assert "Invite a member" not in text
    assert client.get("/account/organisation/activity").status_code == 404
    assert client.get("/account/tokens").status_code == 404
    assert client.post("/account/organisation/invite", {"email": "a@b.example"}).status_code == 404


def test_an_invited_person_signs_up_from_the_mail_and_joins(
    personas: Personas,
    smtp: Inbox,  # noqa: F811 - the fixture
) -> None:
    admin = client_for(personas.applicant.user, language="zh-hans")
    sent = admin.post(
        "/account/organisation/invite",
        {"email": "wang@alpha.example", "role": "read_only", "language": "zh-hans"},
    )
    assert sent.status_code == 302
    assert "wang@alpha.example" in _page(admin, "/account/organisation/")
    body = smtp.body()
    assert "只读成员" in body
    link = re.search(r"http://[^\s]+/account/invitation/[A-Za-z0-9_-]+", body)
    assert link is not None
    path = link[0].split("8000", 1)[1]
    newcomer = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "创建您的账号" in _page(newcomer, path)
    weak = newcomer.post(path, {"username": "wang", "password": "1"})
    assert weak.status_code == 422
    joined = newcomer.post(path, {"username": "wang", "password": "a long passphrase 42"})
    assert joined.status_code == 302
    wang = User.objects.get(username="wang")
    assert (wang.holder_id, wang.org_role) == (personas.applicant.holder.pk, OrgRole.READ_ONLY)
    assert Client().get(path).status_code == 410  # single use


def test_a_signed_in_person_without_an_organisation_joins(
    personas: Personas,
    smtp: Inbox,  # noqa: F811 - the fixture
) -> None:
    admin = client_for(personas.applicant.user)
    admin.post(
        "/account/organisation/invite",
        {"email": "obj@example.org", "role": "member", "language": "en"},
    )
    path = re.search(r"/account/invitation/[A-Za-z0-9_-]+", smtp.body())
    assert path is not None
    taken = client_for(personas.other_applicant.user)
    assert taken.post(path[0]).status_code == 403  # already acts for Beta
    person = client_for(personas.objector.user)
    assert "Join" in _page(person, path[0])
    assert person.post(path[0]).status_code == 302
    personas.objector.user.refresh_from_db()
    assert personas.objector.user.holder_id == personas.applicant.holder.pk


def test_a_read_only_member_sees_an_application_but_its_posts_are_refused(
    personas: Personas,
) -> None:
    app = draft(personas)
    reader = make_person("reader", personas.applicant.holder).user
    reader.org_role = OrgRole.READ_ONLY
    reader.save()
    client = client_for(reader)
    app.refresh_from_db()
    assert client.get(f"/applications/{app.pk}").status_code == 200
    refused = client.post(f"/applications/{app.pk}/submit", {"revision": app.revision})
    assert refused.status_code == 403
    assert (
        client.post("/applications/new", {"kind": "data_collection", "name": "x"}).status_code
        == 403
    )
    assert Application.objects.get(pk=app.pk).status == "draft"
    assert Application.objects.count() == 1


def test_administrators_make_scoped_expiring_tokens_and_rotate_them(personas: Personas) -> None:
    client = client_for(personas.applicant.user, language="zh-hans")
    assert "权限范围" in _page(client, "/account/tokens")
    last_day = (timezone.localdate() + timedelta(days=30)).isoformat()
    made = client.post(
        "/account/tokens", {"name": "erp", "scopes": ["read", "apply"], "expires_on": last_day}
    )
    assert made.status_code == 200
    token = ApiToken.objects.get()
    assert token.scopes == ["read", "apply"]
    assert token.expires_at is not None
    text = made.content.decode()
    assert "apply（申请）" in text
    assert "dip_" in text
    too_long = (timezone.localdate() + timedelta(days=400)).isoformat()
    refused = client.post(
        "/account/tokens", {"name": "x", "scopes": ["read"], "expires_on": too_long}
    )
    assert refused.status_code == 422
    assert "到期日" in refused.content.decode()
    unconfirmed = client.post(f"/account/tokens/{token.pk}/rotate", {})
    assert unconfirmed.status_code == 302
    assert ApiToken.objects.filter(revoked_at=None).count() == 1
    rotated = client.post(f"/account/tokens/{token.pk}/rotate", {"confirm": "on"})
    assert rotated.status_code == 200
    fresh = ApiToken.objects.get(revoked_at=None)
    assert fresh.pk != token.pk
    assert fresh.scopes == ["read", "apply"]
    assert fresh.prefix in rotated.content.decode()


def test_an_invited_person_gets_mail_in_the_invitations_language(
    personas: Personas,
    smtp: Inbox,  # noqa: F811 - the fixture
) -> None:
    admin = client_for(personas.applicant.user, language="zh-hans")
    admin.post(
        "/account/organisation/invite",
        {"email": "li@alpha.example", "role": "member", "language": "en"},
    )
    path = re.search(r"/account/invitation/[A-Za-z0-9_-]+", smtp.body())
    assert path is not None
    newcomer = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    joined = newcomer.post(path[0], {"username": "li", "password": "a long passphrase 42"})
    assert joined.status_code == 302
    assert User.objects.get(username="li").language == "en"
