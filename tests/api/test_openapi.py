"""The API's contract: the OpenAPI document is committed, so every change shows up in review.

When the API changes on purpose, regenerate the snapshot and commit it with the change::

    UPDATE_OPENAPI_SNAPSHOT=1 DATAIP_DATA_DIR=var/test .venv/bin/pytest tests/api/test_openapi.py
"""

from __future__ import annotations

import difflib
import importlib
import json
import os
import pkgutil
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import translation
from ninja import Schema

import dataip.api.schemas
from dataip.api.api import api
from dataip.api.errors import PROBLEM_TYPE

SNAPSHOT = Path(__file__).with_name("openapi.json")
REGENERATE = (
    "UPDATE_OPENAPI_SNAPSHOT=1 DATAIP_DATA_DIR=var/test .venv/bin/pytest tests/api/test_openapi.py"
)


def _text() -> str:
    with translation.override("en"):
        document = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_text())
    return document


def test_the_openapi_document_matches_its_snapshot() -> None:
    current = _text()
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if current != committed:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                current.splitlines(keepends=True),
                fromfile="tests/api/openapi.json (committed)",
                tofile="the API now",
                n=2,
            )
        )
        pytest.fail(
            f"The API changed. If that is intended, regenerate the snapshot:\n\n"
            f"    {REGENERATE}\n\nand commit tests/api/openapi.json with the change.\n\n{diff}",
            pytrace=False,
        )


def test_the_served_document_is_the_snapshot(client: Client) -> None:
    response = client.get("/api/v1/openapi.json", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.json() == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_every_error_is_documented_as_problem_details() -> None:
    for path, operations in _document()["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    assert list(answer["content"]) == [PROBLEM_TYPE], (method, path, status)


def test_token_routes_declare_the_bearer_scheme_and_401() -> None:
    document = _document()
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    for path, operations in document["paths"].items():
        for operation in operations.values():
            if operation.get("security"):
                assert "401" in operation["responses"], path


def test_schema_names_are_unique_across_routers() -> None:
    """Two schemas of the same name would silently share one component in the document."""
    seen: dict[str, str] = {}
    for module_info in pkgutil.iter_modules(dataip.api.schemas.__path__):
        module = importlib.import_module(f"dataip.api.schemas.{module_info.name}")
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, Schema)
                and value.__module__ == module.__name__
            ):
                assert name not in seen, f"{name} in {module.__name__} and {seen[name]}"
                seen[name] = module.__name__


def test_the_docs_page_loads_only_the_sites_own_files(client: Client) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references, html
    assert all(ref.startswith("/static/") for ref in references), references
    assert "//" not in "".join(references)
    settings_json = re.search(r'id="swagger-settings">(.*?)</script>', html, re.S)
    assert settings_json is not None
    swagger = json.loads(settings_json.group(1))
    assert swagger["url"] == "/api/v1/openapi.json"
    assert swagger["validatorUrl"] is None, "the UI would call an outside validator"
    for ref in references:  # served by whitenoise once collected (``dataip serve`` does)
        assert finders.find(ref.removeprefix("/static/")), ref
