"""RFC 3161 tokens from a real local TSA (openssl ts -reply), checked by us and by openssl."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dataip.evidence.timestamp import (
    TimestampError,
    _parse_token,
    timestamp_request,
    token_from_response,
    verify_timestamp,
)
from tests.ledger._tsa import LocalTsa, shared_tsa

DATA = b"dataip.local/log/v1\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"


@pytest.fixture(scope="module")
def tsa() -> LocalTsa:
    return shared_tsa()


@pytest.fixture(scope="module")
def token(tsa: LocalTsa) -> bytes:
    query = timestamp_request(DATA, nonce=424242)
    return token_from_response(tsa.reply(query), query)


def test_it_gets_a_token_that_openssl_verifies(tsa: LocalTsa, token: bytes) -> None:
    result = tsa.openssl_verify(token, DATA)
    assert result.returncode == 0, result.stderr
    assert "Verification: OK" in result.stdout


def test_it_verifies_a_token_and_reads_what_it_says(tsa: LocalTsa, token: bytes) -> None:
    info = verify_timestamp(token, DATA, ca_pem=tsa.ca_pem)
    assert info.trusted
    assert abs(info.gen_time - datetime.now(UTC)) < timedelta(minutes=5)
    assert info.policy == "1.3.6.1.4.1.99999.1.1"
    assert info.hash_algorithm == "sha256"
    assert info.nonce == 424242
    assert info.signer == "CN=Test TSA"


def test_it_checks_everything_but_the_chain_without_a_ca(token: bytes) -> None:
    info = verify_timestamp(token, DATA)
    assert not info.trusted


def test_it_refuses_a_token_for_other_data(tsa: LocalTsa, token: bytes) -> None:
    with pytest.raises(TimestampError, match="message imprint mismatch"):
        verify_timestamp(token, DATA + b"x", ca_pem=tsa.ca_pem)
    assert tsa.openssl_verify(token, DATA + b"x").returncode != 0


def test_it_refuses_a_token_from_an_untrusted_ca(token: bytes) -> None:
    other = shared_tsa("Other")
    with pytest.raises(TimestampError, match="does not chain to the trusted TSA CA"):
        verify_timestamp(token, DATA, ca_pem=other.ca_pem)


def test_it_refuses_a_tsa_certificate_whose_usage_is_not_critical(token: bytes) -> None:
    loose = shared_tsa("Loose", critical_eku=False)
    forged = loose.sign_tstinfo(_parse_token(token).tst_der)
    with pytest.raises(TimestampError, match="must be critical and only timeStamping"):
        verify_timestamp(forged, DATA, ca_pem=loose.ca_pem)


def test_it_accepts_a_token_signed_the_same_way_by_a_proper_tsa(
    tsa: LocalTsa, token: bytes
) -> None:
    resigned = tsa.sign_tstinfo(_parse_token(token).tst_der)
    assert verify_timestamp(resigned, DATA, ca_pem=tsa.ca_pem).trusted


def test_it_refuses_a_token_whose_signature_was_altered(tsa: LocalTsa, token: bytes) -> None:
    damaged = token[:-5] + bytes([token[-5] ^ 0x01]) + token[-4:]
    with pytest.raises(TimestampError):
        verify_timestamp(damaged, DATA, ca_pem=tsa.ca_pem)


@pytest.mark.parametrize("garbage", [b"", b"\x30\x03\x02\x01\x01", b"not a token at all"])
def test_it_refuses_garbage_with_a_clear_error(garbage: bytes) -> None:
    with pytest.raises(TimestampError, match="token"):
        verify_timestamp(garbage, DATA)


def test_it_refuses_a_reply_to_another_request(tsa: LocalTsa) -> None:
    first = timestamp_request(DATA, nonce=1)
    second = timestamp_request(DATA, nonce=2)
    with pytest.raises(TimestampError, match="nonce"):
        token_from_response(tsa.reply(first), second)
    other_data = timestamp_request(b"other", nonce=1)
    with pytest.raises(TimestampError, match="imprint"):
        token_from_response(tsa.reply(first), other_data)


def test_it_reports_a_refusal_by_the_tsa(tsa: LocalTsa) -> None:
    query = timestamp_request(DATA, hash_algorithm="sha384")
    reply = tsa.reply(query)
    assert verify_timestamp(token_from_response(reply, query), DATA).hash_algorithm == "sha384"
    with pytest.raises(TimestampError, match="not a valid RFC 3161 response"):
        token_from_response(b"\x30\x00", query)


def test_it_refuses_weak_hash_algorithms() -> None:
    with pytest.raises(TimestampError, match="not accepted"):
        timestamp_request(DATA, hash_algorithm="sha1")
