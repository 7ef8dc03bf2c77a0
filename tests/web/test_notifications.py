"""The notification centre and its settings, in both languages."""

from __future__ import annotations

import pytest

from dataip.accounts.models import Notification, NotificationPreference
from dataip.registry.services import examination
from dataip.registry.workflow import Status
from tests.support.builders import at_stage, day
from tests.support.personas import Personas, valid_uscc
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def corrected(personas: Personas) -> None:
    app = at_stage(personas, Status.FORMAL_EXAMINATION)
    examination.request_correction(
        app.pk, actor=personas.examiner.actor, reason="请补充数据来源协议", at=day(3)
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["通知", "补正通知", "请补充数据来源协议", "全部标为已读", "1 条未读通知"]),
        ("en", ["Notifications", "Correction requested", "What to correct", "Mark all read"]),
    ],
)
def test_the_centre_lists_ones_notices_in_the_language_asked_for(
    personas: Personas, corrected: None, language: str, words: list[str]
) -> None:
    page = client_for(personas.applicant.user, language=language).get("/notifications/")
    text = page.content.decode()
    for word in words:
        assert word in text
    assert 'class="badge unread-count"' in text, "the header shows the unread count"
    other = client_for(personas.other_applicant.user, language=language).get("/notifications/")
    assert "请补充数据来源协议" not in other.content.decode()
    assert 'class="badge unread-count"' not in other.content.decode()


def test_marking_read_one_and_all(personas: Personas, corrected: None) -> None:
    client = client_for(personas.applicant.user)
    notice = Notification.objects.get(recipient=personas.applicant.user)
    assert client.post(f"/notifications/{notice.pk}/read").status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is not None
    text = client.get("/notifications/").content.decode()
    assert 'class="badge unread-count"' not in text
    assert "0 unread notices." in text
    assert client.get("/notifications/?unread=1").content.decode().count("What to correct") == 0
    assert client.post("/notifications/read").status_code == 302


def test_the_settings_choose_which_groups_come_by_email(personas: Personas) -> None:
    client = client_for(personas.applicant.user, language="zh-hans")
    text = client.get("/account/notifications/settings").content.decode()
    assert "同时以电子邮件发送" in text
    assert "审查与登记" in text
    response = client.post("/account/notifications/settings", {"email": ["objections"]})
    assert response.status_code == 302
    chosen = dict(
        NotificationPreference.objects.filter(user=personas.applicant.user).values_list(
            "group", "email"
        )
    )
    assert chosen == {
        "examination": False,
        "objections": True,
        "rights": False,
        "deadlines": False,
        "account": False,
    }
    refused = client.post("/account/notifications/settings", {"email": ["no-such-group"]})
    assert refused.status_code == 200
    assert "no-such-group" in refused.content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["有主体待认证：新公司", "待认证主体页面"]),
        ("en", ["An organisation waits for verification: 新公司", "organisations to verify"]),
    ],
)
def test_account_notices_lead_to_the_registrars_queue_and_the_verification_page(
    personas: Personas, language: str, words: list[str]
) -> None:
    from dataip.registry.services import identity
    from tests.registry.test_identity import documents, sign_up

    done = sign_up("newco", valid_uscc(61), documents=documents(), org_name="新公司")
    assert done.holder is not None
    registrar = client_for(personas.registrar.user, language=language)
    text = registrar.get("/notifications/").content.decode()
    for word in words:
        assert word in text
    assert 'href="/examine/organisations"' in text
    identity.refuse_organisation(done.holder.pk, actor=personas.registrar.actor, reason="模糊")
    member = client_for(done.user, language=language).get("/notifications/").content.decode()
    assert 'href="/account/verification"' in member
    assert "模糊" in member
