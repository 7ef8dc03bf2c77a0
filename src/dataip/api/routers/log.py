"""The transparency log, read-only: checkpoint, entries, proofs, evidence bundles.

Like Sigstore Rekor and Trillian: hashes are lowercase hex, sizes count entries, proofs are
RFC 9162 paths. ``GET /log/checkpoint`` is the C2SP signed note as text (``GET
/log/checkpoints`` lists the stored ones, ``GET /log/checkpoints/{size}`` fetches one); a
bundle is the
``dataip.evidence-bundle/v1`` JSON that ``dataip verify`` checks offline.

Leaves are ``dip.event/v2``: salted commitments. Entries and bundles carry the openings of a
leaf's public fields only for the public events of public applications
(:func:`dataip.registry.events.public_openings`); anything else stays sealed here.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest, HttpResponse
from ninja import P, QueryEx, Router
from ninja.params import PathEx

from dataip.api.schemas.log import (
    ConsistencyProof,
    InclusionProof,
    LogEntries,
    LogEntry,
    LogInfo,
    Opening,
    Problem,
    StoredCheckpoint,
    StoredCheckpoints,
)
from dataip.evidence.commitments import Opening as Committed
from dataip.ledger import bundles, checkpoints, keys, log
from dataip.ledger import errors as refusals
from dataip.ledger.models import Checkpoint
from dataip.ledger.models import LogEntry as EntryRow
from dataip.registry.events import public_openings_of_entries as _public_openings

router = Router(tags=["transparency log"])
MAX_INDEX = (1 << 63) - 1
MAX_RANGE = 1000
MAX_CHECKPOINTS = 1000
ERRORS: dict[int, type[Problem]] = {404: Problem, 422: Problem}


def _latest() -> Checkpoint:
    """The latest published checkpoint (cosigned by the witness quorum), or a 404 problem."""
    found = checkpoints.published()
    if found is None:
        raise refusals.NoCheckpoint()
    return found


def _entry(row: EntryRow, openings: Mapping[int, Mapping[str, Committed]]) -> LogEntry:
    opened = openings.get(row.index, {})
    return LogEntry(
        logIndex=row.index,
        leafHash=row.leaf_hash,
        body=row.body,
        integratedTime=int(row.created_at.timestamp()),
        openings={name: Opening(salt=o.salt.hex(), value=o.value) for name, o in opened.items()},
    )


@router.get("", response={200: LogInfo, **ERRORS}, summary="Latest signed tree head")
def log_info(request: HttpRequest) -> LogInfo:
    """Origin, size and root of the latest checkpoint, the checkpoint itself and the keys."""
    latest = _latest()
    return LogInfo(
        origin=keys.origin(),
        treeSize=latest.size,
        rootHash=latest.root_hash,
        signedTreeHead=checkpoints.published_note(latest),
        keys=keys.all_vkeys(),
    )


@router.get(
    "/checkpoint",
    response={200: str, **ERRORS},
    summary="Latest checkpoint",
    openapi_extra={
        "responses": {
            200: {
                "description": "The C2SP signed note",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        }
    },
)
def checkpoint(request: HttpRequest) -> HttpResponse:
    """The latest published checkpoint as a C2SP signed note (``text/plain``): the log's
    signature, then the cosignatures of its witnesses (C2SP tlog-cosignature)."""
    note = checkpoints.published_note(_latest())
    return HttpResponse(note, content_type="text/plain; charset=utf-8")


@router.get(
    "/checkpoints", response={200: StoredCheckpoints, **ERRORS}, summary="Stored checkpoints"
)
def checkpoint_list(
    request: HttpRequest,
    from_size: QueryEx[int, P(alias="fromSize", ge=1, le=MAX_INDEX)] = 1,
    limit: QueryEx[int, P(ge=1, le=MAX_CHECKPOINTS)] = 100,
) -> StoredCheckpoints:
    """Published checkpoints (cosigned by the witness quorum, with their cosignatures) of at
    least ``fromSize`` entries, by increasing size, at most
    ``limit`` (default 100, at most 1000); ``nextFromSize`` is where the next page starts
    (``null`` on the last page)."""
    published = checkpoints.published_checkpoints()
    rows = list(published.filter(size__gte=from_size).order_by("size")[: limit + 1])
    return StoredCheckpoints(
        checkpoints=[
            StoredCheckpoint(
                treeSize=row.size,
                rootHash=row.root_hash,
                time=row.created_at,
                note=checkpoints.published_note(row),
            )
            for row in rows[:limit]
        ],
        nextFromSize=rows[limit].size if len(rows) > limit else None,
    )


@router.get("/checkpoints/{size}", response={200: str, **ERRORS}, summary="Checkpoint by tree size")
def checkpoint_of_size(
    request: HttpRequest, size: PathEx[int, P(ge=1, le=MAX_INDEX)]
) -> HttpResponse:
    """The stored checkpoint of exactly ``size`` entries, a C2SP signed note (``text/plain``);
    404 ``checkpoint_not_found`` if the log stored none of that size."""
    stored = checkpoints.published_checkpoints().filter(size=size).first()
    if stored is None:
        raise refusals.CheckpointNotFound(size=size)
    return HttpResponse(
        checkpoints.published_note(stored), content_type="text/plain; charset=utf-8"
    )


@router.get("/entries/{index}", response={200: LogEntry, **ERRORS}, summary="Entry by index")
def entry(request: HttpRequest, index: PathEx[int, P(ge=0, le=MAX_INDEX)]) -> LogEntry:
    """One log entry: the event's canonical JSON (``body``) and its leaf hash."""
    row = EntryRow.objects.filter(index=index).first()
    if row is None:
        raise refusals.EntryNotFound(index=index, size=log.size())
    return _entry(row, _public_openings([index]))


@router.get("/entries", response={200: LogEntries, **ERRORS}, summary="Entries by range")
def entries(
    request: HttpRequest,
    start: QueryEx[int, P(ge=0, le=MAX_INDEX)] = 0,
    end: QueryEx[int | None, P(ge=1, le=MAX_INDEX)] = None,
) -> LogEntries:
    """Entries ``[start, end)``, at most 1000 at a time; ``end`` is cut to the log's size."""
    size = log.size()
    stop = refusals.check_range(start, end, size, MAX_RANGE)
    rows = list(EntryRow.objects.filter(index__gte=start, index__lt=stop).order_by("index"))
    openings = _public_openings(r.index for r in rows)
    return LogEntries(
        start=start,
        end=max(start, stop),
        treeSize=size,
        entries=[_entry(r, openings) for r in rows],
    )


@router.get("/proof/inclusion", response={200: InclusionProof, **ERRORS}, summary="Inclusion proof")
def inclusion(
    request: HttpRequest,
    index: QueryEx[int, P(ge=0, le=MAX_INDEX)],
    tree_size: QueryEx[int | None, P(alias="treeSize", ge=1, le=MAX_INDEX)] = None,
) -> InclusionProof:
    """The audit path of entry ``index`` in the tree of ``treeSize`` entries.

    ``treeSize`` defaults to the latest checkpoint's; ``checkpoint`` is the signed
    checkpoint of exactly that size when the log stored one.
    """
    size = _latest().size if tree_size is None else tree_size
    refusals.check_tree_size(size, log.size())
    refusals.check_index_in_tree(index, size)
    row = EntryRow.objects.filter(index=index).first()
    if row is None:
        raise refusals.EntryNotFound(index=index, size=size)
    stored = Checkpoint.objects.filter(size=size).first()
    return InclusionProof(
        logIndex=index,
        leafHash=row.leaf_hash,
        treeSize=size,
        rootHash=log.root(size).hex(),
        hashes=[h.hex() for h in log.inclusion_proof(index, size)],
        checkpoint=None if stored is None else stored.note,
    )


@router.get(
    "/proof/consistency", response={200: ConsistencyProof, **ERRORS}, summary="Consistency proof"
)
def consistency(
    request: HttpRequest,
    first_size: QueryEx[int, P(alias="firstSize", ge=1, le=MAX_INDEX)],
    last_size: QueryEx[int | None, P(alias="lastSize", ge=1, le=MAX_INDEX)] = None,
) -> ConsistencyProof:
    """Proof that the tree of ``firstSize`` entries is a prefix of the tree of ``lastSize``.

    ``lastSize`` defaults to the latest checkpoint's size.
    """
    last = _latest().size if last_size is None else last_size
    refusals.check_tree_size(last, log.size(), name="lastSize")
    refusals.check_sizes(first_size, last)
    return ConsistencyProof(
        firstSize=first_size,
        lastSize=last,
        firstRootHash=log.root(first_size).hex(),
        rootHash=log.root(last).hex(),
        hashes=[h.hex() for h in log.consistency_proof(first_size, last)],
    )


@router.get(
    "/entries/{index}/bundle",
    response={200: dict[str, object], **ERRORS},
    summary="Evidence bundle",
)
def bundle(request: HttpRequest, index: PathEx[int, P(ge=0, le=MAX_INDEX)]) -> HttpResponse:
    """The evidence bundle of entry ``index`` (``dataip verify`` checks it offline), with the
    openings of its public fields if it is a public event of a public application."""
    data = bundles.bundle_for_entry(index, _public_openings([index]).get(index))
    response = HttpResponse(data, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="dataip-entry-{index}.bundle.json"'
    return response
