"""Open metadata of the public registrations (docs/metadata.md): DCAT-AP 3 in Turtle and
JSON-LD (by ``Accept`` on the registration page or by explicit URL), Croissant JSON-LD for
datasets, the paged DCAT catalogue for harvesters, our concept schemes, and the schema.org
JSON-LD the registration page embeds. The graphs come from ``registry.queries.metadata``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET
from rdflib import Graph

from dataip.deposits.queries import public_deposits_of, public_deposits_of_many
from dataip.registry.models import Application
from dataip.registry.queries import metadata
from dataip.registry.queries.metadata import CitedDeposit, Particulars
from dataip.registry.queries.public import PublicRecord

TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
HTML = "text/html"
FORMATS = {"ttl": TURTLE, "jsonld": JSON_LD}
"""The explicit URLs' suffixes and their media types."""
MAX_AGE = 300
"""Seconds a harvester or a cache may keep a metadata document."""


def _deposits(application: Application) -> Sequence[CitedDeposit]:
    return public_deposits_of(application)


def particulars_of(number: str) -> Particulars:
    """The particulars of a public registration (NotFound for anything else)."""
    return metadata.particulars(number, _deposits)


def serialise(graph: Graph, media_type: str, context: dict[str, Any]) -> bytes:
    """A graph in Turtle or in JSON-LD (compacted with ``context``)."""
    if media_type == TURTLE:
        return graph.serialize(format="turtle", encoding="utf-8")
    data = graph.serialize(format="json-ld", context=context, auto_compact=True)
    return data.encode("utf-8")


def _respond(body: bytes, media_type: str, *, vary: bool = False) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{media_type}; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    if vary:
        patch_vary_headers(response, ["Accept"])
    return response


def wanted_rdf(request: HttpRequest) -> str | None:
    """The RDF media type the client prefers to HTML, if any (``Accept``)."""
    preferred = request.get_preferred_type([HTML, TURTLE, JSON_LD])
    return preferred if preferred in (TURTLE, JSON_LD) else None


def dcat_response(number: str, media_type: str, *, vary: bool = False) -> HttpResponse:
    """The DCAT-AP 3 metadata of a public registration."""
    graph = metadata.dcat_dataset(particulars_of(number))
    return _respond(serialise(graph, media_type, metadata.DCAT_CONTEXT), media_type, vary=vary)


@require_GET
def registration_dcat(request: HttpRequest, number: str, suffix: str) -> HttpResponse:
    """``/registry/<number>.ttl`` and ``.jsonld``: DCAT-AP 3 of a public registration."""
    return dcat_response(number, FORMATS[suffix])


@require_GET
def registration_croissant(request: HttpRequest, number: str) -> HttpResponse:
    """``/registry/<number>/croissant.json``: Croissant of a data collection or product
    (404 for algorithms and AI models, which Croissant does not describe)."""
    found = particulars_of(number)
    if not metadata.has_croissant(found):
        raise Http404
    body = serialise(metadata.croissant(found), JSON_LD, metadata.CROISSANT_CONTEXT)
    return _respond(body, JSON_LD)


def _catalogue_page(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def catalogue_document(page: int, media_type: str, page_url_base: str) -> bytes:
    """One page of the DCAT catalogue, its paging links to ``page_url_base?page=N``."""
    facts = metadata.particulars_page(page, public_deposits_of_many)
    graph = metadata.catalogue(facts, lambda n: f"{page_url_base}?page={n}")
    return serialise(graph, media_type, metadata.DCAT_CONTEXT)


def _absolute(path: str) -> str:
    return f"{str(settings.DATAIP_PUBLIC_URL).rstrip('/')}{path}"


@require_GET
def catalogue(request: HttpRequest, suffix: str = "") -> HttpResponse:
    """``/catalogue`` (Turtle, or JSON-LD by ``Accept``), ``/catalogue.ttl``,
    ``/catalogue.jsonld``: the public registrations as a DCAT catalogue, paged (``page``)."""
    if suffix:
        media_type = FORMATS[suffix]
        url = reverse("web:catalogue-as", args=[suffix])
    else:
        media_type = wanted_rdf(request) or TURTLE
        url = reverse("web:catalogue")
    body = catalogue_document(_catalogue_page(request), media_type, _absolute(url))
    return _respond(body, media_type, vary=not suffix)


@require_GET
def concept_scheme(request: HttpRequest, name: str, suffix: str = "") -> HttpResponse:
    """``/reference/<scheme>`` (Turtle, or JSON-LD by ``Accept``) and ``.ttl`` / ``.jsonld``:
    the concept schemes our metadata names provinces, industries and kinds with."""
    try:
        graph = metadata.concept_scheme(name)
    except KeyError:
        raise Http404 from None
    media_type = FORMATS[suffix] if suffix else (wanted_rdf(request) or TURTLE)
    body = serialise(graph, media_type, metadata.DCAT_CONTEXT)
    return _respond(body, media_type, vary=not suffix)


# ── on the registration page ─────────────────────────────────────────────────────────────

_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def embedded_json_ld(found: Particulars) -> SafeString:
    """The schema.org JSON-LD of a public registration, safe inside ``<script>``: every ``<``,
    ``>`` and ``&`` is a JSON escape, so no text of the holder's can close the element."""
    graph = metadata.schema_org(found)
    data = json.loads(graph.serialize(format="json-ld", context=metadata.SCHEMA_CONTEXT))
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 - escaped above


def alternates(number: str, with_croissant: bool) -> list[tuple[str, str, str]]:
    """The ``<link rel="alternate">`` of a registration page: (type, href, title)."""
    links = [
        (TURTLE, reverse("web:registration-as", args=[number, "ttl"]), "DCAT-AP (Turtle)"),
        (JSON_LD, reverse("web:registration-as", args=[number, "jsonld"]), "DCAT-AP (JSON-LD)"),
    ]
    if with_croissant:
        href = reverse("web:registration-croissant", args=[number])
        links.append((JSON_LD, href, "Croissant"))
    return links


def page_metadata(record: PublicRecord) -> dict[str, Any]:
    """What the registration page's head carries: the alternates and the embedded schema.org,
    from the record the page has read."""
    found = metadata.particulars_of_record(record, _deposits)
    return {
        "alternates": alternates(found.number, metadata.has_croissant(found)),
        "json_ld": embedded_json_ld(found),
    }
