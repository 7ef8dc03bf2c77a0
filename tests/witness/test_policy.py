"""Witness policies and trust lists: parsing (with clear reasons) and checking cosignatures."""

from __future__ import annotations

import pytest

from dataip.evidence import (
    BadSignature,
    Checkpoint,
    Cosigner,
    Ed25519Signer,
    MalformedInput,
    UnknownKey,
    sign_checkpoint,
)
from dataip.evidence.note import signature_line
from dataip.evidence.trust_list import TrustList
from dataip.evidence.witness_policy import QuorumNotMet, WitnessPolicy, check_policy

ORIGIN = "sh.example.cn/log/v1"
LOG = Ed25519Signer(ORIGIN, b"\x11" * 32)
COURT = Cosigner("court.example/w1", b"\x31" * 32)
BANK = Cosigner("bank.example/w1", b"\x32" * 32)
NOTARY = Cosigner("notary.example/w1", b"\x33" * 32)
BODY = Checkpoint(ORIGIN, 5, bytes(range(32)))


def _note(*witnesses: Cosigner) -> str:
    note = sign_checkpoint(BODY, LOG)
    return note + "".join(signature_line(BODY.to_text(), w) for w in witnesses)


POLICY = f"""
# two of three witnesses, the court among them
log {LOG.vkey}
witness court {COURT.vkey} http://court.example:8480
witness bank {BANK.vkey}
witness notary {NOTARY.vkey}
group others any bank notary
group required all court others
quorum required
"""


def test_a_policy_is_read_with_its_groups() -> None:
    policy = WitnessPolicy.parse(POLICY)
    assert [key.vkey for key in policy.logs] == [LOG.vkey]
    assert sorted(policy.witnesses) == ["bank", "court", "notary"]
    assert policy.groups["required"].threshold == 2
    assert policy.quorum == "required"
    assert policy.urls == {"court": "http://court.example:8480"}


@pytest.mark.parametrize(
    ("cosigners", "met"),
    [
        ((COURT, BANK), True),
        ((NOTARY, COURT), True),
        ((COURT,), False),
        ((BANK, NOTARY), False),
        ((), False),
    ],
)
def test_the_quorum_decides(cosigners: tuple[Cosigner, ...], met: bool) -> None:
    policy = WitnessPolicy.parse(POLICY)
    note = _note(*cosigners)
    if met:
        names = {"court": COURT, "bank": BANK, "notary": NOTARY}
        assert check_policy(note, policy) == sorted(n for n, w in names.items() if w in cosigners)
    else:
        with pytest.raises(QuorumNotMet, match="quorum 'required' is not met"):
            check_policy(note, policy)


def test_a_forged_cosignature_is_not_counted_but_refused() -> None:
    forged = _note(COURT) + signature_line("another checkpoint\n", BANK)
    with pytest.raises(BadSignature, match=r"bank\.example/w1"):
        check_policy(forged, WitnessPolicy.parse(POLICY))


def test_a_cosignature_by_a_witness_of_another_name_does_not_count() -> None:
    impostor = Cosigner("court.example/w2", b"\x31" * 32)  # same key, another name
    with pytest.raises(QuorumNotMet):
        check_policy(_note(impostor, BANK), WitnessPolicy.parse(POLICY))


def test_no_quorum_or_quorum_none_asks_for_nothing() -> None:
    assert check_policy(_note(), WitnessPolicy.parse(f"log {LOG.vkey}\n")) == []
    assert check_policy(_note(), WitnessPolicy.parse("quorum none\n")) == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("quorum court\n", "line 1: 'court' is not a witness or group"),
        (f"witness court {COURT.vkey}\nwitness court {BANK.vkey}\n", "line 2: the name 'court'"),
        (f"witness court {LOG.vkey}\n", "line 1: vkey type 0x01 is not 0x04"),
        (f"witness court {COURT.vkey}\ngroup g 2 court\n", "line 2: threshold '2'"),
        (f"witness court {COURT.vkey}\ngroup g 1 court court\n", "names a member twice"),
        ("quorum none\nquorum none\n", "line 2: the quorum is already set"),
        ("frobnicate\n", "line 1: cannot read 'frobnicate'"),
        ("log not-a-key\n", "line 1: vkey"),
    ],
)
def test_a_bad_policy_names_the_line_and_why(text: str, reason: str) -> None:
    with pytest.raises(MalformedInput, match=reason.replace("(", r"\(")):
        WitnessPolicy.parse(text)


BJ = Ed25519Signer("bj.example.cn/log/v1", b"\x44" * 32)
TRUST = f"""
registry {ORIGIN}
log {LOG.vkey}
witness court {COURT.vkey}
quorum court

registry bj.example.cn/log/v1   # the Beijing registry, witnessed by no one yet
log {BJ.vkey}
"""


def test_a_trust_list_gives_each_registry_its_keys_and_policy() -> None:
    trusted = TrustList.parse(TRUST)
    assert list(trusted.registries) == [ORIGIN, "bj.example.cn/log/v1"]
    assert trusted.log_vkeys() == [LOG.vkey, BJ.vkey]
    assert check_policy(_note(COURT), trusted.policy_for(ORIGIN)) == ["court"]
    with pytest.raises(QuorumNotMet):
        check_policy(_note(BANK), trusted.policy_for(ORIGIN))
    assert trusted.policy_for("bj.example.cn/log/v1").quorum is None
    with pytest.raises(UnknownKey, match="not on the trust list"):
        trusted.policy_for("gz.example.cn/log/v1")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"log {LOG.vkey}\n", "expected 'registry <origin>' first"),
        (f"registry {ORIGIN}\nquorum none\n", "has no 'log' key"),
        (f"registry other.example/log\nlog {LOG.vkey}\n", "is not named 'other.example/log'"),
        (f"registry {ORIGIN}\nlog {LOG.vkey}\nregistry {ORIGIN}\n", "listed twice"),
        (f"registry {ORIGIN}\nlog {LOG.vkey}\nquorum nobody\n", "policy line 3"),
    ],
)
def test_a_bad_trust_list_says_why(text: str, reason: str) -> None:
    with pytest.raises(MalformedInput, match=reason):
        TrustList.parse(text)
