"""The deposit API against its own OpenAPI document (schemathesis), as in tests/api: no 5xx,
documented statuses, content types and bodies, for valid and invalid requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from dataip.accounts.tokens import create_token
from tests.api.test_schemathesis import CONFORMANCE
from tests.deposits._data import deposit, files, make_tree, manifest_of
from tests.support.builders import draft
from tests.support.personas import Personas

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.deposits.api_urls")]
EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 5}


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
def test_every_deposit_operation_conforms_to_the_document(
    wsgi_app: Any, personas: Personas, tmp_path: Path, mode: GenerationMode
) -> None:
    made = deposit(personas.applicant, manifest_of(make_tree(tmp_path / "d", files(1, "f", 2))))
    app = draft(personas)
    known = {"deposit_id": [made.pk], "application_id": [app.pk]}
    token = create_token(personas.applicant.user, "erp")[1]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    results = list(schema.get_all_operations())
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert len(operations) == len(results) == 7
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
                for name, values in known.items():
                    if case.path_parameters and name in case.path_parameters:
                        case.path_parameters[name] = values[0]
            case.call_and_validate(headers=headers, checks=CONFORMANCE)

        try:
            run()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.label
