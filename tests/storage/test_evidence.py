"""Objection evidence in the object store: filed through the service, downloaded through the
API (which reads it from the store) by the applicant the objection is against."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client

from dataip.accounts import scopes
from dataip.accounts.tokens import create_token
from dataip.registry import clock
from dataip.registry.models import Application
from dataip.registry.services import publicity
from dataip.registry.workflow import Status
from tests.api._support import Api
from tests.support.builders import PDF, at_stage
from tests.support.personas import Personas

from .conftest import Bucket, local_files

pytestmark = pytest.mark.django_db


def test_objection_evidence_is_an_object_and_downloads_through_the_api(
    personas: Personas, s3: Bucket, client: Client
) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    today = clock.local_date(clock.now())
    Application.objects.filter(pk=app.pk).update(  # announced now: objections are open
        announcement_starts=today, announcement_ends=today + timedelta(days=14)
    )
    content = PDF + b"the objector's proof"
    objection = publicity.file_objection(
        app.pk,
        actor=personas.other_applicant.actor,
        user=personas.other_applicant.user,
        ground="ownership_dispute",
        statement="数据属于乙方",
        evidence=[("proof.pdf", io.BytesIO(content))],
    )
    evidence = objection.evidence.get()
    key = f"media/{evidence.file.name}"
    assert s3.read(key) == content
    assert s3.public_grants(key) == []
    own = Api(client, create_token(personas.applicant.user, "erp", scopes.CODES)[1])
    response = own.get(f"objections/{objection.pk}/files/{evidence.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content == content
    assert local_files() == []
