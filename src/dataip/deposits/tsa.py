"""The registry's own RFC 3161 time-stamp authority for deposits (存证时间戳服务).

Deposit statements are timestamped in-process, with no network: a ``TSTInfo`` (RFC 3161
§2.4.2: SHA-256/384/512 message imprint, a 120-bit random serial, ``genTime`` to the second
with an accuracy of one second, the nonce echoed, the policy ``DATAIP_DEPOSIT_TSA_POLICY``, the
TSA's name) signed as CMS ``SignedData`` (RFC 5652) with the signed attributes content type,
message digest and ``signingCertificateV2`` (RFC 5035 ESSCertIDv2, SHA-256), the TSA
certificate included. Anyone checks a token with ``openssl ts -verify -data statement.json
-in token.tsr -token_in -CAfile tsa-ca.pem``.

Keys (pure ``cryptography`` and ``asn1crypto``):

* by default, the first use creates in the key store's deposit TSA folder
  (:mod:`dataip.keystore`, ``DATAIP_DEPOSIT_TSA_DIR``, ``<data folder>/tsa``) a small CA
  (``ca.key`` 0600, ``ca.crt``; ECDSA P-256, 20 years) and the TSA certificate it issues
  (``tsa.key`` 0600, ``tsa.crt``; ECDSA P-256, 10 years; critical extendedKeyUsage
  ``timeStamping`` only, RFC 3161 §2.3). Verifiers trust ``ca.crt``, published at
  ``/deposits/tsa-ca.pem``;
* ``DATAIP_DEPOSIT_TSA_KEY_FILE`` + ``DATAIP_DEPOSIT_TSA_CERT_FILE`` (PEM; ECDSA or RSA)
  replace them, with ``DATAIP_DEPOSIT_TSA_CA_FILE`` the CA that verifiers should trust.

Once a deposit was timestamped by it, a missing own ``tsa.crt`` is refused
(:class:`dataip.keystore.KeyMissing`) rather than replaced by a new CA that the receipts
already handed out would not chain to; restore the folder, or make a new one explicitly
(``dataip rotate-key --after-loss --store tsa``) and keep publishing the old ``ca.crt``.

``DATAIP_DEPOSIT_TSA = "external"`` uses the ledger's TSA (``DATAIP_TSA_URL``) instead, over
the network, before the deposit's transaction opens.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dataip import keystore
from dataip.evidence.timestamp import (
    TimestampInfo,
    timestamp_request,
    token_from_response,
    verify_timestamp,
)

__all__ = [
    "INTERNAL",
    "OwnTsa",
    "Stamp",
    "TsaIdentity",
    "build_token",
    "ca_pem",
    "ensure_own_tsa",
    "identity",
    "make_own_tsa",
    "respond",
    "timestamp",
]

INTERNAL = "internal"
_DIGESTS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}
_SERIAL_BITS = 120
_CACHE = "deposits.tsa"  # the identity's entry in the key store's cache

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


# ── the own CA and TSA certificate ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class OwnTsa:
    """PEM bytes of the own CA and TSA keys and certificates."""

    ca_key: bytes
    ca_cert: bytes
    tsa_key: bytes
    tsa_cert: bytes


def _name(organisation: str, unit: str, common_name: str) -> x509.Name:
    """C=CN, O=<registry (zh)>, OU=<registry (en)>, CN=...; each at most 64 characters."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _usage(*, tsa: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=tsa,
        content_commitment=tsa,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not tsa,
        crl_sign=not tsa,
        encipher_only=False,
        decipher_only=False,
    )


def make_own_tsa(organisation: str, name_en: str, *, now: datetime | None = None) -> OwnTsa:
    """A new CA (20 years) and the TSA certificate it issues (10 years), ECDSA P-256."""
    now = (now or datetime.now(UTC)).replace(microsecond=0) - timedelta(hours=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(organisation, name_en, "dataip Deposit Time-Stamping CA")
    tsa_name = _name(organisation, name_en, "dataip Deposit Time-Stamping Authority")
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=20 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(tsa=False), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    tsa_cert = (
        x509.CertificateBuilder()
        .subject_name(tsa_name)
        .issuer_name(ca_name)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=10 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(tsa=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(tsa_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return OwnTsa(
        ca_key=_key_pem(ca_key),
        ca_cert=ca_cert.public_bytes(pem),
        tsa_key=_key_pem(tsa_key),
        tsa_cert=tsa_cert.public_bytes(pem),
    )


def tsa_dir() -> Path:
    """The folder of the own CA and TSA certificate."""
    return keystore.folder(keystore.DEPOSIT_TSA)


def _make_own_tsa() -> list[tuple[str, bytes, bool]]:
    """A new CA and the TSA certificate it issues, named after the regime's registry."""
    from dataip.registry.regimes import load_regime

    regime = load_regime(settings.DATAIP_REGIME)
    made = make_own_tsa(regime.registry_name_zh, regime.registry_name_en)
    return [
        ("ca.key", made.ca_key, True),
        ("ca.crt", made.ca_cert, False),
        ("tsa.key", made.tsa_key, True),
        ("tsa.crt", made.tsa_cert, False),  # last: marks completion
    ]


def _refuse(path: Path) -> keystore.KeyMissing | None:
    """Refuse a new TSA when deposit receipts timestamped by the own one exist."""
    from dataip.deposits.models import Deposit

    made = Deposit.objects.filter(tsa=INTERNAL).count()
    if not made:
        return None
    return keystore.KeyMissing(
        keystore.DEPOSIT_TSA, path, f"已有 {made} 份存证回执", f"{made} deposit receipt(s) exist"
    )


def missing_own_tsa() -> keystore.KeyMissing | None:
    """The refusal :func:`ensure_own_tsa` would raise now (None: the TSA is there, configured
    key files or an external TSA replace it, or no receipt depends on it)."""
    if str(settings.DATAIP_DEPOSIT_TSA) != INTERNAL or settings.DATAIP_DEPOSIT_TSA_KEY_FILE:
        return None
    marker = tsa_dir() / "tsa.crt"
    return None if marker.exists() else _refuse(marker)


def ensure_own_tsa(*, replace_lost: bool = False) -> Path:
    """Create the own CA and TSA certificate unless they exist; return their folder.

    Refused (:class:`dataip.keystore.KeyMissing`) when deposits exist already, unless
    ``replace_lost`` (the explicit replacement after a loss).
    """
    refuse = None if replace_lost else _refuse
    return keystore.ensure(keystore.DEPOSIT_TSA, "tsa.crt", _make_own_tsa, refuse=refuse)


# ── the identity in use ────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class TsaIdentity:
    """The TSA's key, its certificate, and the CA certificate(s) verifiers trust (PEM)."""

    key: PrivateKey
    certificate: x509.Certificate
    ca_pem: bytes

    @property
    def certificate_der(self) -> bytes:
        """The TSA certificate, DER."""
        return self.certificate.public_bytes(serialization.Encoding.DER)


def _files() -> tuple[Path, Path, Path]:
    """Key, certificate and trusted CA files: configured, or the own ones."""
    key_file = str(settings.DATAIP_DEPOSIT_TSA_KEY_FILE or "")
    cert_file = str(settings.DATAIP_DEPOSIT_TSA_CERT_FILE or "")
    ca_file = str(settings.DATAIP_DEPOSIT_TSA_CA_FILE or "")
    if bool(key_file) != bool(cert_file):
        raise ImproperlyConfigured(
            "set both DATAIP_DEPOSIT_TSA_KEY_FILE and DATAIP_DEPOSIT_TSA_CERT_FILE, or neither"
        )
    if key_file:
        if not ca_file:
            raise ImproperlyConfigured(
                "DATAIP_DEPOSIT_TSA_CA_FILE must name the CA that verifiers of the TSA trust"
            )
        return Path(key_file), Path(cert_file), Path(ca_file)
    folder = ensure_own_tsa()
    return folder / "tsa.key", folder / "tsa.crt", Path(ca_file) if ca_file else folder / "ca.crt"


def _check_identity(key: Any, cert: x509.Certificate) -> PrivateKey:
    """The key fits the certificate, which is a time-stamping certificate (RFC 3161 §2.3)."""
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ImproperlyConfigured("the deposit TSA key must be an ECDSA or RSA key")
    public = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*public) != cert.public_key().public_bytes(*public):
        raise ImproperlyConfigured("the deposit TSA key does not belong to its certificate")
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        eku = None
    if eku is None or not eku.critical or list(eku.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        raise ImproperlyConfigured(
            "the deposit TSA certificate needs a critical extendedKeyUsage of timeStamping only"
        )
    return key


def _load(key_file: Path, cert_file: Path, ca_file: Path) -> TsaIdentity:
    """Read and check the TSA's key and certificate, and the CA verifiers trust."""
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    return TsaIdentity(_check_identity(key, cert), cert, ca_file.read_bytes())


def identity() -> TsaIdentity:
    """The TSA identity in use (loaded once per file version)."""
    files = _files()
    try:
        return keystore.load(_CACHE, files, lambda: _load(*files))
    except (OSError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"cannot load the deposit TSA key or certificate: {exc}"
        ) from None


def ca_pem() -> bytes:
    """The CA certificate(s) that verifiers of deposit tokens trust (PEM)."""
    if settings.DATAIP_DEPOSIT_TSA == INTERNAL:
        return identity().ca_pem
    path = str(settings.DATAIP_TSA_CA_FILE or "")
    return Path(path).read_bytes() if path else b""


# ── tokens ─────────────────────────────────────────────────────────────────────────────


def _signature_algorithm(key: PrivateKey) -> str:
    return "sha256_ecdsa" if isinstance(key, ec.EllipticCurvePrivateKey) else "sha256_rsa"


def _sign(key: PrivateKey, data: bytes) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _signing_time(moment: datetime) -> cms.Time:
    """RFC 5652 §11.3: UTCTime for 1950–2049, GeneralizedTime otherwise."""
    kind = "utc_time" if 1950 <= moment.year < 2050 else "generalized_time"
    return cms.Time(name=kind, value=moment)


def build_token(
    tsa: TsaIdentity,
    *,
    hash_algorithm: str,
    hashed_message: bytes,
    policy: str,
    nonce: int | None = None,
    gen_time: datetime | None = None,
    serial: int | None = None,
    include_certificate: bool = True,
) -> bytes:
    """A DER time-stamp token (CMS ``ContentInfo``) over ``hashed_message``."""
    if hash_algorithm not in _DIGESTS:
        raise ValueError(f"hash algorithm {hash_algorithm!r} is not accepted")
    if len(hashed_message) != _DIGESTS[hash_algorithm]().digest_size:
        raise ValueError("the message imprint's length does not fit its hash algorithm")
    gen_time = (gen_time or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    cert = asn1_x509.Certificate.load(tsa.certificate_der)
    fields: dict[str, Any] = {
        "version": "v1",
        "policy": policy,
        "message_imprint": {
            "hash_algorithm": {"algorithm": hash_algorithm},
            "hashed_message": hashed_message,
        },
        "serial_number": serial if serial is not None else secrets.randbits(_SERIAL_BITS) | 1,
        "gen_time": gen_time,
        "accuracy": {"seconds": 1},
        "tsa": asn1_x509.GeneralName(name="directory_name", value=cert.subject),
    }
    if nonce is not None:
        fields["nonce"] = nonce
    tst_der = tsp.TSTInfo(fields).dump()
    ess = {
        "certs": [
            {
                "cert_hash": hashlib.sha256(tsa.certificate_der).digest(),
                "issuer_serial": {
                    "issuer": [asn1_x509.GeneralName(name="directory_name", value=cert.issuer)],
                    "serial_number": cert.serial_number,
                },
            }
        ]
    }
    attributes = cms.CMSAttributes(
        [
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "signing_time", "values": [_signing_time(gen_time)]},
            {"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]},
            {"type": "signing_certificate_v2", "values": [ess]},
        ]
    )
    signed_attrs_der = attributes.dump()  # DER: asn1crypto sorts the SET OF encodings
    signer_info = {
        "version": "v1",
        "sid": cms.SignerIdentifier(
            name="issuer_and_serial_number",
            value={"issuer": cert.issuer, "serial_number": cert.serial_number},
        ),
        "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
        "signed_attrs": attributes,
        "signature_algorithm": algos.SignedDigestAlgorithm(
            {"algorithm": _signature_algorithm(tsa.key)}
        ),
        "signature": _sign(tsa.key, signed_attrs_der),
    }
    signed_data: dict[str, Any] = {
        "version": "v3",
        "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
        "encap_content_info": {
            "content_type": "tst_info",
            "content": core.ParsableOctetString(tst_der),
        },
        "signer_infos": [signer_info],
    }
    if include_certificate:
        signed_data["certificates"] = [cert]
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump())


class _StatusOnly(core.Sequence):  # type: ignore[misc]
    """``TimeStampResp`` without a token (asn1crypto's type does not make it optional)."""

    _fields = [("status", tsp.PKIStatusInfo)]


def _rejection(failure: str, text: str) -> bytes:
    """A ``TimeStampResp`` that refuses the request (RFC 3161 §2.4.2 PKIFailureInfo)."""
    status = {"status": "rejection", "status_string": [text], "fail_info": {failure}}
    return bytes(_StatusOnly({"status": status}).dump())


def respond(request: bytes, *, tsa: TsaIdentity | None = None, policy: str | None = None) -> bytes:
    """Answer a DER ``TimeStampReq`` with a DER ``TimeStampResp`` (a full RFC 3161 server).

    Refuses (status ``rejection``) an unparsable request (``badDataFormat``), an unaccepted
    hash algorithm or an imprint of the wrong length (``badAlg``), or a requested policy other
    than ours (``unacceptedPolicy``). The token holds the TSA certificate if ``certReq``.
    """
    policy = policy or str(settings.DATAIP_DEPOSIT_TSA_POLICY)
    try:
        req = tsp.TimeStampReq.load(request, strict=True)
        version = req["version"].native
        algorithm = req["message_imprint"]["hash_algorithm"]["algorithm"].native
        hashed = bytes(req["message_imprint"]["hashed_message"].native)
        requested_policy = req["req_policy"].native
        nonce = req["nonce"].native
        cert_req = bool(req["cert_req"].native)
        if req["extensions"].native:
            return _rejection("unaccepted_extension", "extensions are not supported")
    except (ValueError, TypeError, KeyError) as exc:
        return _rejection("bad_data_format", f"not a TimeStampReq ({exc})")
    if version != "v1":
        return _rejection("bad_data_format", "only version 1 requests are accepted")
    if algorithm not in _DIGESTS or len(hashed) != _DIGESTS[algorithm]().digest_size:
        return _rejection("bad_alg", "use SHA-256, SHA-384 or SHA-512")
    if requested_policy is not None and requested_policy != policy:
        return _rejection("unaccepted_policy", f"the only policy is {policy}")
    token = build_token(
        tsa or identity(),
        hash_algorithm=algorithm,
        hashed_message=hashed,
        policy=policy,
        nonce=nonce,
        include_certificate=cert_req,
    )
    return bytes(
        tsp.TimeStampResp(
            {"status": {"status": "granted"}, "time_stamp_token": cms.ContentInfo.load(token)}
        ).dump()
    )


@dataclass(frozen=True)
class Stamp:
    """A verified token over some data, and where it came from (``internal`` or a URL)."""

    token: bytes
    info: TimestampInfo
    source: str


def timestamp(data: bytes) -> Stamp:
    """Timestamp ``SHA-256(data)`` with the configured TSA and verify the token at once.

    The internal TSA answers in-process (an RFC 3161 request and response, as over HTTP);
    the external one (``DATAIP_DEPOSIT_TSA = "external"``) is asked over the network. Raises
    :class:`~dataip.evidence.timestamp.TimestampError` if the TSA fails or its token does not
    verify against the trusted CA.
    """
    mode = str(settings.DATAIP_DEPOSIT_TSA)
    nonce = secrets.randbits(63)
    if mode == INTERNAL:
        query = timestamp_request(data, nonce=nonce)
        tsa = identity()
        token = token_from_response(respond(query, tsa=tsa), query)
        return Stamp(token, verify_timestamp(token, data, ca_pem=tsa.ca_pem), INTERNAL)
    if mode != "external":
        raise ImproperlyConfigured("DATAIP_DEPOSIT_TSA must be 'internal' or 'external'")
    from dataip.ledger import timestamps

    url = timestamps.tsa_url()
    if not url:
        raise ImproperlyConfigured("DATAIP_DEPOSIT_TSA is 'external' but DATAIP_TSA_URL is empty")
    token = timestamps.request_token(url, data, timeout=float(settings.DATAIP_TSA_TIMEOUT))
    return Stamp(token, verify_timestamp(token, data, ca_pem=timestamps.tsa_ca_pem()), url)
