"""The registry's own RFC 3161 TSA: tokens that OpenSSL and our verifier accept, refusals,
key files, and configured keys."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.exceptions import ImproperlyConfigured

from dataip.deposits import tsa
from dataip.evidence.timestamp import TimestampError, verify_timestamp

# making the own TSA first asks the database whether deposits depend on a lost one
pytestmark = pytest.mark.django_db
POLICY = "2.25.61890944427107637438076577132189122595"


def _openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        ["openssl", *args],  # noqa: S607
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_first_use_makes_a_ca_and_a_tsa_certificate_with_private_keys(settings: Any) -> None:
    folder = tsa.ensure_own_tsa()
    assert folder == Path(settings.DATAIP_DEPOSIT_TSA_DIR)
    for name in ("ca.key", "tsa.key"):
        assert stat.S_IMODE(os.stat(folder / name).st_mode) == 0o600
    cert = x509.load_pem_x509_certificate((folder / "tsa.crt").read_bytes())
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical
    assert list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    ca = x509.load_pem_x509_certificate((folder / "ca.crt").read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    cert.verify_directly_issued_by(ca)
    before = (folder / "tsa.key").read_bytes()
    tsa.ensure_own_tsa()  # made once; kept afterwards
    assert (folder / "tsa.key").read_bytes() == before


def test_openssl_accepts_a_reply_to_its_own_query_nonce_included(tmp_path: Path) -> None:
    data = tmp_path / "statement.json"
    data.write_bytes(b'{"schema":"dip.deposit/v1"}')
    query = _openssl(
        "ts", "-query", "-data", "statement.json", "-sha256", "-cert", "-out", "q.tsq", cwd=tmp_path
    )  # fmt: skip
    assert query.returncode == 0, query.stderr
    (tmp_path / "r.tsr").write_bytes(tsa.respond((tmp_path / "q.tsq").read_bytes()))
    ca = tsa.identity().ca_pem
    (tmp_path / "ca.pem").write_bytes(ca)
    for how in (["-queryfile", "q.tsq"], ["-data", "statement.json"]):
        checked = _openssl(
            "ts", "-verify", *how, "-in", "r.tsr", "-CAfile", "ca.pem", cwd=tmp_path
        )  # fmt: skip
        assert checked.returncode == 0, checked.stderr
        assert "Verification: OK" in checked.stdout
    shown = _openssl("ts", "-reply", "-in", "r.tsr", "-text", cwd=tmp_path).stdout
    assert "Status: Granted." in shown
    assert f"Policy OID: {POLICY}" in shown
    assert "Accuracy: 0x01 seconds" in shown
    assert "Nonce: 0x" in shown
    assert "TSA: DirName:" in shown


def test_our_verifier_accepts_the_token_and_checks_the_chain() -> None:
    data = b"deposit statement"
    stamp = tsa.timestamp(data)
    assert stamp.source == "internal"
    info = verify_timestamp(stamp.token, data, ca_pem=tsa.ca_pem())
    assert info.trusted
    assert info.policy == POLICY
    assert info.hash_algorithm == "sha256"
    assert info.hashed_message == hashlib.sha256(data).digest()
    assert abs(info.gen_time - datetime.now(UTC)) < timedelta(minutes=1)
    assert info.gen_time.microsecond == 0
    with pytest.raises(TimestampError, match="imprint mismatch"):
        verify_timestamp(stamp.token, b"other data", ca_pem=tsa.ca_pem())
    other_ca = tsa.make_own_tsa("别的", "Other").ca_cert
    with pytest.raises(TimestampError, match="does not chain"):
        verify_timestamp(stamp.token, data, ca_pem=other_ca)


def test_serials_differ_and_the_tsa_name_is_its_certificate_subject() -> None:
    first, second = tsa.timestamp(b"a").info, tsa.timestamp(b"a").info
    assert first.serial_number != second.serial_number
    assert first.serial_number.bit_length() <= 120
    assert "dataip Deposit Time-Stamping Authority" in (first.tsa_name or "")


def _status(reply: bytes, tmp_path: Path) -> str:
    """OpenSSL's reading of a TimeStampResp: its status and failure info lines."""
    (tmp_path / "reply.tsr").write_bytes(reply)
    text = _openssl("ts", "-reply", "-in", "reply.tsr", "-text", cwd=tmp_path).stdout
    wanted = ("Status:", "Failure info:")
    return " ".join(line.strip() for line in text.splitlines() if line.startswith(wanted))


def _request(**fields: Any) -> bytes:
    base: dict[str, Any] = {
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": {"algorithm": "sha256"},
            "hashed_message": hashlib.sha256(b"x").digest(),
        },
        "cert_req": True,
    }
    base.update(fields)
    return bytes(tsp.TimeStampReq(base).dump())


def test_it_refuses_what_it_cannot_timestamp(tmp_path: Path) -> None:
    def status(request: bytes) -> str:
        return _status(tsa.respond(request), tmp_path)

    assert status(b"not der") == (
        "Status: Rejected. Failure info: the data submitted has the wrong format"
    )
    short = {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": b"\x00" * 20}
    bad_alg = "Status: Rejected. Failure info: unrecognized or unsupported algorithm identifier"
    assert status(_request(message_imprint=short)) == bad_alg
    md5 = {"hash_algorithm": {"algorithm": "md5"}, "hashed_message": b"\x00" * 16}
    assert status(_request(message_imprint=md5)) == bad_alg
    assert status(_request(req_policy="1.2.3.4")) == (
        "Status: Rejected. Failure info: the requested TSA policy is not supported by the TSA"
    )
    assert status(_request(req_policy=POLICY)) == "Status: Granted. Failure info: unspecified"
    sha512 = {
        "hash_algorithm": {"algorithm": "sha512"},
        "hashed_message": hashlib.sha512(b"x").digest(),
    }
    assert status(_request(message_imprint=sha512)).startswith("Status: Granted.")


def test_without_cert_req_the_certificate_is_left_out(tmp_path: Path) -> None:
    reply = tsa.respond(_request(cert_req=False))
    token = tsp.TimeStampResp.load(reply)["time_stamp_token"]
    assert token["content"]["certificates"].native is None
    (tmp_path / "r.tsr").write_bytes(reply)
    (tmp_path / "ca.pem").write_bytes(tsa.ca_pem())
    (tmp_path / "tsa.pem").write_bytes((tsa.tsa_dir() / "tsa.crt").read_bytes())
    (tmp_path / "x").write_bytes(b"x")
    checked = _openssl(
        "ts", "-verify", "-data", "x", "-in", "r.tsr", "-CAfile", "ca.pem",
        "-untrusted", "tsa.pem", cwd=tmp_path,
    )  # fmt: skip
    assert "Verification: OK" in checked.stdout, checked.stderr


def _configured(folder: Path, *, eku_critical: bool = True) -> tuple[Path, Path, Path]:
    """An RSA-3072 TSA certificate issued by a separate CA, as an operator would configure."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC) - timedelta(hours=1)
    ca_key = rsa.generate_private_key(65537, 3072)
    key = rsa.generate_private_key(65537, 3072)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Operator CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Operator TSA")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=eku_critical
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = folder / "tsa.key", folder / "tsa.crt", folder / "ca.crt"
    paths[0].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    paths[1].write_bytes(cert.public_bytes(pem))
    paths[2].write_bytes(ca.public_bytes(pem))
    return paths


def test_a_configured_rsa_key_replaces_the_own_one(settings: Any, tmp_path: Path) -> None:
    key, cert, ca = _configured(tmp_path / "operator")
    settings.DATAIP_DEPOSIT_TSA_KEY_FILE = str(key)
    settings.DATAIP_DEPOSIT_TSA_CERT_FILE = str(cert)
    settings.DATAIP_DEPOSIT_TSA_CA_FILE = str(ca)
    stamp = tsa.timestamp(b"statement")
    info = verify_timestamp(stamp.token, b"statement", ca_pem=ca.read_bytes())
    assert info.signer == "CN=Operator TSA"
    (tmp_path / "s").write_bytes(b"statement")
    (tmp_path / "t.tsr").write_bytes(stamp.token)
    checked = _openssl(
        "ts", "-verify", "-data", "s", "-in", "t.tsr", "-token_in", "-CAfile", str(ca),
        cwd=tmp_path,
    )  # fmt: skip
    assert "Verification: OK" in checked.stdout, checked.stderr
    assert not Path(settings.DATAIP_DEPOSIT_TSA_DIR).exists()  # no own CA was made


def test_a_misconfigured_tsa_is_refused_with_the_reason(settings: Any, tmp_path: Path) -> None:
    key, cert, ca = _configured(tmp_path / "bad", eku_critical=False)
    settings.DATAIP_DEPOSIT_TSA_KEY_FILE = str(key)
    settings.DATAIP_DEPOSIT_TSA_CERT_FILE = str(cert)
    settings.DATAIP_DEPOSIT_TSA_CA_FILE = str(ca)
    with pytest.raises(ImproperlyConfigured, match="critical extendedKeyUsage"):
        tsa.identity()
    settings.DATAIP_DEPOSIT_TSA_CA_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="DATAIP_DEPOSIT_TSA_CA_FILE"):
        tsa.identity()
    settings.DATAIP_DEPOSIT_TSA_CERT_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="both"):
        tsa.identity()
    settings.DATAIP_DEPOSIT_TSA_KEY_FILE = ""
    settings.DATAIP_DEPOSIT_TSA = "elsewhere"
    with pytest.raises(ImproperlyConfigured, match="internal"):
        tsa.timestamp(b"x")
    settings.DATAIP_DEPOSIT_TSA = "external"
    settings.DATAIP_TSA_URL = ""
    with pytest.raises(ImproperlyConfigured, match="DATAIP_TSA_URL"):
        tsa.timestamp(b"x")


def test_the_external_tsa_of_the_ledger_can_be_used_instead(settings: Any) -> None:
    from tests.ledger._tsa import serve, shared_tsa

    local = shared_tsa()
    settings.DATAIP_DEPOSIT_TSA = "external"
    settings.DATAIP_TSA_CA_FILE = str(local.ca_file)
    with serve(local) as url:
        settings.DATAIP_TSA_URL = url
        stamp = tsa.timestamp(b"statement")
    assert stamp.source == url
    assert stamp.info.trusted
    assert local.openssl_verify(stamp.token, b"statement").returncode == 0
    assert tsa.ca_pem() == local.ca_pem


def test_the_signing_time_after_2049_is_a_generalized_time() -> None:
    from asn1crypto import cms

    token = tsa.build_token(
        tsa.identity(),
        hash_algorithm="sha256",
        hashed_message=hashlib.sha256(b"x").digest(),
        policy=POLICY,
        gen_time=datetime(2051, 1, 2, 3, 4, 5, 600, tzinfo=UTC),
    )
    signed = cms.ContentInfo.load(token)["content"]
    attrs = {a["type"].native: a["values"][0] for a in signed["signer_infos"][0]["signed_attrs"]}
    assert attrs["signing_time"].name == "generalized_time"
    tst = tsp.TSTInfo.load(signed["encap_content_info"]["content"].parsed.dump())
    assert tst["gen_time"].native == datetime(2051, 1, 2, 3, 4, 5, tzinfo=UTC)
