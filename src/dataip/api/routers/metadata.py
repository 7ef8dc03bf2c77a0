"""Open metadata in the API (no token; docs/metadata.md): the DCAT-AP 3 catalogue of the
public registrations, paged with Hydra, and one registration's DCAT-AP 3, both JSON-LD.

The same graphs as the site's ``/catalogue.jsonld`` and ``/registry/<number>.jsonld``
(``registry.queries.metadata``); harvesters may use either. Only public registrations.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import P, QueryEx, Router
from ninja.params import PathEx
from rdflib import Graph

from dataip.api.schemas.common import ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.deposits.queries import public_deposits_of, public_deposits_of_many
from dataip.registry.queries import metadata

router = Router(tags=["metadata"])
ERRORS: dict[int, type[Problem]] = {404: Problem, 422: ValidationProblem}
NUMBER = P(pattern=r"^[0-9A-Za-z]{1,20}$", description="Registration or application number")
JSON_LD = "application/ld+json"
MAX_AGE = 300


def _answer(description: str) -> dict[str, object]:
    return {
        "responses": {
            200: {
                "description": description,
                "content": {JSON_LD: {"schema": {"type": "object"}}},
            }
        }
    }


def _json_ld(graph: Graph) -> HttpResponse:
    body = graph.serialize(format="json-ld", context=metadata.DCAT_CONTEXT, auto_compact=True)
    response = HttpResponse(body.encode("utf-8"), content_type=f"{JSON_LD}; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@router.get(
    "/catalogue",
    response={200: dict[str, object], **ERRORS},
    summary="DCAT-AP catalogue (JSON-LD, paged)",
    openapi_extra=_answer("One page of the DCAT-AP 3 catalogue, JSON-LD"),
)
def catalogue(request: HttpRequest, page: QueryEx[int, P(ge=1, le=1_000_000)] = 1) -> HttpResponse:
    """The public registrations as a DCAT-AP 3 ``dcat:Catalog`` in JSON-LD, oldest application
    first, a page at a time. Paging is Hydra: the collection's ``hydra:view`` names the page
    with ``hydra:first``/``next``/``previous``/``last`` (and, for CKAN's DCAT harvester, the
    same links as ``hydra:PagedCollection`` ``firstPage``/``nextPage``...). Every dataset and
    catalogue record carries ``dct:modified`` for incremental harvesting."""
    base = f"{str(settings.DATAIP_PUBLIC_URL).rstrip('/')}/api/v1/catalogue"
    facts = metadata.particulars_page(page, public_deposits_of_many)
    return _json_ld(metadata.catalogue(facts, lambda n: f"{base}?page={n}"))


@router.get(
    "/registrations/{number}/dcat",
    response={200: dict[str, object], **ERRORS},
    summary="DCAT-AP of a registration (JSON-LD)",
    openapi_extra=_answer("The DCAT-AP 3 dataset, JSON-LD"),
)
def registration_dcat(request: HttpRequest, number: PathEx[str, NUMBER]) -> HttpResponse:
    """One public registration as a DCAT-AP 3 ``dcat:Dataset`` in JSON-LD: identifier, titles
    and descriptions in Chinese and English, holders, province (GB/T 2260), industry
    (GB/T 4754), temporal coverage, dates, landing page, and the root of a cited deposit."""
    return _json_ld(metadata.dcat_dataset(metadata.particulars(number, public_deposits_of)))
