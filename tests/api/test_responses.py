"""Every GET route of the persona matrix, as each persona: answers to a token are sent with
``Cache-Control: no-store``, the public's stay cacheable, and HEAD answers as GET does."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api._support import Api, Tokens
from tests.api.test_persona_matrix import CASES, ORDER, World
from tests.support.personas import Person, Personas

pytestmark = pytest.mark.django_db
READS = [name for name, case in CASES.items() if case.method == "GET"]


@pytest.mark.parametrize("name", READS)
def test_reads_by_token_are_not_stored_and_head_answers_as_get(
    name: str, api: Api, tokens: Tokens, personas: Personas, bank: Person
) -> None:
    case = CASES[name]
    world = World(personas, bank)
    for needed in case.needs:
        world.app(needed)
    path = case.path(world)
    for persona in ORDER:
        caller = api.as_(tokens.of(persona))
        got: Any = caller.get(path)
        if got.streaming:  # read (and close) a streamed download
            b"".join(got.streaming_content)
        assert got.status_code == case.expected[persona], (persona, got.content)
        no_store = "no-store" in got.get("Cache-Control", "")
        assert no_store == (persona != "anonymous"), persona
        head: Any = caller.call("HEAD", path)
        assert head.status_code == got.status_code, persona
        assert b"".join(head.streaming_content if head.streaming else [head.content]) == b""
        assert head["Content-Type"] == got["Content-Type"]
