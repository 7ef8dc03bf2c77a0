"""The organisation administrators' API, token scopes and expiry, and read-only members."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from dataip.accounts.models import ApiToken, OrgRole, User
from dataip.accounts.tokens import create_token
from tests.api._support import Api, assert_problem, field_names
from tests.support.builders import draft
from tests.support.personas import Personas, make_person

pytestmark = pytest.mark.django_db


def _token(user: User, *codes: str) -> str:
    return create_token(user, "t", list(codes))[1]


def test_a_route_refuses_a_token_without_its_scope_naming_it(api: Api, personas: Personas) -> None:
    reader = api.as_(_token(personas.applicant.user, "read"))
    assert reader.get("applications").status_code == 200  # reading needs read or apply
    problem = assert_problem(
        reader.post("applications", {"kind": "data_product"}), 403, "scope_missing"
    )
    assert "apply" in problem["detail"]
    assert_problem(reader.get("encumbrances?registrationNumber=X1"), 403, "scope_missing")
    assert_problem(reader.get("organisation/members"), 403, "scope_missing")
    chinese = Api(api.client, reader.token, "zh")
    assert "缺少权限范围" in assert_problem(chinese.post("applications", {}), 403)["detail"]
    applying = api.as_(_token(personas.applicant.user, "apply"))
    assert applying.post("applications", {"kind": "data_product"}).status_code == 201


def test_an_expired_token_is_a_clear_401(api: Api, personas: Personas) -> None:
    token, secret = create_token(
        personas.applicant.user, "soon", ["read"], timezone.localdate() + timedelta(days=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    problem = assert_problem(api.as_(secret).get("applications"), 401, "token_expired")
    assert "expired" in problem["detail"]


def test_a_read_only_member_reads_through_the_api_but_cannot_act(
    api: Api, personas: Personas
) -> None:
    """A token acts with no more power than its creator has now."""
    app = draft(personas)
    secret = _token(personas.applicant.user, "read", "apply")
    User.objects.filter(pk=personas.applicant.user.pk).update(org_role=OrgRole.READ_ONLY)
    caller = api.as_(secret)
    assert caller.get(f"applications/{app.pk}").status_code == 200
    assert_problem(caller.post(f"applications/{app.pk}/submit"), 403)
    assert_problem(caller.post("applications", {"kind": "data_product"}), 403)
    app.refresh_from_db()
    assert app.status == "draft"


def test_administrators_manage_members_invitations_and_tokens(api: Api, personas: Personas) -> None:
    admin = api.as_(_token(personas.applicant.user, "admin"))
    colleague = make_person("colleague", personas.applicant.holder).user
    members = admin.get("organisation/members").json()["items"]
    assert {m["username"] for m in members} >= {"applicant", "colleague"}
    changed = admin.patch(f"organisation/members/{colleague.pk}", {"role": "read_only"})
    assert changed.json()["role"] == "read_only"
    refused = admin.patch(f"organisation/members/{colleague.pk}", {"role": "owner"})
    assert field_names(assert_problem(refused, 422)) == ["role"]
    invited = admin.post(
        "organisation/invitations",
        {"email": "new@alpha.example", "role": "member", "language": "en"},
    )
    assert invited.status_code == 201
    assert mail.outbox[-1].to == ["new@alpha.example"]
    assert "join" in mail.outbox[-1].body
    listed = admin.get("organisation/invitations").json()["items"]
    assert [i["email"] for i in listed] == ["new@alpha.example"]
    assert admin.delete(f"organisation/invitations/{listed[0]['id']}").status_code == 204
    assert admin.get("organisation/invitations").json()["items"] == []
    made = admin.post("organisation/tokens", {"name": "erp", "scopes": ["apply"]})
    assert made.status_code == 201
    body = made.json()
    assert body["secret"].startswith("dip_")
    assert [s["code"] for s in body["scopes"]] == ["apply"]
    rotated = admin.post(f"organisation/tokens/{body['id']}/rotate").json()
    assert rotated["secret"] != body["secret"]
    assert rotated["name"] == "erp"
    assert_problem(api.as_(body["secret"]).get("applications"), 401)
    assert api.as_(rotated["secret"]).get("applications").status_code == 200
    revoked = admin.post(f"organisation/tokens/{rotated['id']}/revoke").json()
    assert revoked["revokedAt"] is not None
    listed_tokens = admin.get("organisation/tokens").json()["items"]
    assert all("secret" not in t for t in listed_tokens)
    assert admin.delete(f"organisation/members/{colleague.pk}").status_code == 204
    other_admin = personas.conflicted_expert.user.pk  # Alpha's second administrator
    assert admin.patch(f"organisation/members/{other_admin}", {"role": "member"}).status_code == 200
    last = admin.delete(f"organisation/members/{personas.applicant.user.pk}")
    assert "administrator" in assert_problem(last, 403)["detail"]
    activity = admin.get("organisation/activity?limit=3").json()
    assert len(activity["items"]) == 3
    assert activity["nextCursor"]
    older = admin.get(f"organisation/activity?limit=100&cursor={activity['nextCursor']}")
    assert {i["action"] for i in older.json()["items"]} >= {"role_changed", "invitation_sent"}


def test_the_admin_scope_stops_working_when_its_creator_is_no_longer_an_administrator(
    api: Api, personas: Personas
) -> None:
    admin = api.as_(_token(personas.applicant.user, "admin"))
    User.objects.filter(pk=personas.applicant.user.pk).update(org_role=OrgRole.MEMBER)
    assert_problem(admin.get("organisation/members"), 403)
    assert_problem(admin.post("organisation/tokens", {"name": "x", "scopes": ["read"]}), 403)
