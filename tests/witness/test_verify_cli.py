"""``dataip verify --witness-policy / --trust-list``: cosigned bundles, offline, bilingual."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataip.cli import app
from dataip.evidence import Cosigner, Ed25519Signer, TlogProof
from dataip.evidence.bundle import make_bundle, verify_bundle
from dataip.evidence.note import parse_note, signature_line
from dataip.evidence.timestamp import timestamp_request, token_from_response
from tests.evidence.test_bundle import BODIES, LOG, ORIGIN, _proof
from tests.ledger._tsa import shared_tsa

runner = CliRunner()
COURT = Cosigner("court.example/w1", b"\x31" * 32)
BANK = Cosigner("bank.example/w1", b"\x32" * 32)


def _cosigned(*witnesses: Cosigner, token: bool = False) -> bytes:
    """A bundle whose checkpoint carries the witnesses' cosignatures; the token (if any) is
    over the log-signed note, as the registry requests it before the witnesses cosign."""
    proof = _proof()
    text, _ = parse_note(proof.checkpoint_note)
    stamp = None
    if token:
        query = timestamp_request(proof.checkpoint_note.encode())
        stamp = token_from_response(shared_tsa().reply(query), query)
    note = proof.checkpoint_note + "".join(signature_line(text, w) for w in witnesses)
    cosigned = TlogProof(proof.index, proof.path, note)
    return make_bundle(
        body=BODIES[proof.index], proof=cosigned, vkey=LOG.vkey, timestamp_token=stamp
    )


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.txt"
    path.write_text(
        f"log {LOG.vkey}\nwitness court {COURT.vkey}\nwitness bank {BANK.vkey}\n"
        "group two all court bank\nquorum two\n"
    )
    return path


def _write(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "entry.bundle.json"
    path.write_bytes(data)
    return str(path)


def test_a_bundle_cosigned_as_the_policy_asks_verifies(tmp_path: Path, policy: Path) -> None:
    bundle = _write(tmp_path, _cosigned(COURT, BANK))
    result = runner.invoke(app, ["verify", bundle, "--witness-policy", str(policy)])
    assert result.exit_code == 0, result.output
    assert "VALID evidence bundle" in result.stdout
    assert "满足见证策略（联署方：bank, court）" in result.stdout
    assert "the witness policy is met (cosigned by: bank, court)" in result.stdout


def test_a_bundle_short_of_the_quorum_is_refused_in_both_languages(
    tmp_path: Path, policy: Path
) -> None:
    bundle = _write(tmp_path, _cosigned(COURT))
    result = runner.invoke(app, ["verify", bundle, "--witness-policy", str(policy)])
    assert result.exit_code == 1
    assert "缺少见证方的足够联署" in result.stderr
    assert "lacks the witness cosignatures" in result.stderr
    assert "cosigned by: court" in result.stderr
    plain = runner.invoke(app, ["verify", bundle, "--key", LOG.vkey])
    assert plain.exit_code == 0, "without a policy the witnesses are not asked for"


def test_the_timestamp_still_verifies_beside_the_cosignatures(tmp_path: Path) -> None:
    data = _cosigned(COURT, BANK, token=True)
    verified = verify_bundle(data, LOG.vkey, tsa_ca_pem=shared_tsa().ca_file.read_bytes())
    assert verified.timestamp is not None
    assert verified.checkpoint_note.count("\n— ") == 3


def test_a_trust_list_recognises_a_peer_registrys_bundle(tmp_path: Path) -> None:
    trust = tmp_path / "trust.txt"
    other = Ed25519Signer("bj.example.cn/log/v1", b"\x44" * 32)
    trust.write_text(
        f"registry bj.example.cn/log/v1\nlog {other.vkey}\n\n"
        f"registry {ORIGIN}\nlog {LOG.vkey}\nwitness court {COURT.vkey}\nquorum court\n"
    )
    ok = runner.invoke(
        app, ["verify", _write(tmp_path, _cosigned(COURT)), "--trust-list", str(trust)]
    )
    assert ok.exit_code == 0, ok.output
    assert "court" in ok.stdout
    short = runner.invoke(
        app, ["verify", _write(tmp_path, _cosigned(BANK)), "--trust-list", str(trust)]
    )
    assert short.exit_code == 1
    trust.write_text(f"registry bj.example.cn/log/v1\nlog {other.vkey}\n")
    stranger = runner.invoke(
        app, ["verify", _write(tmp_path, _cosigned(COURT)), "--trust-list", str(trust)]
    )
    assert stranger.exit_code == 1
    assert "not signed by the trusted key" in stranger.stderr


def test_a_bad_policy_file_and_no_key_at_all_are_explained(tmp_path: Path) -> None:
    bundle = _write(tmp_path, _cosigned(COURT))
    bad = tmp_path / "bad.txt"
    bad.write_text("quorum court\n")
    result = runner.invoke(app, ["verify", bundle, "--witness-policy", str(bad)])
    assert result.exit_code == 2
    assert "见证策略或互认名单有误" in result.stderr
    assert "policy line 1" in result.stderr
    nothing = runner.invoke(app, ["verify", bundle])
    assert nothing.exit_code == 2
    assert "需要登记机构公钥" in nothing.stderr
    assert "A registry key is needed" in nothing.stderr
