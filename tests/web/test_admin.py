"""The admin: behind two-factor sign-in, and read-only for rows with workflow meaning."""

from __future__ import annotations

from dataip.accounts.models import User
from dataip.registry.workflow import Status
from tests.support.personas import Personas
from tests.web._builders import build
from tests.web.conftest import SignIn


def superuser_registrar() -> User:
    user = User.objects.create_superuser("root", "root@example.cn", "x", is_registrar=True)
    return user


def test_the_admin_needs_a_verified_device(personas: Personas, sign_in: SignIn) -> None:
    admin = superuser_registrar()
    assert sign_in(admin, verified=False).get("/admin/").status_code == 302
    assert sign_in(admin).get("/admin/").status_code == 200


def test_the_admin_cannot_change_applications(personas: Personas, sign_in: SignIn) -> None:
    app = build(personas, Status.SUBMITTED)
    client = sign_in(superuser_registrar())
    listing = client.get("/admin/registry/application/")
    assert listing.status_code == 200
    assert str(app.number) in listing.content.decode()
    page = client.get(f"/admin/registry/application/{app.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    refused = client.post(f"/admin/registry/application/{app.pk}/change/", {"status": "approved"})
    assert refused.status_code == 403
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert client.get("/admin/registry/application/add/").status_code == 403
    assert client.get(f"/admin/registry/application/{app.pk}/delete/").status_code == 403
    assert client.get("/admin/registry/event/").status_code == 200
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 200


def filter_sidebar(html: str) -> str:
    start = html.index('id="changelist-filter"')
    return html[start : html.index("</nav>", start)]


def test_the_event_filter_names_events_in_the_users_language(
    personas: Personas, sign_in: SignIn
) -> None:
    app = build(personas, Status.SUBMITTED)
    assert app.events.filter(action="submit").exists()
    root = superuser_registrar()
    zh = sign_in(root, language="zh-hans").get("/admin/registry/event/")
    sidebar = filter_sidebar(zh.content.decode())
    assert "提交了申请" in sidebar
    assert ">submit<" not in sidebar
    assert "?action=submit" in sidebar
    en = sign_in(root, language="en").get("/admin/registry/event/")
    assert "Submitted the application" in filter_sidebar(en.content.decode())
    chosen = sign_in(root, language="en").get("/admin/registry/event/?action=submit")
    assert chosen.status_code == 200
    rows = chosen.content.decode()
    rows = rows[rows.index('id="result_list"') :]
    assert "Submitted the application" in rows
