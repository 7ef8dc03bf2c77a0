"""Key rotation end to end: the published key history keeps old evidence verifiable.

Certificates and bundles are issued, the key is rotated twice, more are issued. With nothing
but the document at ``/.well-known/dataip-log-keys.json`` and the key trusted today, every old
bundle and certificate still verifies, each under a key within its period; the successors'
signatures verify; any tampering with the document, and a checkpoint that a retired key signed
after its period, are caught.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from dataip.certificates import pki
from dataip.certificates.verify import verify_certificate_pdf
from dataip.evidence import Ed25519Signer, Ed25519Verifier, verify_checkpoint
from dataip.evidence.bundle import verify_bundle
from dataip.evidence.key_history import (
    KeyHistoryInvalid,
    KeyOutsidePeriod,
    KeyPeriod,
    check_bundle_period,
    succession_message,
    verify_key_history,
)
from dataip.ledger import appending, bundles, checkpoints, keys
from dataip.upkeep.rotation import rotate_key
from tests.certificates._support import Capture, issued, pdf_of
from tests.ledger._support import body, committed
from tests.support.builders import day
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


def _document(client: Client) -> dict[str, Any]:
    response = client.get("/.well-known/dataip-log-keys.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    loaded: dict[str, Any] = json.loads(response.content)
    return loaded


def _verify_with_history(bundle: bytes, history: list[KeyPeriod]) -> tuple[Any, KeyPeriod]:
    verified = verify_bundle(bundle, [period.vkey for period in history])
    return verified, check_bundle_period(verified.key, verified.checkpoint.size, history)


@pytest.fixture
def rotated_twice(personas: Personas, django_capture_on_commit_callbacks: Capture) -> Any:
    """Three certificates, one per key: A, then B after a rotation, then C after another."""
    issued_under: list[tuple[str, bytes, bytes]] = []
    rotations = []
    for round_ in range(3):
        key = keys.vkey()
        _, certificate = issued(personas, django_capture_on_commit_callbacks)
        issued_under.append((key, pdf_of(certificate), bundles.bundle_for_event(certificate.event)))
        if round_ < 2:
            with committed(django_capture_on_commit_callbacks):
                rotations.append(rotate_key(at=day(40 + round_)))
    return issued_under, rotations


def test_old_evidence_verifies_with_the_published_history(
    client: Client, rotated_twice: Any
) -> None:
    issued_under, rotations = rotated_twice
    document = _document(client)
    assert document["schema"] == "dataip.log-keys/v1"
    assert document["origin"] == keys.origin()
    listed = [record["vkey"] for record in document["keys"]]
    assert listed == [key for key, _, _ in issued_under] == keys.all_vkeys()
    # The plain forms are still there for existing clients.
    assert client.get("/.well-known/dataip-log-key").content.decode() == f"{listed[-1]}\n"
    assert client.get("/.well-known/dataip-log-keys").content.decode() == "".join(
        f"{key}\n" for key in listed
    )

    history = verify_key_history(json.dumps(document).encode(), trusted_vkey=keys.vkey())
    assert [period.vkey for period in history] == listed
    a, b, c = history
    assert (a.from_size, a.rotation_index, a.successor) == (1, rotations[0].leaf_index, b.vkey)
    assert b.from_size == rotations[0].leaf_index + 1
    assert (b.rotation_index, b.successor) == (rotations[1].leaf_index, c.vkey)
    assert c.from_size == rotations[1].leaf_index + 1
    assert (c.until_size, c.successor) == (None, None)
    assert a.until_size is not None
    assert a.until_size >= rotations[0].leaf_index + 1
    assert all(period.from_time and period.from_time.endswith("Z") for period in history)

    for (key, pdf, bundle), period in zip(issued_under, history, strict=True):
        verified, used = _verify_with_history(bundle, history)
        assert used == period
        assert verified.key == key
        certificate = verify_certificate_pdf(pdf, [p.vkey for p in history], pki.trust_pem())
        assert certificate.bundle.key == key
        check_bundle_period(certificate.bundle.key, certificate.bundle.checkpoint.size, history)

    # Each successor's signature is over the canonical statement of its predecessor.
    for older, newer in zip(document["keys"], document["keys"][1:], strict=False):
        signature = base64.b64decode(older["successorSignature"])
        verifier = Ed25519Verifier.from_vkey(newer["vkey"])
        verifier.verify(succession_message(document["origin"], older), signature)


def test_a_middle_key_authenticates_only_its_past(client: Client, rotated_twice: Any) -> None:
    document = _document(client)
    middle = document["keys"][1]["vkey"]
    history = verify_key_history(document, trusted_vkey=middle)
    assert [period.vkey for period in history] == [r["vkey"] for r in document["keys"][:2]]


def _tampered(document: dict[str, Any], change: Any) -> dict[str, Any]:
    altered = copy.deepcopy(document)
    change(altered)
    return altered


TAMPERING = {
    "period extended": lambda d: d["keys"][0]["validUntil"].update(
        treeSize=d["keys"][0]["validUntil"]["treeSize"] + 1,
        leafIndex=d["keys"][0]["validUntil"]["leafIndex"] + 1,
    ),
    "time changed": lambda d: d["keys"][1]["validFrom"].update(time="2020-01-01T00:00:00Z"),
    "signature changed": lambda d: d["keys"][0].update(
        successorSignature=d["keys"][1]["successorSignature"]
    ),
    "key dropped": lambda d: d["keys"].pop(1),
    "keys swapped": lambda d: d["keys"].reverse(),
    "successor replaced": lambda d: d["keys"][0].update(successor=d["keys"][2]["vkey"]),
    "rotation moved": lambda d: d["keys"][0].update(
        rotationIndex=d["keys"][0]["rotationIndex"] - 1
    ),
    "schema": lambda d: d.update(schema="dataip.log-keys/v0"),
}


@pytest.mark.parametrize("change", TAMPERING)
def test_tampering_with_the_document_is_caught(
    client: Client, rotated_twice: Any, change: str
) -> None:
    document = _document(client)
    altered = _tampered(document, TAMPERING[change])
    with pytest.raises(KeyHistoryInvalid) as caught:
        verify_key_history(altered, trusted_vkey=keys.vkey())
    assert caught.value.code == "key_history_invalid"
    assert "密钥历史" in caught.value.explain("zh")


def test_an_untrusted_anchor_or_garbage_is_refused(client: Client, rotated_twice: Any) -> None:
    document = _document(client)
    stranger = Ed25519Signer.generate(keys.origin()).vkey
    with pytest.raises(KeyHistoryInvalid, match="not in the key history"):
        verify_key_history(document, trusted_vkey=stranger)
    for garbage in (b"", b"[]", b"{", b'{"schema": "dataip.log-keys/v1"}'):
        with pytest.raises(KeyHistoryInvalid):
            verify_key_history(garbage, trusted_vkey=keys.vkey())


def test_a_checkpoint_a_retired_key_signed_after_its_period_is_caught(
    client: Client, personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    stolen = keys.signer()  # the first key, as a thief who copied it would hold it
    issued(personas, django_capture_on_commit_callbacks)
    with committed(django_capture_on_commit_callbacks):
        rotate_key(at=day(40))
    with transaction.atomic():
        index = appending.append(body(1))
    forged = checkpoints.sign_latest(stolen)  # the old key signs after it was retired
    assert forged is not None
    assert forged.size == index + 1
    verify_checkpoint(forged.note, Ed25519Verifier.from_vkey(stolen.vkey))
    bundle = bundles.bundle_for_entry(index)
    history = verify_key_history(_document(client), trusted_vkey=keys.vkey())
    verified = verify_bundle(bundle, [period.vkey for period in history])  # the key alone: ok
    assert verified.key == stolen.vkey
    with pytest.raises(KeyOutsidePeriod, match="not"):
        check_bundle_period(verified.key, verified.checkpoint.size, history)
