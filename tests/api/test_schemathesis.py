"""Property-based tests of the whole API against its own OpenAPI document (schemathesis).

The Django WSGI application is called in-process, on a database holding a registration (with
a pledge and an exclusive licence), an announcement, drafts, and a live API token of the
applicant. For every operation, schemathesis generates requests from the document, valid ones
and invalid ones; every answer must be no 5xx, a documented status, a documented content
type, and a body that matches the documented schema (problem details for refusals). Which
invalid input is refused, and how, is tested one case at a time in ``test_bad_input``.
A bounded number of examples per operation keeps it to a few seconds.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dataip.registry.models import Material
from dataip.registry.services import changes, publicity
from dataip.registry.workflow import Status
from tests.api._support import Tokens, registered_with_rights
from tests.support.builders import PDF, at_stage, draft
from tests.support.personas import Person, Personas

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 5}
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


Known = dict[str, list[Any]]


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """The site's WSGI application, keeping the test's database connection between requests
    (as Django's test client does: a request's end would close it, and the test's
    transaction with it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def populated(personas: Personas, bank: Person) -> Known:
    """The registry's rows, and the path parameters that name them."""
    registered, _ = registered_with_rights(personas, bank)
    approved = at_stage(personas, Status.APPROVED)
    announced = publicity.announce(approved.pk, actor=personas.examiner.actor)
    drafts = [draft(personas), draft(personas, complete=False, name="半成品")]
    transferred = at_stage(personas, Status.REGISTERED)  # with a transfer to Beta pending
    transfer = changes.propose_transfer(
        transferred.pk,
        actor=personas.applicant.actor,
        assignee_id=personas.other_applicant.holder.pk,
        contract_date="2026-05-01",
        effective_date="2026-05-01",
    )
    objection = publicity.file_objection(
        announced.pk,
        actor=personas.other_applicant.actor,
        user=personas.other_applicant.user,
        ground="other",
        statement="异议",
        evidence=[("proof.pdf", io.BytesIO(PDF))],
    )
    answer = publicity.answer_objection(
        objection.pk,
        actor=personas.applicant.actor,
        user=personas.applicant.user,
        statement="答辩",
        evidence=[("answer.pdf", io.BytesIO(PDF))],
    )
    return {
        "objection_id": [objection.pk],
        "file_id": [objection.evidence.get().pk, answer.evidence.get().pk],
        "reference": [objection.reference],
        "application_id": [a.pk for a in (registered, announced, *drafts)],
        "material_id": list(Material.objects.values_list("pk", flat=True)[:3]),
        "number": [
            registered.registration_number,
            announced.number,
            transferred.registration_number,
        ],
        "transfer_id": [transfer.pk],
    }


def _aim(case: Any, known: Known) -> None:
    """Point most generated path parameters at rows that exist, so that routes do more than
    answer 404; the rest keep their generated value."""
    for name, values in known.items():
        if case.path_parameters and name in case.path_parameters:
            choice = len(str(case.path_parameters[name])) % (len(values) + 1)
            if choice < len(values):
                case.path_parameters[name] = values[choice]


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
def test_every_operation_conforms_to_the_document(
    wsgi_app: Any, populated: Known, tokens: Tokens, mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    headers = {"Authorization": f"Bearer {tokens.own}", "Accept-Language": "en"}
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results) > 20, "every operation of the document loads"
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES[mode],
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            if mode is GenerationMode.POSITIVE:
                _aim(case, populated)
            case.call_and_validate(headers=headers, checks=CONFORMANCE)

        try:
            run()
        except Unsatisfiable:
            # Nothing to get wrong (no parameters, no body): no invalid request exists.
            assert mode is GenerationMode.NEGATIVE, operation.label
