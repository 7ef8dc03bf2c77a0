"""Deposits: accept a manifest, timestamp and log its statement; cite deposits in applications.

The only door to a new deposit is :func:`create_deposit`; citations change only through
:func:`cite_deposit` and :func:`uncite_deposit`, which go through the workflow's ``EDIT``
transition, so the workflow decides who may change an application and when.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import Counter
from datetime import datetime
from typing import IO, Any, NoReturn

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from dataip.accounts.models import User
from dataip.deposits import lsh
from dataip.deposits import tsa as deposit_tsa
from dataip.deposits.models import ApplicationDeposit, Deposit, DepositBand, manifest_path
from dataip.errors import (
    DomainError,
    Message,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    gettext_noop,
)
from dataip.evidence.canonical import canonical_json
from dataip.evidence.deposit_receipt import EVENT_SCHEMA, EVENT_TYPE
from dataip.evidence.errors import MalformedInput
from dataip.evidence.fingerprint import (
    DEPOSIT_SCHEMA,
    MANIFEST_SCHEMA,
    RootMismatch,
    check_manifest,
)
from dataip.evidence.timestamp import TimestampError
from dataip.registry import clock
from dataip.registry.actors import applicant_holder_ids
from dataip.registry.events import record_event
from dataip.registry.models import Application
from dataip.registry.services.numbering import next_serial
from dataip.registry.services.transition import transition
from dataip.registry.workflow import Action, Actor

__all__ = [
    "HOLDER_COMMITMENT",
    "TimestampUnavailable",
    "cite_deposit",
    "create_deposit",
    "deposit_number",
    "holder_commitment",
    "parse_manifest",
    "uncite_deposit",
]

FIELD = "manifest"
HOLDER_COMMITMENT = "hex(SHA-256(salt || UTF-8 holder identifier)), 32-byte random salt"
"""How the statement's ``holder`` commits to the holder (the salt stays in the registry)."""


class TimestampUnavailable(DomainError):
    """The time-stamp authority did not answer or gave a bad token; nothing was recorded."""

    code = "timestamp_unavailable"
    http_status = 503


def max_manifest_bytes() -> int:
    """The largest manifest accepted (``DATAIP_DEPOSIT_MAX_MANIFEST_BYTES``)."""
    return int(settings.DATAIP_DEPOSIT_MAX_MANIFEST_BYTES)


def _refuse(msgid: str, **params: object) -> NoReturn:
    """Refuse the upload, naming the ``manifest`` field and the reason."""
    raise ValidationFailed({FIELD: [Message(msgid, params)]})


def read_upload(content: IO[bytes], size: int | None = None) -> bytes:
    """Read an uploaded manifest, refusing it as soon as it is larger than the limit."""
    limit = max_manifest_bytes()
    mib = max(1, limit // 2**20)
    if size is not None and size > limit:
        _refuse(gettext_noop("The file is larger than %(mib)s MiB."), mib=mib)
    data = content.read(limit + 1)
    if len(data) > limit:
        _refuse(gettext_noop("The file is larger than %(mib)s MiB."), mib=mib)
    if not data:
        _refuse(gettext_noop("The file is empty."))
    return bytes(data)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _formats(manifest: dict[str, Any]) -> dict[str, int]:
    """Files per extension: as the manifest states them (checked), or counted from plain names."""
    stated = manifest.get("formats")
    if stated is None:
        if manifest.get("names", "plain") != "plain":
            return {}
        counts: Counter[str] = Counter()
        for record in manifest["records"]:
            name = record["path"].rsplit("/", 1)[-1]
            counts[name.rsplit(".", 1)[-1].lower() if "." in name[1:] else "(none)"] += 1
        return dict(sorted(counts.items()))
    if not isinstance(stated, dict) or not all(
        isinstance(k, str) and len(k) <= 40 and isinstance(v, int) and not isinstance(v, bool)
        for k, v in stated.items()
    ):
        _refuse(gettext_noop("The manifest's formats are not counts of files per extension."))
    if sum(stated.values()) != manifest["files"] or any(v < 0 for v in stated.values()):
        _refuse(gettext_noop("The manifest's formats do not add up to its number of files."))
    return dict(stated)


def parse_manifest(data: bytes) -> dict[str, Any]:
    """Parse and check an uploaded manifest; refuse it with the reason, on the ``manifest``
    field, in words the holder understands (translated at the edge)."""
    try:
        manifest = json.loads(
            data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant
        )
    except UnicodeDecodeError:
        _refuse(gettext_noop("The file is not UTF-8 text: upload the manifest.json file."))
    except (ValueError, RecursionError) as exc:
        _refuse(
            gettext_noop("The file is not valid JSON (%(detail)s): upload the manifest.json file."),
            detail=str(exc)[:200],
        )
    if not isinstance(manifest, dict) or manifest.get("schema") != MANIFEST_SCHEMA:
        _refuse(
            gettext_noop(
                "This is not a dataip manifest (schema %(schema)s): make it with "
                "“dataip fingerprint”."
            ),
            schema=MANIFEST_SCHEMA,
        )
    try:
        check_manifest(manifest)
    except RootMismatch:
        _refuse(
            gettext_noop(
                "The manifest's records do not hash to its root: it was changed after "
                "fingerprinting. Fingerprint the data again."
            )
        )
    except MalformedInput as exc:
        _refuse(gettext_noop("The manifest is not valid: %(detail)s."), detail=exc.message[:300])
    if manifest["files"] == 0:
        _refuse(gettext_noop("The manifest lists no files: there is nothing to deposit."))
    if manifest.get("minhash") is not None:
        try:
            lsh.check_signature(manifest["minhash"])
        except lsh.SignatureError as exc:
            _refuse(
                gettext_noop("The manifest's MinHash signature is not valid: %(detail)s."),
                detail=str(exc),
            )
    _formats(manifest)
    return dict(manifest)


def holder_commitment(salt: bytes, identifier: str) -> str:
    """The holder's commitment in a statement: see :data:`HOLDER_COMMITMENT`."""
    return hashlib.sha256(salt + identifier.encode("utf-8")).hexdigest()


def _statement(manifest: dict[str, Any], commitment: str) -> bytes:
    """:func:`dataip.evidence.fingerprint.statement` of a manifest already checked by
    :func:`parse_manifest` (without checking its root a second time; the tests compare)."""
    return canonical_json(
        {
            "schema": DEPOSIT_SCHEMA,
            "hash": "sha256",
            "root": manifest["root"],
            "files": manifest["files"],
            "bytes": manifest["bytes"],
            "holder": commitment,
            "created": manifest["created"],
        }
    )


def deposit_number(year: int, serial: int) -> str:
    """``CZ`` (存证), the year, and an 8-digit serial of that year: ``CZ202600000001``."""
    if not 1 <= serial <= 99_999_999:
        raise ValueError(f"deposit serial {serial} out of range")
    return f"CZ{year:04d}{serial:08d}"


def _store_manifest(deposit: Deposit, data: bytes) -> None:
    """Put the manifest in storage under its hash (once, however often it is deposited)."""
    name = manifest_path(deposit, "manifest.json")
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    deposit.manifest.name = name


def create_deposit(
    *,
    actor: Actor,
    user: User,
    content: IO[bytes],
    size: int | None = None,
    at: datetime | None = None,
) -> Deposit:
    """Deposit an uploaded manifest for the holder ``user`` acts for (存证).

    Checks the manifest (:func:`parse_manifest`), makes the statement with a fresh salted
    holder commitment, timestamps it (before the transaction: an external TSA is a network
    call), then in one transaction draws the number, records the ``deposit`` ledger event
    (its payload: the number and the SHA-256 of the statement and of the token; no personal
    data) and stores the deposit and its LSH bands.
    """
    if user.holder_id is None or user.holder_id not in actor.holder_ids:
        raise PermissionDenied(gettext_noop("Only a user acting for a holder can deposit data."))
    data = read_upload(content, size)
    manifest = parse_manifest(data)
    holder = user.holder
    assert holder is not None  # noqa: S101 - holder_id was checked above
    salt = secrets.token_bytes(32)
    commitment = holder_commitment(salt, holder.identifier)
    statement_bytes = _statement(manifest, commitment)
    try:
        stamp = deposit_tsa.timestamp(statement_bytes)
    except TimestampError as exc:
        raise TimestampUnavailable(
            gettext_noop("The time-stamp authority is not available (%(detail)s); try again."),
            detail=exc.message[:200],
        ) from None
    signature = manifest.get("minhash")
    at = at or clock.now()
    with transaction.atomic():
        year = clock.local_date(at).year
        number = deposit_number(year, next_serial(f"deposit:{year}"))
        payload = {
            "schema": EVENT_SCHEMA,
            "deposit": number,
            "statement_sha256": hashlib.sha256(statement_bytes).hexdigest(),
            "token_sha256": hashlib.sha256(stamp.token).hexdigest(),
        }
        event = record_event(
            None,
            EVENT_TYPE,
            actor=actor,
            at=at,
            from_status=None,
            to_status=None,
            payload=payload,
        )
        assert event.leaf_index is not None  # noqa: S101 - record_event always appends
        deposit = Deposit(
            number=number,
            holder=holder,
            submitted_by=user,
            root=manifest["root"],
            file_count=manifest["files"],
            byte_count=manifest["bytes"],
            formats=_formats(manifest),
            hidden_names=manifest.get("names", "plain") != "plain",
            manifest_sha256=hashlib.sha256(data).hexdigest(),
            manifest_size=len(data),
            statement=statement_bytes,
            token=stamp.token,
            tsa=stamp.source,
            timestamped_at=stamp.info.gen_time,
            holder_salt=salt,
            holder_commitment=commitment,
            minhash=signature,
            event=event,
            leaf_index=event.leaf_index,
            created_at=at,
        )
        _store_manifest(deposit, data)
        deposit.save()
        if signature is not None:
            DepositBand.objects.bulk_create(
                DepositBand(deposit=deposit, band=band, hash=value)
                for band, value in enumerate(lsh.band_hashes(signature))
            )
    return deposit


def payload_of(deposit: Deposit) -> dict[str, Any]:
    """The deposit event's payload, as logged (its SHA-256 is in the ledger leaf)."""
    payload = dict(deposit.event.payload)
    canonical_json(payload)  # it was canonical when logged; fail loudly if it is not now
    return payload


# ── citing deposits in an application ──────────────────────────────────────────────────


def cite_deposit(
    application_id: int, deposit_id: int, *, actor: Actor, at: datetime | None = None
) -> ApplicationDeposit:
    """Cite a deposit of the application's applicant side (the filer or a holder of it).

    Only while the application may be edited (draft, or correction requested before the
    deadline) and by whom the workflow lets edit it. Citing twice is harmless.
    """
    cited: list[ApplicationDeposit] = []

    def effect(application: Application, when: datetime) -> None:
        deposit = Deposit.objects.filter(
            pk=deposit_id, holder_id__in=applicant_holder_ids(application)
        ).first()
        if deposit is None:
            raise NotFound(gettext_noop("No such deposit of this application's holders."))
        citation, _ = ApplicationDeposit.objects.get_or_create(
            application=application,
            deposit=deposit,
            defaults={"cited_by_id": actor.user_id, "cited_at": when},
        )
        cited.append(citation)

    transition(application_id, Action.EDIT, actor=actor, at=at, effect=effect)
    return cited[0]


def uncite_deposit(
    application_id: int, deposit_id: int, *, actor: Actor, at: datetime | None = None
) -> None:
    """Remove a cited deposit from an application that may still be edited."""

    def effect(application: Application, when: datetime) -> None:
        removed, _ = ApplicationDeposit.objects.filter(
            application=application, deposit_id=deposit_id
        ).delete()
        if not removed:
            raise NotFound(gettext_noop("This deposit is not cited by the application."))

    transition(application_id, Action.EDIT, actor=actor, at=at, effect=effect)
