"""Open metadata: DCAT-AP 3 (checked against the official SHACL shapes), schema.org embedded in
the registration page, Croissant, content negotiation, and the paged catalogue."""

from __future__ import annotations

import html.parser
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

from dataip.deposits import services as deposit_services
from dataip.deposits.queries import public_deposits_of_many
from dataip.registry.models import Application
from dataip.registry.queries import metadata
from dataip.registry.workflow import Status
from tests.deposits._data import deposit, files, make_tree, manifest_of
from tests.ledger._support import use_fresh_keys
from tests.support.builders import day
from tests.support.personas import Personas
from tests.web._builders import advance, build, freeze
from tests.web.conftest import SignIn

pytestmark = [
    pytest.mark.django_db,
    # rdflib's own JSON-LD parser still builds a ConjunctiveGraph inside (rdflib 7.x).
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

SHAPES = Path(__file__).parent.parent / "support" / "shapes"
SDO = Namespace("https://schema.org/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
CR = Namespace("http://mlcommons.org/croissant/")
BASE = "http://127.0.0.1:8000"
SECRETS = ("草稿中的秘密数据", "审查中的秘密数据", "保密的算法细节", "用户协议授权", "多源融合")
"""Names of unpublished applications and confidential fields of published ones."""


@pytest.fixture(autouse=True)
def deposit_settings(settings: Any, tmp_path: Path) -> None:
    use_fresh_keys(settings, tmp_path)
    settings.DATAIP_PUBLIC_URL = BASE
    settings.DATAIP_DEPOSIT_TSA = "internal"
    settings.DATAIP_DEPOSIT_TSA_DIR = tmp_path / "tsa"
    settings.DATAIP_DEPOSIT_TSA_KEY_FILE = ""
    settings.DATAIP_DEPOSIT_TSA_CERT_FILE = ""
    settings.DATAIP_DEPOSIT_TSA_CA_FILE = ""


@pytest.fixture
def registry(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> dict[str, Application]:
    """Unpublished applications beside an announced dataset, a registered dataset citing a
    deposit and a registered AI model."""
    freeze(monkeypatch)
    coverage = {
        "format": "Parquet",
        "personal_information": "de_identified",
        "temporal_coverage_start": "2024-01-01",
        "temporal_coverage_end": "2025-06-30",
        "de_identification_method": "保密的脱敏方法",
    }
    registered = build(personas, Status.DRAFT, name="城市交通出行数据集", details=coverage,
                       summary_en="Cleaned and fused trips.")  # fmt: skip
    manifest = manifest_of(make_tree(tmp_path / "data", files(7, "f", 2)), minhash=False)
    own = deposit(personas.applicant, manifest)
    deposit_services.cite_deposit(registered.pk, own.pk, actor=personas.applicant.actor, at=day(0))
    advance(personas, registered, Status.REGISTERED)
    model = build(
        personas,
        Status.REGISTERED,
        kind="data_algorithm",
        name="交通流量预测模型",
        name_en="Traffic flow forecaster",
        details={
            "task": "时间序列预测",
            "architecture": "Transformer",
            "parameter_count": 120_000_000,
            "framework": "PyTorch",
            "training_data": ["城市交通出行数据集"],
            "evaluation_results": ["MAPE 7.5%"],
        },
    )
    return {
        "draft": build(personas, Status.DRAFT, name="草稿中的秘密数据"),
        "examined": build(personas, Status.EXPERT_REVIEW, name="审查中的秘密数据"),
        "announced": build(
            personas, Status.UNDER_PUBLICITY, name="长三角物流轨迹数据集", name_en="Delta freight"
        ),
        "registered": Application.objects.get(pk=registered.pk),
        "model": Application.objects.get(pk=model.pk),
    }


def shapes() -> Graph:
    graph = Graph()
    graph.parse(SHAPES / "dcat-ap-3.0.1-SHACL.ttl", format="turtle")
    return graph


def conforms(data: Graph) -> None:
    ok, _, report = validate(data, shacl_graph=shapes(), inference="none", allow_warnings=True)
    assert ok, report


def parse(response: Any, fmt: str) -> Graph:
    graph = Graph()
    graph.parse(data=response.content.decode(), format=fmt, publicID=BASE + "/")
    return graph


def languages(literals: Any) -> set[str | None]:
    return {lit.language for lit in literals if isinstance(lit, Literal)}


def no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_dcat_of_a_registration_conforms_to_dcat_ap_3(
    registry: dict[str, Application], sign_in: SignIn
) -> None:
    app = registry["registered"]
    client = sign_in(None)
    response = client.get(f"/registry/{app.registration_number}.ttl")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/turtle")
    no_secrets(response.content.decode())
    graph = parse(response, "turtle")
    conforms(graph)
    dataset = URIRef(f"{BASE}/registry/{app.number}#dataset")
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert graph.value(dataset, DCTERMS.identifier) == Literal(app.registration_number)
    titles = set(graph.objects(dataset, DCTERMS.title))
    assert Literal("城市交通出行数据集", lang="zh") in titles
    assert Literal("Urban mobility dataset", lang="en") in titles
    assert Literal("Cleaned and fused trips.", lang="en") in set(
        graph.objects(dataset, DCTERMS.description)
    )
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert graph.value(publisher, FOAF.name) is not None
    spatial = graph.value(dataset, DCTERMS.spatial)
    assert spatial == URIRef(f"{BASE}/reference/gbt2260#31")
    assert Literal("上海市", lang="zh") in set(graph.objects(spatial, SKOS.prefLabel))
    theme = graph.value(dataset, DCAT.theme)
    assert theme == URIRef(f"{BASE}/reference/gbt4754#65")
    assert (theme, RDF.type, SKOS.Concept) in graph
    assert languages(graph.objects(theme, SKOS.prefLabel)) == {"zh", "en"}
    period = graph.value(dataset, DCTERMS.temporal)
    assert str(graph.value(period, DCAT.startDate)) == "2024-01-01"
    assert str(graph.value(period, DCAT.endDate)) == "2025-06-30"
    assert str(graph.value(dataset, DCTERMS.issued)) == str(app.registered_on)
    assert graph.value(dataset, DCTERMS.modified) is not None
    assert graph.value(dataset, DCAT.landingPage) == URIRef(f"{BASE}/registry/{app.number}")
    distribution = graph.value(dataset, DCAT.distribution)
    checksum = graph.value(distribution, SPDX.checksum)
    cited = app.deposit_citations.get().deposit
    assert str(graph.value(checksum, SPDX.checksumValue)) == cited.root
    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert graph.value(distribution, DCAT.accessURL) == URIRef(
        f"{BASE}/deposits/public/{cited.number}"
    )


def test_the_deposit_root_stays_out_when_the_registry_does_not_publish_it(
    registry: dict[str, Application], sign_in: SignIn, settings: Any
) -> None:
    settings.DATAIP_DEPOSIT_PUBLISH_ROOT = False
    app = registry["registered"]
    response = sign_in(None).get(f"/registry/{app.number}.ttl")
    assert app.deposit_citations.get().deposit.root not in response.content.decode()
    conforms(parse(response, "turtle"))


def test_json_ld_says_the_same_as_turtle(registry: dict[str, Application], sign_in: SignIn) -> None:
    app = registry["model"]
    client = sign_in(None)
    turtle = parse(client.get(f"/registry/{app.number}.ttl"), "turtle")
    response = client.get(f"/registry/{app.number}.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    json.loads(response.content)
    as_json_ld = parse(response, "json-ld")
    assert len(as_json_ld) == len(turtle)
    assert set(as_json_ld) == set(turtle)
    conforms(as_json_ld)
    dataset = URIRef(f"{BASE}/registry/{app.number}#dataset")
    kind = as_json_ld.value(dataset, DCTERMS.type)
    assert kind == URIRef(f"{BASE}/reference/kinds#data_algorithm")


def test_the_registration_page_negotiates_its_content(
    registry: dict[str, Application], sign_in: SignIn
) -> None:
    app = registry["announced"]
    client = sign_in(None)
    page = client.get(f"/registry/{app.number}")
    assert page["Content-Type"].startswith("text/html")
    assert "Accept" in page["Vary"]
    turtle = client.get(f"/registry/{app.number}", HTTP_ACCEPT="text/turtle")
    assert turtle["Content-Type"].startswith("text/turtle")
    assert "Accept" in turtle["Vary"]
    conforms(parse(turtle, "turtle"))
    ld = client.get(f"/registry/{app.number}", HTTP_ACCEPT="application/ld+json, text/html;q=0.5")
    assert ld["Content-Type"].startswith("application/ld+json")
    browser = client.get(
        f"/registry/{app.number}",
        HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    )
    assert browser["Content-Type"].startswith("text/html")
    # An announced application has only its application number as identifier.
    dataset = URIRef(f"{BASE}/registry/{app.number}#dataset")
    assert parse(ld, "json-ld").value(dataset, DCTERMS.identifier) == Literal(app.number)


def test_nothing_unpublished_is_reachable(
    registry: dict[str, Application], sign_in: SignIn
) -> None:
    client = sign_in(None)
    examined = str(registry["examined"].number)
    for number in (examined, examined.lower()):
        for url in (
            f"/registry/{number}.ttl",
            f"/registry/{number}.jsonld",
            f"/registry/{number}/croissant.json",
        ):
            assert client.get(url).status_code == 404, url
        accept = client.get(f"/registry/{number}", HTTP_ACCEPT="text/turtle")
        assert accept.status_code == 404
    for url in ("/catalogue.ttl", "/catalogue.jsonld"):
        no_secrets(client.get(url).content.decode())


class _Head(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "alternate":
            self.links.append(found)
        self._in_script = tag == "script" and found.get("type") == "application/ld+json"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_embeds_schema_org_and_advertises_the_alternates(
    registry: dict[str, Application], sign_in: SignIn, language: str
) -> None:
    app = registry["registered"]
    response = sign_in(None, language=language).get(f"/registry/{app.registration_number}")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    head = _Head()
    head.feed(response.content.decode())
    types = {(link["type"], link["href"]) for link in head.links}
    assert ("text/turtle", f"/registry/{app.number}.ttl") in types
    assert ("application/ld+json", f"/registry/{app.number}.jsonld") in types
    assert ("application/ld+json", f"/registry/{app.number}/croissant.json") in types
    [script] = head.scripts
    [described] = [n for n in json.loads(script)["@graph"] if n.get("@type") == "Dataset"]
    assert described["url"] == f"{BASE}/registry/{app.number}"  # a plain URL string
    graph = Graph().parse(data=script, format="json-ld", publicID=BASE + "/")
    node = URIRef(f"{BASE}/registry/{app.number}#dataset")
    assert (node, RDF.type, SDO.Dataset) in graph
    assert graph.value(node, SDO.url) == URIRef(f"{BASE}/registry/{app.number}")
    names = set(graph.objects(node, SDO.name))
    assert {
        Literal("城市交通出行数据集", lang="zh"),
        Literal("Urban mobility dataset", lang="en"),
    } <= names
    assert graph.value(node, SDO.identifier) == Literal(app.registration_number)
    assert str(graph.value(node, SDO.temporalCoverage)) == "2024-01-01/2025-06-30"
    place = graph.value(node, SDO.spatialCoverage)
    assert Literal("Shanghai", lang="en") in set(graph.objects(place, SDO.name))
    creator = graph.value(node, SDO.creator)
    assert graph.value(creator, SDO.name) is not None
    no_secrets(script)


def test_embedded_json_ld_cannot_close_its_script_element(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, sign_in: SignIn
) -> None:
    freeze(monkeypatch)
    hostile = "</script><script>alert(1)</script>"
    app = build(personas, Status.UNDER_PUBLICITY, name="数据集" + hostile, name_en=hostile)
    text = sign_in(None).get(f"/registry/{app.number}").content.decode()
    head = _Head()
    head.feed(text)
    [script] = head.scripts
    assert "</" not in script
    graph = Graph().parse(data=script, format="json-ld", publicID=BASE + "/")
    node = URIRef(f"{BASE}/registry/{app.number}#dataset")
    assert Literal(hostile, lang="en") in set(graph.objects(node, SDO.name))


def test_an_ai_model_is_software_with_model_card_fields(
    registry: dict[str, Application], sign_in: SignIn
) -> None:
    app = registry["model"]
    client = sign_in(None)
    head = _Head()
    head.feed(client.get(f"/registry/{app.number}").content.decode())
    assert not any("croissant" in (link["href"] or "") for link in head.links)
    graph = Graph().parse(data=head.scripts[0], format="json-ld", publicID=BASE + "/")
    node = URIRef(f"{BASE}/registry/{app.number}#dataset")
    assert (node, RDF.type, SDO.SoftwareSourceCode) in graph
    card = {
        str(graph.value(prop, SDO.propertyID)): str(graph.value(prop, SDO.value))
        for prop in graph.objects(node, SDO.additionalProperty)
    }
    assert card["task"] == "时间序列预测"
    assert card["architecture"] == "Transformer"
    assert card["parameter_count"] == "120000000"
    assert str(graph.value(node, SDO.runtimePlatform)) == "PyTorch"
    trained_on = graph.value(node, SDO.isBasedOn)
    assert str(graph.value(trained_on, SDO.name)) == "城市交通出行数据集"
    assert client.get(f"/registry/{app.number}/croissant.json").status_code == 404


def test_croissant_of_a_data_collection_has_its_required_properties(
    registry: dict[str, Application], sign_in: SignIn
) -> None:
    app = registry["registered"]
    response = sign_in(None).get(f"/registry/{app.number}/croissant.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    document = json.loads(response.content)
    assert document["@context"]["@vocab"] == "https://schema.org/"
    assert document["@context"]["cr"] == "http://mlcommons.org/croissant/"
    graph = parse(response, "json-ld")
    node = URIRef(f"{BASE}/registry/{app.number}#dataset")
    assert (node, RDF.type, SDO.Dataset) in graph
    [described] = [n for n in document["@graph"] if n.get("@type") == "Dataset"]
    assert described["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    assert graph.value(node, DCTERMS.conformsTo) == Literal("http://mlcommons.org/croissant/1.0")
    for required in (SDO.name, SDO.description, SDO.license, SDO.url, SDO.creator):
        assert graph.value(node, required) is not None, required
    assert languages(graph.objects(node, SDO.name)) == {"zh", "en"}
    assert graph.value(node, CR.isLiveDataset) == Literal(True)
    no_secrets(response.content.decode())
    assert "保密的脱敏方法" not in response.content.decode()


def test_the_catalogue_pages_with_hydra_for_harvesters(
    registry: dict[str, Application], sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metadata, "CATALOGUE_PAGE_SIZE", 2)
    client = sign_in(None)
    seen: list[str] = []
    url: str | None = f"{BASE}/catalogue.ttl"
    pages = 0
    while url:
        response = client.get(url.removeprefix(BASE))
        assert response.status_code == 200
        graph = parse(response, "turtle")
        conforms(graph)
        catalogue = URIRef(f"{BASE}/catalogue")
        assert (catalogue, RDF.type, DCAT.Catalog) in graph
        seen += sorted(str(d) for d in graph.objects(catalogue, DCAT.dataset))
        # ckanext-dcat reads hydra:PagedCollection / hydra:nextPage; Hydra core hydra:view / next
        [paged] = graph.subjects(RDF.type, HYDRA.PagedCollection)
        view = graph.value(catalogue, HYDRA.view)
        assert view == paged
        assert (view, RDF.type, HYDRA.PartialCollectionView) in graph
        assert graph.value(view, HYDRA.totalItems) == Literal(3)
        assert str(graph.value(view, HYDRA.firstPage)) == f"{BASE}/catalogue.ttl?page=1"
        assert str(graph.value(view, HYDRA.lastPage)) == f"{BASE}/catalogue.ttl?page=2"
        following = graph.value(view, HYDRA.nextPage)
        assert following == graph.value(view, HYDRA.next)
        url = str(following) if following else None
        pages += 1
    assert pages == 2
    expected = [
        f"{BASE}/registry/{registry[k].number}#dataset"
        for k in ("registered", "model", "announced")
    ]
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))


def test_the_catalogue_answers_json_ld_by_accept_and_carries_modified_dates(
    registry: dict[str, Application], sign_in: SignIn
) -> None:
    client = sign_in(None)
    response = client.get("/catalogue", HTTP_ACCEPT="application/ld+json")
    assert response["Content-Type"].startswith("application/ld+json")
    assert "Accept" in response["Vary"]
    graph = parse(response, "json-ld")
    conforms(graph)
    catalogue = URIRef(f"{BASE}/catalogue")
    assert graph.value(catalogue, DCTERMS.modified) is not None
    for record in graph.objects(catalogue, DCAT.record):
        dataset = graph.value(record, FOAF.primaryTopic)
        assert graph.value(record, DCTERMS.modified) == graph.value(dataset, DCTERMS.modified)
    as_turtle = client.get("/catalogue")
    assert as_turtle["Content-Type"].startswith("text/turtle")
    assert client.get("/catalogue.jsonld", {"page": "x"}).status_code == 200


def test_our_concept_uris_dereference(sign_in: SignIn) -> None:
    client = sign_in(None)
    graph = parse(client.get("/reference/gbt2260"), "turtle")
    shanghai = URIRef(f"{BASE}/reference/gbt2260#31")
    assert Literal("Shanghai", lang="en") in set(graph.objects(shanghai, SKOS.prefLabel))
    industries = parse(client.get("/reference/gbt4754.jsonld"), "json-ld")
    assert (URIRef(f"{BASE}/reference/gbt4754#65"), RDF.type, SKOS.Concept) in industries
    assert client.get("/reference/kinds", HTTP_ACCEPT="application/ld+json")[
        "Content-Type"
    ].startswith("application/ld+json")
    assert client.get("/reference/nothing").status_code == 404


def test_a_catalogue_page_costs_the_same_queries_however_many_datasets(
    registry: dict[str, Application], personas: Personas
) -> None:
    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as counted:
            facts = metadata.particulars_page(1, public_deposits_of_many)
            metadata.catalogue(facts, lambda n: f"{BASE}/catalogue.ttl?page={n}")
        return len(counted)

    before = queries_for_a_page()
    build(personas, Status.REGISTERED, name="又一个数据集")
    build(personas, Status.UNDER_PUBLICITY, name="第三个数据集")
    assert metadata.particulars_page(1).total == 5
    assert queries_for_a_page() == before
