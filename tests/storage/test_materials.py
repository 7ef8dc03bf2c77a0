"""Materials in the object store: uploaded through the page and the API, downloaded through
the registry's own view (access checked, streamed), private, nothing on the local disk."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dataip.accounts import scopes
from dataip.accounts.tokens import create_token
from dataip.registry.models import Material
from dataip.registry.workflow import Status
from tests.api._support import Api
from tests.support.builders import PDF, at_stage
from tests.support.personas import Personas
from tests.web.conftest import client_for, read_download

from .conftest import Bucket, local_files

pytestmark = pytest.mark.django_db


def _downloaded(client: Client, material: Material) -> bytes:
    response = client.get(f"/applications/{material.application_id}/materials/{material.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Location" not in response, "served by the registry, never a redirect to the store"
    data = read_download(response)
    assert response["Content-Length"] == str(len(data))
    return data


def test_a_material_uploaded_on_the_page_is_an_object_and_downloads(
    personas: Personas, s3: Bucket
) -> None:
    app = at_stage(personas, Status.DRAFT)  # its required materials, through the service
    client = client_for(personas.applicant.user)
    content = PDF + b"uploaded on the page"
    upload = SimpleUploadedFile("form.pdf", content, "application/pdf")
    page = client.post(
        f"/applications/{app.pk}/steps/materials", {"kind": "application_form", "file": upload}
    )
    assert page.status_code == 302
    material = app.materials.get(sha256__isnull=False, original_name="form.pdf")
    key = f"media/{material.file.name}"
    assert key in s3.keys("media/materials/")
    assert s3.read(key) == content
    assert s3.public_grants(key) == [], "private: no grant to everyone"
    assert _downloaded(client, material) == content
    other = client_for(personas.other_applicant.user)
    refused = other.get(f"/applications/{app.pk}/materials/{material.pk}")
    assert refused.status_code in {403, 404}, "the view still checks who may read it"
    assert local_files() == []


def test_a_material_uploaded_through_the_api_is_an_object_and_downloads(
    personas: Personas, s3: Bucket, client: Client
) -> None:
    own = Api(client, create_token(personas.applicant.user, "erp", scopes.CODES)[1])
    app = own.post("applications", {"kind": "data_collection"}).json()
    content = b"a,b\n1,x\n"
    created = own.post(
        f"applications/{app['id']}/materials",
        data={"kind": "samples", "file": SimpleUploadedFile("s.csv", content)},
        content_type=None,
    )
    assert created.status_code == 201, created.content
    listed = own.get(f"applications/{app['id']}/materials").json()["items"]
    assert [(m["name"], m["size"]) for m in listed] == [("s.csv", len(content))]
    material = Material.objects.get(pk=created.json()["id"])
    assert s3.read(f"media/{material.file.name}") == content
    assert _downloaded(client_for(personas.applicant.user), material) == content
    assert local_files() == []
