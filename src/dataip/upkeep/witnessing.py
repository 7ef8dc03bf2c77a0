"""The witness round of ``dataip tick`` (见证轮次): ask the witnesses to cosign the newest
checkpoint, for those that missed it right after it was signed.

Certificates that are due wait for a published checkpoint, so this step runs before
:func:`dataip.upkeep.tick.due_certificates`. A witness's refusal is recorded by the ledger
(:mod:`dataip.ledger.witnessing`) and counted here as ``witness_refused``.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from dataip.ledger import witnessing


def witness_round(at: datetime | None) -> Counter[str]:
    """Submit the newest checkpoint to the witnesses; count cosignatures and refusals."""
    done = witnessing.witness_round()
    return (
        Counter({"witness_cosigned": done["cosigned"], "witness_refused": done["refused"]})
        + Counter()
    )
