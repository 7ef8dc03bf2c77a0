"""API tokens carry scopes and may expire; rotating one replaces its secret; only
administrators manage an organisation's tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dataip.accounts import scopes
from dataip.accounts.models import ApiToken, OrganisationActivity, OrgRole
from dataip.accounts.tokens import (
    TokenExpired,
    authenticate,
    create_token,
    rotate_token,
    tokens_of,
)
from dataip.errors import PermissionDenied, ValidationFailed
from tests.support.personas import Personas, make_person

pytestmark = pytest.mark.django_db


def test_scopes_are_checked_and_admin_is_for_administrators(personas: Personas) -> None:
    admin = personas.applicant.user
    token, _ = create_token(admin, "reports", ["read", "read", "bank"])
    assert token.scopes == ["read", "bank"]
    assert create_token(admin, "all", None)[0].scopes == list(scopes.EVERY_SCOPE_BUT_ADMIN)
    with pytest.raises(ValidationFailed) as refused:
        create_token(admin, "x", ["read", "launch_missiles"])
    assert list(refused.value.errors) == ["scopes"]
    with pytest.raises(ValidationFailed):
        create_token(admin, "x", [])


def test_staff_cannot_give_admin_scope(personas: Personas) -> None:
    with pytest.raises(ValidationFailed):
        create_token(personas.examiner.user, "staff", ["admin"])


def test_members_who_are_not_administrators_manage_no_token(personas: Personas) -> None:
    for role in (OrgRole.MEMBER, OrgRole.READ_ONLY):
        person = make_person(f"p_{role}", personas.applicant.holder).user
        person.org_role = role
        person.save()
        with pytest.raises(PermissionDenied):
            create_token(person, "mine", ["read"])
        assert tokens_of(person) == []


def test_expiry_is_at_most_a_year_and_an_expired_token_says_so(personas: Personas) -> None:
    admin = personas.applicant.user
    today = timezone.localdate()
    for day in (today, today + timedelta(days=366)):
        with pytest.raises(ValidationFailed) as refused:
            create_token(admin, "x", ["read"], day)
        assert list(refused.value.errors) == ["expires_on"]
    token, secret = create_token(admin, "short", ["read"], today + timedelta(days=1))
    assert authenticate(secret) == token
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(TokenExpired):
        authenticate(secret)


def test_rotation_gives_a_new_secret_and_revokes_the_old(personas: Personas) -> None:
    admin = personas.applicant.user
    old, old_secret = create_token(
        admin, "erp", ["apply", "rights"], timezone.localdate() + timedelta(days=30)
    )
    new, new_secret = rotate_token(admin, old.pk)
    assert new_secret != old_secret
    assert (new.name, new.scopes, new.expires_at) == (old.name, old.scopes, old.expires_at)
    assert authenticate(old_secret) is None
    assert authenticate(new_secret) == new
    with pytest.raises(PermissionDenied):
        rotate_token(admin, old.pk)  # revoked: nothing to rotate
    with pytest.raises(PermissionDenied):
        rotate_token(personas.other_applicant.user, new.pk)
    actions = list(OrganisationActivity.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["token_created", "token_rotated"]
