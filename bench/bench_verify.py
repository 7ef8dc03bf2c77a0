"""Offline verification of witnessed bundles with openings, beside raw Ed25519 verifications.

Real bundles, built here with the evidence package alone (no database, no network): a
``dip.event/v2`` leaf with all nine of its openings, its inclusion proof in a tree of N leaves
(default 1,000,000; the other leaves are random leaf hashes), the checkpoint signed by the log
key and cosigned (``cosignature/v1``) by K witness keys, K = 1 and 2. Each bundle is verified
as ``dataip verify --witness-policy`` does: :func:`verify_bundle` with the log key, then
:func:`check_policy` with a policy asking for all K witnesses. The baseline, in the same run
and taking turns with the bundles: 1 + K raw Ed25519 verifications (as many signatures as the
bundle carries) of a message of the same length as the checkpoint note. Aim: a bundle costs
at most twice its raw signature checks (ratio at least 0.50).

``DATAIP_BENCH_SCALE=0.1`` shrinks N and the measuring time for a quick run.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from typing import Any

ORIGIN = "bench.example/log"
TIME = "2026-03-02T08:00:00Z"
ROUNDS = 5


def run() -> list[str]:
    """Build the bundles, time them beside raw signature checks, return the figures."""
    scale = float(os.environ.get("DATAIP_BENCH_SCALE", "1"))
    size = max(1000, int(1_000_000 * scale))
    seconds = max(0.2, 1.0 * scale) if scale < 1 else 1.0
    tree = _Tree(size)
    return [_figure(tree, witnesses, seconds) for witnesses in (1, 2)]


class _Tree:
    """Complete-subtree hashes of ``size`` leaves: leaf ``index`` is a real v2 event leaf."""

    def __init__(self, size: int) -> None:
        from dataip.evidence import canonical_json, leaf_hash
        from dataip.evidence.commitments import seal_event
        from dataip.evidence.merkle import node_hash

        rng = random.Random(15)
        self.size, self.index = size, rng.randrange(size // 2, size)
        fields: dict[str, Any] = {
            "type": "approve",
            "application": "SQ20263100001234",
            "registration": None,
            "from": "expert_review",
            "to": "approved",
            "actor_role": "examiner",
            "reason_sha256": rng.randbytes(32).hex(),
            "payload_sha256": rng.randbytes(32).hex(),
            "prev": rng.randbytes(32).hex(),
        }
        leaf, self.openings = seal_event(fields, TIME)
        self.body = canonical_json(leaf)
        level = [rng.randbytes(32) for _ in range(size)]
        level[self.index] = leaf_hash(self.body)
        self.levels = [level]
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            self.levels.append(level)

    def node(self, level: int, index: int) -> bytes:
        return self.levels[level][index]


def _bundle(tree: _Tree, witnesses: int) -> tuple[bytes, str, Any, bytes]:
    """A bundle with ``witnesses`` cosignatures, the log vkey, the policy, the signed text."""
    from dataip.evidence.bundle import make_bundle
    from dataip.evidence.checkpoint import Checkpoint
    from dataip.evidence.merkle import inclusion_proof, root
    from dataip.evidence.note import Cosigner, Ed25519Signer, sign_note
    from dataip.evidence.tlog_proof import TlogProof
    from dataip.evidence.witness_policy import WitnessPolicy

    log = Ed25519Signer.generate(ORIGIN)
    cosigners = [Cosigner.generate(f"bench.example/w{i + 1}") for i in range(witnesses)]
    checkpoint = Checkpoint(ORIGIN, tree.size, root(tree.size, tree.node))
    text = checkpoint.to_text()
    note = sign_note(text, [log, *cosigners])
    path = inclusion_proof(tree.index, tree.size, tree.node)
    proof = TlogProof.create(tree.index, path, note)
    data = make_bundle(body=tree.body, proof=proof, vkey=log.vkey, openings=tree.openings)
    lines = [f"log {log.vkey}"]
    lines += [f"witness w{i + 1} {c.vkey}" for i, c in enumerate(cosigners)]
    lines += [f"group all-witnesses all {' '.join(f'w{i + 1}' for i in range(witnesses))}"]
    lines += ["quorum all-witnesses"]
    return data, log.vkey, WitnessPolicy.parse("\n".join(lines) + "\n"), text.encode()


def _figure(tree: _Tree, witnesses: int, seconds: float) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from dataip.evidence.bundle import verify_bundle
    from dataip.evidence.witness_policy import check_policy

    data, vkey, policy, text = _bundle(tree, witnesses)

    def verify() -> None:
        verified = verify_bundle(data, vkey)
        if (
            check_policy(verified.checkpoint_note, policy)
            != [f"w{i + 1}" for i in range(witnesses)]
            or len(verified.opened.fields) != 9
        ):
            raise RuntimeError("the bundle did not verify in full")

    signed = []
    for _ in range(1 + witnesses):
        private = Ed25519PrivateKey.generate()
        signed.append((private.public_key(), private.sign(text)))

    def raw() -> None:
        for public, signature in signed:
            public.verify(signature, text)

    verify()
    bundles, raws = _rates(verify, raw, seconds)
    return (
        f"bundle verification (v2 leaf, 9 openings, {len(data):,} bytes, tree of "
        f"{tree.size:,}, log key + K={witnesses} witness policy): {bundles:,.0f} bundles/s vs "
        f"raw Ed25519 x{1 + witnesses} {raws:,.0f}/s = {bundles / raws:.2f} "
        f"(aim: at least 0.50)"
    )


def _rates(first: Callable[[], None], second: Callable[[], None], seconds: float) -> list[float]:
    """Calls per second of each, in ROUNDS alternating turns of ``seconds / ROUNDS`` each."""
    done, spent = [0, 0], [0.0, 0.0]
    for _ in range(ROUNDS):
        for i, call in enumerate((first, second)):
            began = time.perf_counter()
            while time.perf_counter() - began < seconds / ROUNDS:
                for _ in range(20):
                    call()
                done[i] += 20
            spent[i] += time.perf_counter() - began
    return [done[i] / spent[i] for i in range(2)]
