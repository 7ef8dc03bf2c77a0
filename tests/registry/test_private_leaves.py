"""dip.event/v2 in the registry: the holder's bundles open everything, a certificate's history can
be walked through its committed ``prev`` links, and ``dip.event/v1`` leaves of a log written
before the change still verify and audit clean."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

import pytest
from django.db import transaction

from dataip.evidence import canonical_json
from dataip.evidence.bundle import verify_bundle
from dataip.evidence.commitments import COMMITTED_FIELDS, EVENT_SCHEMA_V1, EVENT_SCHEMA_V2
from dataip.evidence.errors import ProofError, VerificationError
from dataip.evidence.merkle import leaf_hash
from dataip.ledger import appending, bundles, keys
from dataip.ledger.audit import AuditReport, Finding
from dataip.ledger.models import LogEntry
from dataip.registry.events import digest, event_openings, public_openings
from dataip.registry.models import Application, Event
from dataip.registry.services import examination
from dataip.registry.workflow import Action, Status
from dataip.upkeep.audit import run_audit
from tests.support.builders import at_stage, day
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


def _walk(event: Event) -> list[str]:
    """Walk an application's history backwards from ``event`` the way an entitled verifier
    does: each bundle opens ``prev``, the leaf hash of the previous event's bundle."""
    types: list[str] = []
    by_leaf = {e.leaf_index: e for e in Event.objects.filter(application=event.application)}
    hashes = {
        entry.leaf_hash: entry.index for entry in LogEntry.objects.filter(index__in=list(by_leaf))
    }
    current: Event | None = event
    while current is not None:
        verified = verify_bundle(bundles.bundle_for_event(current), keys.vkey())
        types.append(verified.event_type)
        prev = verified.opened.get("prev")
        current = None if prev is None else by_leaf[hashes[prev]]
    return types


def test_the_holders_bundle_opens_every_field_and_walks_the_history(
    personas: Personas,
) -> None:
    app = at_stage(personas, Status.REGISTERED)
    register = Event.objects.get(application=app, action="register")
    verified = verify_bundle(bundles.bundle_for_event(register), keys.vkey())
    assert verified.schema == EVENT_SCHEMA_V2
    assert verified.sealed == ()
    assert verified.opened.get("to") == "registered"
    assert verified.opened.get("payload_sha256") == register.payload_digest
    assert verified.opened.get("reason_sha256") == hashlib.sha256(b"").hexdigest()
    history = list(Event.objects.filter(application=app).values_list("action", flat=True))
    assert _walk(register) == history[::-1]


def test_a_bundle_whose_opening_was_altered_does_not_verify(personas: Personas) -> None:
    app = at_stage(personas, Status.APPROVED)  # after the panel's opinions
    opinion = Event.objects.filter(application=app, action="record_opinion").first()
    assert opinion is not None
    document = json.loads(bundles.bundle_for_event(opinion))
    document["openings"]["reason_sha256"]["value"] = hashlib.sha256(b"I object").hexdigest()
    with pytest.raises(ProofError, match="reason_sha256") as caught:
        verify_bundle(json.dumps(document).encode(), keys.vkey())
    assert caught.value.step == "openings"


def test_nothing_is_opened_to_the_public_before_the_announcement(personas: Personas) -> None:
    app = at_stage(personas, Status.APPROVED)
    events = list(Event.objects.filter(application=app))
    assert len(events) > 5
    assert all(public_openings(e) == {} for e in events)
    assert all(set(event_openings(e)) == set(COMMITTED_FIELDS) for e in events)


def _record_v1(app: Application, action: Action, to: Status, reason: str = "") -> Event:
    """An examiner's event recorded as the registry did before dip.event/v2 (in clear)."""
    at = day(3)
    payload: dict[str, object] = {}
    role = "examiner"
    leaf = {
        "schema": EVENT_SCHEMA_V1,
        "type": str(action),
        "application": app.number,
        "registration": app.registration_number,
        "from": app.status,
        "to": to.value,
        "actor_role": role,
        "time": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reason_sha256": hashlib.sha256(reason.encode()).hexdigest(),
        "payload_sha256": digest(payload),
        "prev": app.last_leaf_hash or None,
    }
    body = canonical_json(leaf)
    with transaction.atomic():
        event = Event.objects.create(
            application=app,
            action=str(action),
            from_status=app.status,
            to_status=to.value,
            actor_role=role,
            occurred_at=at,
            reason=reason,
            payload=payload,
            payload_digest=digest(payload),
            leaf_index=appending.append(body),
        )
        Application.objects.filter(pk=app.pk).update(
            status=to.value, last_leaf_hash=leaf_hash(body).hex(), revision=app.revision + 1
        )
    return event


def test_v1_leaves_of_an_older_log_still_verify_and_audit_clean(personas: Personas) -> None:
    app = at_stage(personas, Status.SUBMITTED)
    # the registry of before: its examiner's step logged as a v1 leaf, in clear
    old = _record_v1(app, Action.START_FORMAL_EXAMINATION, Status.FORMAL_EXAMINATION)
    app.refresh_from_db()
    examination.pass_formal_examination(app.pk, actor=personas.examiner.actor, at=day(4))
    new = Event.objects.filter(application=app).latest("id")
    verified_old = verify_bundle(bundles.bundle_for_event(old), keys.vkey())
    assert verified_old.schema == EVENT_SCHEMA_V1
    assert verified_old.event_type == "start_formal_examination"
    assert verified_old.application == app.number
    assert "leaf schema" not in verified_old.summary("en")
    verified_new = verify_bundle(bundles.bundle_for_event(new), keys.vkey())
    assert verified_new.opened.get("prev") == verified_old.leaf_hash.hex()  # v2 after v1
    results = list(run_audit())
    report = results.pop()
    assert isinstance(report, AuditReport)
    assert [r for r in results if isinstance(r, Finding)] == []
    assert report.records == Event.objects.count()


def test_a_v1_bundle_refuses_openings(personas: Personas) -> None:
    app = at_stage(personas, Status.SUBMITTED)
    old = _record_v1(app, Action.START_FORMAL_EXAMINATION, Status.FORMAL_EXAMINATION)
    other = Event.objects.filter(application=app, action="submit").get()
    document = json.loads(bundles.bundle_for_event(old))
    document["openings"] = json.loads(bundles.bundle_for_event(other))["openings"]
    with pytest.raises(VerificationError, match="nothing to open"):
        verify_bundle(json.dumps(document).encode(), keys.vkey())
