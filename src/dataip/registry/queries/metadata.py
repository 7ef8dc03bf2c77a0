"""Open metadata of the public registrations (开放元数据): DCAT-AP 3, schema.org, Croissant.

Each builder returns an :class:`rdflib.Graph` of what the public registration page already shows
(:func:`~dataip.registry.queries.public.public_record`), for public applications only (announced,
registered and after); the web and the API serialise it (Turtle, JSON-LD). Nothing confidential
goes in: the product's public fields, the public kind-specific details, the holders' names, the
public dates and, where the application cites a deposit whose root is published, that root.

Decisions (docs/metadata.md):

* Every kind is a ``dcat:Dataset`` (algorithms and AI models too: a ``dcat:DataService`` needs
  an endpoint, and a registered model has none here); ``dct:type`` names the kind with a SKOS
  concept of ours, and harvesters that only know datasets (CKAN) still take them all.
* Resources are named under ``DATAIP_PUBLIC_URL`` by the **application number**, which never
  changes (the registration number comes later and is the ``dct:identifier`` once issued):
  the dataset is ``/registry/<number>#dataset``, its landing page ``/registry/<number>``.
* Provinces (GB/T 2260) and industries (GB/T 4754-2017 divisions) are SKOS concepts of ours
  under ``/reference/gbt2260#<code>`` and ``/reference/gbt4754#<code>`` with their names in
  Chinese and English; those documents dereference (:func:`concept_scheme`).
* ``dct:publisher`` takes one agent (DCAT-AP 3: at most one): the holder with the largest share;
  every holder is a ``dct:rightsHolder``.
* A cited deposit is a ``dcat:Distribution`` whose ``accessURL`` is the public deposit page and
  whose ``spdx:checksum`` (SHA-256) is the deposit root: the RFC 6962 Merkle root over the
  dataset's files (docs/deposit.md), which the holder can prove a file against. The data itself
  is not distributed by the registry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Max, Prefetch, Q
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from dataip.registry import reference
from dataip.registry.details import DATASET_KINDS, MODEL_KINDS, public_details
from dataip.registry.kinds import KIND_NAMES, ProductKind
from dataip.registry.models import Application, ApplicationHolder
from dataip.registry.models.holders import HolderKind
from dataip.registry.queries.public import PublicRecord, holder_rows, public_application
from dataip.registry.workflow import PUBLIC_STATUSES

__all__ = [
    "CATALOGUE_PAGE_SIZE",
    "CROISSANT_CONTEXT",
    "DCAT_CONTEXT",
    "SCHEMA_CONTEXT",
    "CatalogueFacts",
    "CitedDeposit",
    "Particulars",
    "catalogue",
    "concept_scheme",
    "croissant",
    "dcat_dataset",
    "has_croissant",
    "particulars",
    "particulars_page",
    "schema_org",
]

SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SDO = Namespace("https://schema.org/")
CR = Namespace("http://mlcommons.org/croissant/")
RAI = Namespace("http://mlcommons.org/croissant/RAI/")
FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
ACCESS_RIGHT = Namespace("http://publications.europa.eu/resource/authority/access-right/")
LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
CROISSANT_1_0 = "http://mlcommons.org/croissant/1.0"
DCAT_AP_3 = "http://data.europa.eu/r5r/"

CATALOGUE_PAGE_SIZE = 100
"""Datasets per page of the catalogue."""

#: The JSON-LD contexts the web and the API serialise with.
DCAT_CONTEXT: dict[str, Any] = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "skos": str(SKOS),
    "spdx": str(SPDX),
    "hydra": str(HYDRA),
    "adms": str(ADMS),
    "vcard": str(VCARD),
    "xsd": str(XSD),
    "rdfs": str(RDFS),
}
_LINKS = {
    "url": {"@id": str(SDO.url), "@type": "@id"},
    "subjectOf": {"@id": str(SDO.subjectOf), "@type": "@id"},
}
"""schema.org links written as plain URL strings (what search engines expect)."""
SCHEMA_CONTEXT: dict[str, Any] = {"@vocab": str(SDO), **_LINKS}
CROISSANT_CONTEXT: dict[str, Any] = {
    "@vocab": str(SDO),
    **_LINKS,
    "sc": str(SDO),
    "cr": str(CR),
    "rai": str(RAI),
    "dct": str(DCTERMS),
    "conformsTo": "dct:conformsTo",
    "isLiveDataset": "cr:isLiveDataset",
    "citeAs": "cr:citeAs",
    "recordSet": "cr:recordSet",
}

FREQUENCIES = {
    "real_time": FREQUENCY.UPDATE_CONT,
    "daily": FREQUENCY.DAILY,
    "weekly": FREQUENCY.WEEKLY,
    "monthly": FREQUENCY.MONTHLY,
    "quarterly": FREQUENCY.QUARTERLY,
    "yearly": FREQUENCY.ANNUAL,
    "one_off": FREQUENCY.NEVER,
    "per_contract": FREQUENCY.IRREG,
}
"""Our update frequencies in the EU frequency authority table (DCAT-AP's vocabulary)."""

REGISTRY_NAME = ("数据知识产权登记平台", "Data IP Registry")
CATALOGUE_TITLE = ("数据知识产权登记目录", "Catalogue of registered data intellectual property")
CATALOGUE_DESCRIPTION = (
    "已公示及已登记的数据知识产权（数据集合、数据产品、数据算法/模型）的公开信息。",
    "The public particulars of announced and registered data intellectual property "
    "(data collections, data products, data algorithms and AI models).",
)
DEPOSIT_DESCRIPTION = (
    "存证：校验值为数据集文件的存证根（RFC 6962 默克尔树根），数据本身不在本平台分发。",
    "Deposit: the checksum is the deposit root of the dataset's files (an RFC 6962 Merkle "
    "root); the data itself is not distributed by the registry.",
)
RIGHTS = (
    "数据知识产权归登记的权利人所有；许可与质押情况见登记页面。",
    "The data intellectual property belongs to the registered holders; licences and pledges "
    "are recorded on the registration page.",
)


class CitedDeposit(Protocol):
    """A deposit an application cites, as the public sees it (deposits.queries.PublicDeposit)."""

    @property
    def number(self) -> str: ...

    @property
    def root(self) -> str | None: ...


@dataclass(frozen=True)
class PublicHolder:
    """A holder as the public sees it: the name, the kind of person, the share."""

    name: str
    kind: str
    share: Decimal


@dataclass(frozen=True)
class Particulars:
    """What the metadata of one public registration is made of (only public facts)."""

    number: str
    registration_number: str
    status: str
    kind: ProductKind
    product: dict[str, Any]
    holders: tuple[PublicHolder, ...]
    issued: date | None
    modified: datetime | None
    valid_from: date | None
    valid_until: date | None
    deposits: tuple[CitedDeposit, ...] = ()

    @property
    def identifier(self) -> str:
        """The registration number once issued, the application number before."""
        return self.registration_number or self.number


def _base() -> str:
    return str(settings.DATAIP_PUBLIC_URL).rstrip("/")


def landing_page(number: str) -> str:
    """The public registration page (the landing page of the dataset)."""
    return f"{_base()}/registry/{number}"


def dataset_uri(number: str) -> URIRef:
    """The dataset described by the registration ``number`` (an application number)."""
    return URIRef(f"{landing_page(number)}#dataset")


def province_uri(code: str) -> URIRef:
    """A GB/T 2260 province as a concept of ours."""
    return URIRef(f"{_base()}/reference/gbt2260#{code}")


def industry_uri(code: str) -> URIRef:
    """A GB/T 4754-2017 division as a concept of ours."""
    return URIRef(f"{_base()}/reference/gbt4754#{code}")


def kind_uri(kind: str) -> URIRef:
    """A kind of registered object as a concept of ours."""
    return URIRef(f"{_base()}/reference/kinds#{kind}")


SCHEMES = ("gbt2260", "gbt4754", "kinds")
"""The concept schemes of ours that :func:`concept_scheme` builds."""


# ── reading ─────────────────────────────────────────────────────────────────────────────


def _holders_of(application: Application) -> tuple[PublicHolder, ...]:
    rows = sorted(holder_rows(application), key=lambda h: (-h.share, h.pk))
    return tuple(PublicHolder(h.holder.name, h.holder.kind, h.share) for h in rows)


def _particulars(
    application: Application, modified: datetime | None, deposits: Sequence[CitedDeposit]
) -> Particulars:
    product = application.product
    kind = ProductKind(product.kind)
    fields = {
        name: getattr(product, name)
        for name in (
            "name",
            "name_en",
            "summary",
            "summary_en",
            "industry_code",
            "province_code",
            "formation_date",
            "record_count",
            "size_bytes",
            "update_frequency",
            "application_scenarios",
        )
    }
    fields["details"] = public_details(kind, product.details or {})
    issued = application.registered_on or application.announcement_starts
    return Particulars(
        number=str(application.number),
        registration_number=application.registration_number or "",
        status=application.status,
        kind=kind,
        product=fields,
        holders=_holders_of(application),
        issued=issued,
        modified=modified,
        valid_from=application.valid_from,
        valid_until=application.valid_until,
        deposits=tuple(d for d in deposits if d.root),
    )


def _public_applications() -> Any:
    return (
        Application.objects.filter(status__in=[s.value for s in PUBLIC_STATUSES])
        .select_related("product")
        .prefetch_related(
            Prefetch("holders", queryset=ApplicationHolder.objects.select_related("holder"))
        )
        .annotate(last_public_event=Max("events__occurred_at", filter=Q(events__public=True)))
    )


def particulars(
    number: str, deposits: Callable[[Application], Sequence[CitedDeposit]] | None = None
) -> Particulars:
    """The particulars of a public registration by its registration or application number
    (NotFound for anything not public). ``deposits`` gives the deposits it cites, as the public
    sees them (the deposits floor lies above this one)."""
    application = public_application(number)
    found = _public_applications().get(pk=application.pk)
    cited = deposits(found) if deposits else ()
    return _particulars(found, found.last_public_event, cited)


def particulars_of_record(
    record: PublicRecord, deposits: Callable[[Application], Sequence[CitedDeposit]] | None = None
) -> Particulars:
    """The particulars of the public registration whose record a page has just read (its
    application, holders and public history are not read again)."""
    modified = max((at for _, at in record.history), default=None)
    cited = deposits(record.application) if deposits else ()
    return _particulars(record.application, modified, cited)


@dataclass(frozen=True)
class CatalogueFacts:
    """One page of the catalogue: its datasets and where it stands among the pages."""

    page: int
    pages: int
    size: int
    total: int
    items: tuple[Particulars, ...]
    modified: datetime | None


def particulars_page(
    page: int,
    deposits: Callable[[Sequence[Application]], Mapping[int, Sequence[CitedDeposit]]] | None = None,
    *,
    size: int | None = None,
) -> CatalogueFacts:
    """A page of the public registrations in a stable order (the oldest application first:
    new ones go on the last page, and a page never shifts under a harvester)."""
    size = size or CATALOGUE_PAGE_SIZE
    public = [s.value for s in PUBLIC_STATUSES]
    total = Application.objects.filter(status__in=public).count()
    everything = _public_applications()
    pages = max(1, math.ceil(total / size))
    page = min(max(1, page), pages)
    rows = list(everything.order_by("id")[(page - 1) * size : page * size])
    cited = deposits(rows) if deposits else {}
    newest = Application.objects.filter(status__in=public, events__public=True).aggregate(
        at=Max("events__occurred_at")
    )["at"]
    items = tuple(_particulars(a, a.last_public_event, cited.get(a.pk, ())) for a in rows)
    return CatalogueFacts(page, pages, size, total, items, newest)


# ── shared pieces ───────────────────────────────────────────────────────────────────────


def _texts(graph: Graph, subject: URIRef | BNode, predicate: URIRef, zh: str, en: str) -> None:
    """A text in Chinese and, where given, in English (language-tagged)."""
    if zh:
        graph.add((subject, predicate, Literal(zh, lang="zh")))
    if en:
        graph.add((subject, predicate, Literal(en, lang="en")))


def _title(p: Particulars) -> tuple[str, str]:
    return str(p.product["name"]), str(p.product["name_en"] or "")


def _description(p: Particulars) -> tuple[str, str]:
    return str(p.product["summary"]), str(p.product["summary_en"] or "")


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _coverage(p: Particulars) -> tuple[date | None, date | None]:
    details = p.product["details"]
    return _date(details.get("temporal_coverage_start")), _date(
        details.get("temporal_coverage_end")
    )


def _province(code: str) -> reference.Province | None:
    try:
        return reference.province(code)
    except KeyError:
        return None


def _industry(code: str) -> reference.Industry | None:
    try:
        return reference.industry(code)
    except KeyError:
        return None


def _new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in DCAT_CONTEXT.items():
        graph.bind(prefix, Namespace(namespace))
    return graph


# ── DCAT-AP 3 ───────────────────────────────────────────────────────────────────────────


def _concept(graph: Graph, uri: URIRef, scheme: URIRef, zh: str, en: str, notation: str) -> URIRef:
    graph.add((uri, RDF.type, SKOS.Concept))
    graph.add((uri, SKOS.inScheme, scheme))
    graph.add((uri, SKOS.notation, Literal(notation)))
    _texts(graph, uri, SKOS.prefLabel, zh, en)
    return uri


def _scheme(graph: Graph, name: str) -> URIRef:
    uri = URIRef(f"{_base()}/reference/{name}")
    titles = {
        "gbt2260": ("GB/T 2260 中华人民共和国行政区划代码（省级）", "GB/T 2260 provinces"),
        "gbt4754": ("GB/T 4754-2017 国民经济行业分类（大类）", "GB/T 4754-2017 divisions"),
        "kinds": ("数据知识产权登记对象类型", "Kinds of registered data IP"),
    }[name]
    graph.add((uri, RDF.type, SKOS.ConceptScheme))
    _texts(graph, uri, DCTERMS.title, *titles)
    return uri


def _add_province(graph: Graph, code: str) -> URIRef | None:
    found = _province(code)
    if found is None:
        return None
    uri = _concept(
        graph,
        province_uri(found.code2),
        _scheme(graph, "gbt2260"),
        found.name_zh,
        found.name_en,
        found.code6,
    )
    graph.add((uri, RDF.type, DCTERMS.Location))
    return uri


def _add_industry(graph: Graph, code: str) -> URIRef | None:
    found = _industry(code)
    if found is None:
        return None
    return _concept(
        graph,
        industry_uri(found.division_code),
        _scheme(graph, "gbt4754"),
        found.division_name_zh,
        found.division_name_en,
        found.division_code,
    )


def _add_kind(graph: Graph, kind: str) -> URIRef:
    zh, en = KIND_NAMES[kind]
    return _concept(graph, kind_uri(kind), _scheme(graph, "kinds"), zh, en, kind)


def _agent(graph: Graph, uri: URIRef, holder: PublicHolder) -> URIRef:
    graph.add((uri, RDF.type, FOAF.Agent))
    graph.add(
        (
            uri,
            RDF.type,
            FOAF.Person if holder.kind == HolderKind.NATURAL_PERSON else FOAF.Organization,
        )
    )
    graph.add((uri, FOAF.name, Literal(holder.name)))
    return uri


def _registry_agent(graph: Graph) -> URIRef:
    uri = URIRef(f"{_base()}/#registry")
    graph.add((uri, RDF.type, FOAF.Agent))
    graph.add((uri, RDF.type, FOAF.Organization))
    _texts(graph, uri, FOAF.name, *REGISTRY_NAME)
    graph.add((uri, FOAF.homepage, URIRef(f"{_base()}/")))
    return uri


def _add_dataset(graph: Graph, p: Particulars) -> URIRef:
    dataset = dataset_uri(p.number)
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, RDF.type, DCAT.Resource))
    _texts(graph, dataset, DCTERMS.title, *_title(p))
    _texts(graph, dataset, DCTERMS.description, *_description(p))
    graph.add((dataset, DCTERMS.identifier, Literal(p.identifier)))
    numbers = [("application", p.number)]
    if p.registration_number:
        numbers.append(("registration", p.registration_number))
    for role, value in numbers:
        other = URIRef(f"{landing_page(p.number)}#{role}-number")
        graph.add((dataset, ADMS.identifier, other))
        graph.add((other, RDF.type, ADMS.Identifier))
        graph.add((other, SKOS.notation, Literal(value)))
    graph.add((dataset, DCTERMS.type, _add_kind(graph, p.kind)))
    landing = URIRef(landing_page(p.number))
    graph.add((dataset, DCAT.landingPage, landing))
    graph.add((landing, RDF.type, FOAF.Document))
    for i, holder in enumerate(p.holders, start=1):
        agent = _agent(graph, URIRef(f"{landing_page(p.number)}#holder-{i}"), holder)
        graph.add((dataset, DCTERMS.rightsHolder, agent))
        if i == 1:
            graph.add((dataset, DCTERMS.publisher, agent))
    province = _add_province(graph, str(p.product["province_code"]))
    if province is not None:
        graph.add((dataset, DCTERMS.spatial, province))
    industry = _add_industry(graph, str(p.product["industry_code"]))
    if industry is not None:
        graph.add((dataset, DCAT.theme, industry))
    start, end = _coverage(p)
    if start or end:
        period = URIRef(f"{landing_page(p.number)}#temporal")
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if start:
            graph.add((period, DCAT.startDate, Literal(start, datatype=XSD.date)))
        if end:
            graph.add((period, DCAT.endDate, Literal(end, datatype=XSD.date)))
        graph.add((dataset, DCTERMS.temporal, period))
    if p.issued:
        graph.add((dataset, DCTERMS.issued, Literal(p.issued, datatype=XSD.date)))
    if p.modified:
        graph.add((dataset, DCTERMS.modified, Literal(p.modified, datatype=XSD.dateTime)))
    frequency = FREQUENCIES.get(str(p.product["update_frequency"]))
    if frequency is not None:
        graph.add((dataset, DCTERMS.accrualPeriodicity, frequency))
        graph.add((frequency, RDF.type, DCTERMS.Frequency))
    industry_found = _industry(str(p.product["industry_code"]))
    if industry_found is not None:
        _texts(
            graph,
            dataset,
            DCAT.keyword,
            industry_found.division_name_zh,
            industry_found.division_name_en,
        )
    if p.valid_from and p.valid_until:
        graph.add((dataset, DCTERMS.valid, Literal(f"{p.valid_from}/{p.valid_until}")))
    rights = URIRef(f"{landing_page(p.number)}#rights")
    graph.add((rights, RDF.type, DCTERMS.RightsStatement))
    _texts(graph, rights, RDFS.label, *RIGHTS)
    graph.add((dataset, DCTERMS.rights, rights))
    # The data is not open: it is reached by licence from its holders (EU access-right table).
    graph.add((dataset, DCTERMS.accessRights, ACCESS_RIGHT.RESTRICTED))
    graph.add((ACCESS_RIGHT.RESTRICTED, RDF.type, DCTERMS.RightsStatement))
    for deposit in p.deposits:
        distribution = URIRef(f"{landing_page(p.number)}#deposit-{deposit.number}")
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add(
            (distribution, DCAT.accessURL, URIRef(f"{_base()}/deposits/public/{deposit.number}"))
        )
        _texts(
            graph,
            distribution,
            DCTERMS.title,
            f"存证 {deposit.number}",
            f"Deposit {deposit.number}",
        )
        _texts(graph, distribution, DCTERMS.description, *DEPOSIT_DESCRIPTION)
        graph.add((distribution, DCTERMS.rights, rights))
        checksum = URIRef(f"{landing_page(p.number)}#deposit-{deposit.number}-root")
        graph.add((distribution, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
        graph.add((checksum, SPDX.checksumValue, Literal(deposit.root, datatype=XSD.hexBinary)))
    return dataset


def dcat_dataset(p: Particulars) -> Graph:
    """DCAT-AP 3 metadata of one public registration."""
    graph = _new_graph()
    _add_dataset(graph, p)
    return graph


def catalogue(facts: CatalogueFacts, page_url: Callable[[int], str]) -> Graph:
    """One page of the DCAT-AP 3 catalogue, with its Hydra paging in both forms harvesters
    read: ``hydra:PagedCollection`` with ``nextPage`` (ckanext-dcat) and the collection's
    ``hydra:view``, a ``hydra:PartialCollectionView`` with ``next`` (Hydra core today)."""
    graph = _new_graph()
    base = _base()
    cat = URIRef(f"{base}/catalogue")
    graph.add((cat, RDF.type, DCAT.Catalog))
    _texts(graph, cat, DCTERMS.title, *CATALOGUE_TITLE)
    _texts(graph, cat, DCTERMS.description, *CATALOGUE_DESCRIPTION)
    graph.add((cat, DCTERMS.publisher, _registry_agent(graph)))
    graph.add((cat, FOAF.homepage, URIRef(f"{base}/")))
    graph.add((URIRef(f"{base}/"), RDF.type, FOAF.Document))
    for language in (LANGUAGE.ZHO, LANGUAGE.ENG):
        graph.add((cat, DCTERMS.language, language))
        graph.add((language, RDF.type, DCTERMS.LinguisticSystem))
    if facts.modified:
        graph.add((cat, DCTERMS.modified, Literal(facts.modified, datatype=XSD.dateTime)))
    spatial = URIRef("http://publications.europa.eu/resource/authority/country/CHN")
    graph.add((cat, DCTERMS.spatial, spatial))
    graph.add((spatial, RDF.type, DCTERMS.Location))
    for p in facts.items:
        dataset = _add_dataset(graph, p)
        graph.add((cat, DCAT.dataset, dataset))
        record = URIRef(f"{landing_page(p.number)}#record")
        graph.add((cat, DCAT.record, record))
        graph.add((record, RDF.type, DCAT.CatalogRecord))
        graph.add((record, FOAF.primaryTopic, dataset))
        if p.modified:
            graph.add((record, DCTERMS.modified, Literal(p.modified, datatype=XSD.dateTime)))
        graph.add((record, DCTERMS.conformsTo, URIRef(DCAT_AP_3)))
        graph.add((URIRef(DCAT_AP_3), RDF.type, DCTERMS.Standard))
    # Paging
    view = URIRef(page_url(facts.page))
    graph.add((cat, RDF.type, HYDRA.Collection))
    graph.add((cat, HYDRA.totalItems, Literal(facts.total)))
    graph.add((cat, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, RDF.type, HYDRA.PagedCollection))
    graph.add((view, HYDRA.totalItems, Literal(facts.total)))
    graph.add((view, HYDRA.itemsPerPage, Literal(facts.size)))
    links = [
        (HYDRA.first, HYDRA.firstPage, 1),
        (HYDRA.last, HYDRA.lastPage, facts.pages),
    ]
    if facts.page < facts.pages:
        links.append((HYDRA.next, HYDRA.nextPage, facts.page + 1))
    if facts.page > 1:
        links.append((HYDRA.previous, HYDRA.previousPage, facts.page - 1))
    for new, old, number in links:
        graph.add((view, new, URIRef(page_url(number))))
        graph.add((view, old, URIRef(page_url(number))))
    return graph


def concept_scheme(name: str) -> Graph:
    """One of our concept schemes (``gbt2260``, ``gbt4754``, ``kinds``), whole, so that the
    URIs of the provinces, industries and kinds dereference. KeyError for another name."""
    if name not in SCHEMES:
        raise KeyError(name)
    graph = _new_graph()
    scheme = _scheme(graph, name)
    concepts: Iterable[URIRef | None]
    if name == "gbt2260":
        concepts = (_add_province(graph, p.code2) for p in reference.provinces())
    elif name == "gbt4754":
        concepts = (_add_industry(graph, i.division_code) for i in reference.industries())
    else:
        concepts = (_add_kind(graph, k.value) for k in ProductKind)
    for concept in concepts:
        if concept is not None:
            graph.add((scheme, SKOS.hasTopConcept, concept))
    return graph


# ── schema.org ──────────────────────────────────────────────────────────────────────────


def _sdo_texts(graph: Graph, subject: URIRef | BNode, predicate: URIRef, zh: str, en: str) -> None:
    _texts(graph, subject, predicate, zh, en)


def _sdo_common(graph: Graph, node: URIRef, p: Particulars) -> None:
    _sdo_texts(graph, node, SDO.name, *_title(p))
    _sdo_texts(graph, node, SDO.description, *_description(p))
    graph.add((node, SDO.identifier, Literal(p.identifier)))
    graph.add((node, SDO.url, URIRef(landing_page(p.number))))
    _sdo_texts(graph, node, SDO.genre, *KIND_NAMES[p.kind])
    for i, holder in enumerate(p.holders, start=1):
        agent = URIRef(f"{landing_page(p.number)}#holder-{i}")
        person = holder.kind == HolderKind.NATURAL_PERSON
        graph.add((agent, RDF.type, SDO.Person if person else SDO.Organization))
        graph.add((agent, SDO.name, Literal(holder.name)))
        graph.add((node, SDO.creator, agent))
    province = _province(str(p.product["province_code"]))
    if province is not None:
        place = URIRef(str(province_uri(province.code2)))
        graph.add((place, RDF.type, SDO.Place))
        _sdo_texts(graph, place, SDO.name, province.name_zh, province.name_en)
        graph.add((node, SDO.spatialCoverage, place))
    industry = _industry(str(p.product["industry_code"]))
    if industry is not None:
        _sdo_texts(graph, node, SDO.keywords, industry.division_name_zh, industry.division_name_en)
    # schema.org dates are ISO 8601 text (what search engines read), not typed literals.
    if p.issued:
        graph.add((node, SDO.datePublished, Literal(p.issued.isoformat())))
    if p.modified:
        graph.add((node, SDO.dateModified, Literal(p.modified.isoformat())))
    formed = _date(p.product["formation_date"])
    if formed:
        graph.add((node, SDO.dateCreated, Literal(formed.isoformat())))


def _property(graph: Graph, node: URIRef, key: str, name: str, value: Any) -> None:
    prop = BNode()
    graph.add((node, SDO.additionalProperty, prop))
    graph.add((prop, RDF.type, SDO.PropertyValue))
    graph.add((prop, SDO.propertyID, Literal(key)))
    graph.add((prop, SDO.name, Literal(name, lang="en")))
    graph.add((prop, SDO.value, Literal(value)))


MODEL_CARD = (
    ("task", "Task"),
    ("architecture", "Architecture"),
    ("parameter_count", "Number of parameters"),
    ("framework", "Framework"),
    ("evaluation_results", "Evaluation results"),
    ("intended_uses", "Intended uses"),
    ("out_of_scope_uses", "Out-of-scope uses"),
)
"""The model-card fields of an algorithm or AI model, as schema.org ``additionalProperty``."""


def schema_org(p: Particulars) -> Graph:
    """schema.org metadata: a ``Dataset`` for data collections and products, a
    ``SoftwareSourceCode`` with model-card fields for algorithms and AI models."""
    graph = Graph(bind_namespaces="none")  # only its own prefix: rdflib's 30 cost a page 1 ms
    graph.bind("schema", SDO)
    node = dataset_uri(p.number)
    details = p.product["details"]
    _sdo_common(graph, node, p)
    if p.kind in MODEL_KINDS:
        graph.add((node, RDF.type, SDO.SoftwareSourceCode))
        if details.get("framework"):
            graph.add((node, SDO.runtimePlatform, Literal(details["framework"])))
        for key, name in MODEL_CARD:
            values = details.get(key)
            for value in values if isinstance(values, list) else [values]:
                if value not in (None, ""):
                    _property(graph, node, key, name, value)
        for source in details.get("training_data") or []:
            trained_on = BNode()
            graph.add((node, SDO.isBasedOn, trained_on))
            graph.add((trained_on, RDF.type, SDO.Dataset))
            graph.add((trained_on, SDO.name, Literal(source)))
    else:
        graph.add((node, RDF.type, SDO.Dataset))
        start, end = _coverage(p)
        if start or end:
            coverage = f"{start.isoformat() if start else '..'}/{end.isoformat() if end else '..'}"
            graph.add((node, SDO.temporalCoverage, Literal(coverage)))
        if details.get("format"):
            graph.add((node, SDO.encodingFormat, Literal(details["format"])))
        if p.product["size_bytes"]:
            graph.add((node, SDO.size, Literal(f"{p.product['size_bytes']} B")))
        for deposit in p.deposits:
            graph.add((node, SDO.subjectOf, URIRef(f"{_base()}/deposits/public/{deposit.number}")))
    return graph


# ── Croissant ───────────────────────────────────────────────────────────────────────────


def has_croissant(p: Particulars) -> bool:
    """Croissant describes datasets: data collections and data products."""
    return p.kind in DATASET_KINDS


def croissant(p: Particulars) -> Graph:
    """Croissant 1.0 (MLCommons) metadata of a data collection or product: the schema.org
    dataset with Croissant's required properties (conformsTo, name, description, license, url)
    and its responsible-AI fields where public. The registry holds no files, so there is no
    ``distribution`` or ``recordSet``. ValueError for algorithms and AI models."""
    if not has_croissant(p):
        raise ValueError(p.kind)
    graph = Graph()
    graph.bind("sc", SDO)
    graph.bind("cr", CR)
    graph.bind("rai", RAI)
    graph.bind("dct", DCTERMS)
    node = dataset_uri(p.number)
    graph.add((node, RDF.type, SDO.Dataset))
    # A plain string, as Croissant's own files and tools (mlcroissant) have it.
    graph.add((node, DCTERMS.conformsTo, Literal(CROISSANT_1_0)))
    _sdo_common(graph, node, p)
    licence = URIRef(f"{landing_page(p.number)}#rights")
    graph.add((node, SDO.license, licence))
    graph.add((licence, RDF.type, SDO.CreativeWork))
    _texts(graph, licence, SDO.name, *RIGHTS)
    graph.add((node, CR.citeAs, Literal(f"{p.identifier} {landing_page(p.number)}")))
    graph.add(
        (node, CR.isLiveDataset, Literal(str(p.product["update_frequency"]) not in ("one_off", "")))
    )
    details = p.product["details"]
    if details.get("personal_information"):
        graph.add(
            (node, RAI.personalSensitiveInformation, Literal(str(details["personal_information"])))
        )
    start, end = _coverage(p)
    if start or end:
        coverage = f"{start.isoformat() if start else '..'}/{end.isoformat() if end else '..'}"
        graph.add((node, SDO.temporalCoverage, Literal(coverage)))
    return graph
