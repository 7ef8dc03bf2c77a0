"""The public log, read as an attacker would: it links nothing to an unpublished application.

The registry is the demo registry (applications at every stage, expert opinions, objections,
licences, trades, revenue, pledges and valuations). The attacker reads only the public API
(``/api/v1/log/entries`` and the public bundles); the test then hands it the strongest
dictionary it could hope for: every status, role and event type, every application,
registration and certificate number in the database, every reason and payload the registry
logged and every scalar in them (trade prices, licence fees, pledge amounts, expert ids and
votes), their v1-style digests and every leaf hash. It must recover nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from dataip.evidence.bundle import verify_bundle
from dataip.evidence.canonical import canonical_json
from dataip.evidence.commitments import (
    COMMIT_TAG,
    COMMITTED_FIELDS,
    PUBLIC_FIELDS,
    open_leaf,
    openings_from_json,
)
from dataip.evidence.event_types import EVENT_TYPES
from dataip.ledger import checkpoints, keys
from dataip.registry.demo import build_demo
from dataip.registry.events import digest, is_public_event
from dataip.registry.models import Application, Event
from dataip.registry.workflow import PUBLIC_STATUSES, Action, Role, Status
from tests.api._support import Api, Tokens, assert_problem
from tests.support.builders import at_stage
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry() -> None:
    """A living registry, its log covered by a checkpoint."""
    build_demo(applications=40, seed=15, progress=lambda _: None)
    checkpoints.sign_latest()


def _public_log(client: Client) -> list[dict[str, Any]]:
    """Every entry, page by page, as anyone can read them (no sign-in)."""
    entries: list[dict[str, Any]] = []
    while True:
        response = client.get(f"/api/v1/log/entries?start={len(entries)}")
        if response.status_code == 404:  # start is past the end
            return entries
        assert response.status_code == 200, response.content
        page = response.json()["entries"]
        if not page:
            return entries
        entries.extend(page)


def _scalars(value: Any) -> Iterator[Any]:
    """``value`` and every scalar inside it."""
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)


def _dictionary() -> list[Any]:
    """Every small value the registry hashes, and more, from the database itself."""
    values: set[str] = {str(v) for v in (*Status, *Role, *Action)} | set(EVENT_TYPES)
    for number, registration, certificate in Application.objects.values_list(
        "number", "registration_number", "certificate_number"
    ):
        values |= {v for v in (number, registration, certificate) if v}
    candidates: list[Any] = sorted(values)
    for event in Event.objects.all():
        candidates += [event.reason, hashlib.sha256(event.reason.encode()).hexdigest()]
        candidates += [digest(event.payload), event.actor_id, event.application_id]
        candidates += list(_scalars(event.payload))
    candidates.append(None)
    return candidates


def _preimages(value: Any, salts: list[bytes]) -> Iterator[bytes]:
    """What a dictionary attacker hashes for ``value``: unsalted encodings, an unsalted
    commitment, and commitments under every salt the registry ever published."""
    try:
        canonical = canonical_json(value)
    except ValueError:
        canonical = str(value).encode()
    yield canonical
    yield str(value).encode()
    yield COMMIT_TAG + canonical
    for salt in salts:
        yield COMMIT_TAG + salt + canonical


def test_the_public_log_yields_nothing_to_a_dictionary_attack(
    client: Client, registry: None
) -> None:
    entries = _public_log(client)
    assert len(entries) == Event.objects.count() > 300
    text = json.dumps(entries)
    leaves = [json.loads(e["body"]) for e in entries]
    commitments = [c for leaf in leaves for c in leaf["commitments"].values()]

    # no two leaves (no two fields) carry the same commitment
    assert len(commitments) == len(set(commitments)) == len(entries) * len(COMMITTED_FIELDS)

    # a leaf says its schema and time, nothing else in clear
    for leaf in leaves:
        assert set(leaf) == {"schema", "time", "commitments"}
        assert leaf["schema"] == "dip.event/v2"

    # the only salts anyone knows are those of the published openings
    salts = [bytes.fromhex(o["salt"]) for e in entries for o in e["openings"].values()]
    assert salts, "the registry publishes the openings of its public events"
    dictionary = _dictionary()
    guesses = {
        hashlib.sha256(preimage).hexdigest()
        for value in dictionary
        for preimage in _preimages(value, salts)
    }
    assert len(guesses) > 10_000
    opened = {
        json.loads(e["body"])["commitments"][field] for e in entries for field in e["openings"]
    }
    # the attack works: it re-derives every commitment the registry opened itself...
    assert opened <= guesses
    # ...and nothing else: no sealed commitment, of any leaf, falls to it
    assert (set(commitments) - opened) & guesses == set()

    # no leaf names another: no leaf hash appears in any body or opening
    for entry in entries:
        assert text.count(entry["leafHash"]) == 1


def test_only_public_events_of_public_applications_are_opened(
    client: Client, registry: None
) -> None:
    entries = {e["logIndex"]: e for e in _public_log(client)}
    text = json.dumps(list(entries.values()))
    hidden = Application.objects.exclude(status__in=[s.value for s in PUBLIC_STATUSES])
    hidden_numbers = [n for n in hidden.values_list("number", flat=True) if n]
    assert len(hidden_numbers) > 5
    for number in hidden_numbers:
        assert number not in text
    opened = 0
    for event in Event.objects.select_related("application"):
        entry = entries[int(event.leaf_index or 0)]
        openings = openings_from_json(entry["openings"])
        if not is_public_event(event):
            assert openings == {}, (event.action, event.application and event.application.status)
            continue
        assert event.application is not None
        view = open_leaf(json.loads(entry["body"]), openings)  # they really open the leaf
        assert set(view.fields) == set(PUBLIC_FIELDS)
        assert view.sealed == ("reason_sha256", "payload_sha256", "prev")
        assert (view.get("type"), view.get("application")) == (
            event.action,
            event.application.number,
        )
        opened += 1
    assert opened > 20


def test_a_public_bundle_opens_a_public_event_and_nothing_of_another(
    client: Client, registry: None
) -> None:
    events = list(Event.objects.select_related("application"))
    shown = next(e for e in events if is_public_event(e) and e.action == "register")
    kept = next(e for e in events if e.action == "record_opinion")
    bundle = client.get(f"/api/v1/log/entries/{shown.leaf_index}/bundle").content
    verified = verify_bundle(bundle, keys.vkey())
    assert shown.application is not None
    assert verified.application == shown.application.number
    assert verified.event_type == "register"
    assert verified.sealed == ("reason_sha256", "payload_sha256", "prev")
    private = client.get(f"/api/v1/log/entries/{kept.leaf_index}/bundle").content
    assert "openings" not in json.loads(private)
    hidden = verify_bundle(private, keys.vkey())
    assert hidden.sealed == COMMITTED_FIELDS
    assert hidden.event_type == ""


def test_the_holder_downloads_each_step_with_every_opening(
    api: Api, tokens: Tokens, personas: Personas
) -> None:
    app = at_stage(personas, Status.APPROVED)  # nothing public yet
    own = api.as_(tokens.own)
    timeline = own.get(f"applications/{app.pk}/events").json()["items"]
    opinion = next(e for e in timeline if e["action"] == "record_opinion")
    url = f"applications/{app.pk}/events/{opinion['id']}/bundle"
    response = own.get(url)
    assert response.status_code == 200, response.content
    assert "attachment" in response["Content-Disposition"]
    verified = verify_bundle(response.content, keys.vkey())
    assert verified.index == opinion["logIndex"]
    assert verified.sealed == ()
    assert (verified.event_type, verified.application) == ("record_opinion", app.number)
    # the same entry from the public log opens nothing
    public = api.as_(None).get(f"log/entries/{opinion['logIndex']}/bundle")
    assert verify_bundle(public.content, keys.vkey()).sealed == COMMITTED_FIELDS
    # nobody else gets the openings
    assert_problem(api.as_(tokens.other).get(url), 404)
    assert api.as_(None).get(url).status_code == 401
    # nor an event of another application through this one's address
    second = at_stage(personas, Status.SUBMITTED)
    other = Event.objects.get(application=second, action="submit")
    assert_problem(own.get(f"applications/{app.pk}/events/{other.pk}/bundle"), 404)
