"""Open metadata in the API: the paged DCAT-AP catalogue and a registration's DCAT-AP, JSON-LD,
both conforming to the DCAT-AP 3 SHACL shapes; nothing unpublished."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from dataip.registry.queries import metadata
from dataip.registry.workflow import Status
from tests.support.builders import at_stage, draft
from tests.support.personas import Personas
from tests.web.test_metadata import BASE, conforms

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")


@pytest.fixture(autouse=True)
def public_url(settings: Any) -> None:
    settings.DATAIP_PUBLIC_URL = BASE


def _graph(response: Any) -> Graph:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/ld+json")
    return Graph().parse(data=response.content.decode(), format="json-ld")


def test_the_api_catalogue_pages_to_its_own_urls(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metadata, "CATALOGUE_PAGE_SIZE", 1)
    first = at_stage(personas, Status.REGISTERED)
    second = at_stage(personas, Status.UNDER_PUBLICITY)
    hidden = at_stage(personas, Status.SUBMITTED)
    draft(personas)
    client = Client()
    seen: list[str] = []
    url: str | None = "/api/v1/catalogue"
    while url:
        graph = _graph(client.get(url))
        conforms(graph)
        seen += [str(d) for d in graph.objects(URIRef(f"{BASE}/catalogue"), DCAT.dataset)]
        view = graph.value(URIRef(f"{BASE}/catalogue"), HYDRA.view)
        assert str(graph.value(view, HYDRA.last)) == f"{BASE}/api/v1/catalogue?page=2"
        following = graph.value(view, HYDRA.next)
        assert following == graph.value(view, HYDRA.nextPage)
        url = str(following).removeprefix(BASE) if following else None
    assert seen == [f"{BASE}/registry/{a.number}#dataset" for a in (first, second)]
    assert str(hidden.number) not in "".join(seen)
    assert client.get("/api/v1/catalogue?page=0").status_code == 422


def test_the_api_gives_a_registrations_dcat(personas: Personas) -> None:
    app = at_stage(personas, Status.REGISTERED)
    graph = _graph(Client().get(f"/api/v1/registrations/{app.registration_number}/dcat"))
    conforms(graph)
    dataset = URIRef(f"{BASE}/registry/{app.number}#dataset")
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert graph.value(dataset, DCTERMS.identifier) == Literal(app.registration_number)
    hidden = at_stage(personas, Status.EXPERT_REVIEW)
    assert Client().get(f"/api/v1/registrations/{hidden.number}/dcat").status_code == 404
