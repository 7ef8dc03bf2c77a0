"""API tokens: shown once, stored as a digest, revocable, scoped to an organisation."""

from __future__ import annotations

import pytest

from dataip.accounts.models import ApiToken
from dataip.accounts.tokens import authenticate, create_token, revoke_token
from dataip.errors import PermissionDenied, ValidationFailed
from tests.support.personas import Personas


def test_it_stores_only_a_digest_and_authenticates_the_secret(personas: Personas) -> None:
    token, secret = create_token(personas.applicant.user, "ERP integration")
    stored = ApiToken.objects.get()
    assert secret not in (stored.digest, stored.prefix, stored.name)
    assert secret.startswith(stored.prefix)
    found = authenticate(secret)
    assert found == token
    assert found.holder == personas.applicant.holder
    assert found.last_used_at is not None
    assert authenticate(secret + "x") is None
    assert authenticate("Bearer nonsense") is None


def test_revoked_tokens_no_longer_work(personas: Personas) -> None:
    token, secret = create_token(personas.applicant.user, "old")
    with pytest.raises(PermissionDenied):
        revoke_token(personas.other_applicant.user, token.pk)
    revoke_token(personas.applicant.user, token.pk)
    assert authenticate(secret) is None


def test_only_organisations_and_staff_get_tokens(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        create_token(personas.objector.user, "a person without an organisation")
    staff, _ = create_token(personas.examiner.user, "staff")
    assert staff.holder_id is None
    assert staff.created_by_id == personas.examiner.user.pk
    with pytest.raises(ValidationFailed):
        create_token(personas.applicant.user, "  ")
