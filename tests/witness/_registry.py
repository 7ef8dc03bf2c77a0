"""A registry process for the fork test, on the SQLite file of ``DATAIP_DATABASE_URL``.

``python -m tests.witness._registry TAG COUNT`` appends COUNT leaves tagged TAG in one committed
transaction -- so, as in the running registry, a checkpoint is signed after the commit and sent
to the witnesses of ``DATAIP_WITNESSES`` --, tries to sign once more, and prints the state as
JSON: the log's size, the newest signed and the newest published checkpoint, the sizes each
witness cosigned, and the registry's refusal to sign (if any).
"""

from __future__ import annotations

import json
import os
import sys

import django


def main(tag: str, count: int) -> dict[str, object]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataip.config.settings")
    django.setup()
    from django.db import transaction

    from dataip.evidence import canonical_json
    from dataip.ledger import appending, checkpoints, log, witnessing
    from dataip.ledger.models import WitnessCosignature

    with transaction.atomic():
        leaves = [canonical_json({"schema": "test/v1", "tag": tag, "n": i}) for i in range(count)]
        appending.append_many(leaves)
    refused = ""
    try:
        checkpoints.sign_latest()
    except witnessing.LogRefusedByWitness as exc:
        refused = str(exc)
    latest, published = checkpoints.latest(), checkpoints.published()
    cosigned = WitnessCosignature.objects.values_list("checkpoint__size", flat=True)
    return {
        "size": log.size(),
        "signed": None if latest is None else latest.size,
        "published": None if published is None else published.size,
        "cosigned": sorted(cosigned),
        "refused": refused,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
