"""RFC 3161 trusted timestamps: build a request, check a TSA's reply, verify a token offline.

What the registry timestamps is ``SHA-256(signed checkpoint note bytes)`` (design note §2.1),
so anyone can re-check a token with ``openssl ts -verify -data checkpoint.txt -in token.der
-token_in -CAfile tsa-ca.pem``. :func:`verify_timestamp` does the same checks in Python:

* the token is a CMS ``SignedData`` holding a ``TSTInfo`` (RFC 3161 §2.4.2);
* its message imprint is the hash of ``data`` (SHA-256, -384 or -512);
* the signed attributes carry the content type, the digest of the ``TSTInfo`` and an ESS
  signing-certificate reference (RFC 2634 / RFC 5816 ESSCertIDv2) to the signer certificate;
* the signature verifies with that certificate (ECDSA, RSA PKCS#1 v1.5 or PSS, Ed25519);
* the certificate has exactly one, critical, extendedKeyUsage ``timeStamping`` (§2.3);
* when a trusted CA is given: the certificate chains to it and every link was valid at the
  token's ``genTime`` (no revocation check: offline verification cannot fetch CRLs).

Only ``asn1crypto`` and ``cryptography`` are used; there is no network code here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from .errors import VerificationError

__all__ = [
    "TimestampError",
    "TimestampInfo",
    "timestamp_request",
    "token_from_response",
    "verify_timestamp",
]

_DIGESTS: dict[str, Callable[[bytes], Any]] = {
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
_MAX_CHAIN = 6
_ASN1_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)


class TimestampError(VerificationError):
    """An RFC 3161 time-stamp token or reply could not be verified."""

    code = "timestamp_error"


@dataclass(frozen=True)
class TimestampInfo:
    """What a verified token says. ``trusted`` is False when no TSA CA was given to check."""

    gen_time: datetime
    serial_number: int
    policy: str
    hash_algorithm: str
    hashed_message: bytes
    nonce: int | None
    tsa_name: str | None
    signer: str
    trusted: bool


def _digest(name: str, data: bytes) -> bytes:
    """Hash ``data`` with a supported algorithm, or raise :class:`TimestampError`."""
    if name not in _DIGESTS:
        raise TimestampError(f"hash algorithm {name!r} is not accepted (use SHA-256/384/512)")
    return bytes(_DIGESTS[name](data).digest())


def timestamp_request(
    data: bytes, *, nonce: int | None = None, hash_algorithm: str = "sha256"
) -> bytes:
    """DER ``TimeStampReq`` (RFC 3161 §2.4.1) for ``data``, asking for the TSA's certificate."""
    fields: dict[str, Any] = {
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": {"algorithm": hash_algorithm},
            "hashed_message": _digest(hash_algorithm, data),
        },
        "cert_req": True,
    }
    if nonce is not None:
        fields["nonce"] = nonce
    return bytes(tsp.TimeStampReq(fields).dump())


def token_from_response(response: bytes, request: bytes) -> bytes:
    """Check a DER ``TimeStampResp`` against its ``request``; return the token (DER).

    Raises :class:`TimestampError` if the TSA refused, or if the token's message imprint or
    nonce is not the request's. The token's signature is checked by :func:`verify_timestamp`.
    """
    try:
        req = tsp.TimeStampReq.load(request, strict=True)
        resp = tsp.TimeStampResp.load(response, strict=True)
        status = resp["status"]["status"].native
        if status not in {"granted", "granted_with_mods"}:
            text = resp["status"]["status_string"].native or []
            raise TimestampError(f"the TSA refused the request: {status} {' '.join(text)}".strip())
        if resp["time_stamp_token"].native is None:
            raise TimestampError("the TSA reply holds no time-stamp token")
        token = bytes(resp["time_stamp_token"].dump())
        tst = _parse_token(token).tst
        if tst["message_imprint"].dump() != req["message_imprint"].dump():
            raise TimestampError("the TSA's token is for another message imprint")
        if req["nonce"].native is not None and tst["nonce"].native != req["nonce"].native:
            raise TimestampError("the TSA's token does not repeat the request's nonce")
    except _ASN1_ERRORS as exc:
        raise TimestampError(f"the TSA reply is not a valid RFC 3161 response ({exc})") from None
    return token


@dataclass(frozen=True)
class _Token:
    """A parsed token, with the exact bytes that its digests and signature cover."""

    signed: cms.SignedData
    tst: tsp.TSTInfo
    tst_der: bytes
    signer_info: cms.SignerInfo
    signed_attrs_der: bytes
    certificate_ders: tuple[bytes, ...]
    sid: tuple[str, bytes, int]


def _parse_token(token: bytes) -> _Token:
    """Parse a DER token; take the covered bytes before anything touches the parsed values."""
    try:
        info = cms.ContentInfo.load(token, strict=True)
        if info["content_type"].native != "signed_data":
            raise TimestampError("time-stamp token is not CMS SignedData")
        signed = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            raise TimestampError("time-stamp token does not hold an RFC 3161 TSTInfo")
        tst_der = bytes(encap["content"].contents)
        if len(signed["signer_infos"]) != 1:
            raise TimestampError("time-stamp token must have exactly one signer")
        signer_info = signed["signer_infos"][0]
        attrs_der = b"\x31" + bytes(signer_info["signed_attrs"].dump())[1:]
        cert_ders = tuple(
            bytes(choice.chosen.dump())
            for choice in signed["certificates"] or []
            if choice.name == "certificate"
        )
        sid = signer_info["sid"]
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            sid_key = (
                "issuer",
                bytes(wanted["issuer"].dump()),
                int(wanted["serial_number"].native),
            )
        else:
            sid_key = ("ski", bytes(sid.chosen.native), 0)
        tst = tsp.TSTInfo.load(tst_der, strict=True)
        _ = tst.native  # parse the TSTInfo now, so its errors surface here
    except _ASN1_ERRORS as exc:
        raise TimestampError(f"time-stamp token is not valid DER/CMS ({exc})") from None
    return _Token(signed, tst, tst_der, signer_info, attrs_der, cert_ders, sid_key)


def _certificates(token: _Token) -> list[x509.Certificate]:
    """The X.509 certificates carried in the token."""
    try:
        return [x509.load_der_x509_certificate(der) for der in token.certificate_ders]
    except ValueError as exc:
        raise TimestampError(f"time-stamp token carries a bad certificate ({exc})") from None


def _find_signer(token: _Token, certs: list[x509.Certificate]) -> x509.Certificate:
    """The certificate named by the SignerInfo's ``sid``."""
    kind, value, serial = token.sid
    for cert in certs:
        if kind == "issuer":
            if cert.serial_number == serial and cert.issuer.public_bytes() == value:
                return cert
            continue
        try:
            ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        except x509.ExtensionNotFound:
            continue
        if ski.value.digest == value:
            return cert
    raise TimestampError(
        "the TSA certificate is not in the token (request it with certReq, or supply it)"
    )


def _attributes(signer_info: cms.SignerInfo) -> dict[str, Any]:
    """Signed attributes by name; each must appear once with one value."""
    attrs: dict[str, Any] = {}
    for attr in signer_info["signed_attrs"]:
        name = attr["type"].native
        if name in attrs or len(attr["values"]) != 1:
            raise TimestampError(f"signed attribute {name} is repeated")
        attrs[name] = attr["values"][0]
    return attrs


def _check_signed_attributes(token: _Token, signer: x509.Certificate) -> None:
    """Content type, message digest and the ESS reference to the signer certificate."""
    signer_info, tst_der = token.signer_info, token.tst_der
    if len(signer_info["signed_attrs"]) == 0:
        raise TimestampError("time-stamp token has no signed attributes")
    attrs = _attributes(signer_info)
    if "content_type" not in attrs or attrs["content_type"].native != "tst_info":
        raise TimestampError("signed content-type attribute is not id-ct-TSTInfo")
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    if "message_digest" not in attrs or attrs["message_digest"].native != _digest(
        digest_name, tst_der
    ):
        raise TimestampError("signed message digest does not match the TSTInfo")
    cert_der = signer.public_bytes(Encoding.DER)
    if "signing_certificate_v2" in attrs:
        ess = attrs["signing_certificate_v2"]["certs"][0]
        algorithm = ess["hash_algorithm"]["algorithm"].native
        if ess["cert_hash"].native != _digest(algorithm, cert_der):
            raise TimestampError("ESSCertIDv2 does not match the TSA certificate")
    elif "signing_certificate" in attrs:
        ess_v1 = attrs["signing_certificate"]["certs"][0]
        if ess_v1["cert_hash"].native != hashlib.sha1(cert_der).digest():  # noqa: S324 - ESSCertID
            raise TimestampError("ESSCertID does not match the TSA certificate")
    else:
        raise TimestampError("time-stamp token has no ESS signing-certificate attribute")


def _check_signature(token: _Token, signer: x509.Certificate) -> None:
    """Verify the SignerInfo signature over the DER SET OF signed attributes."""
    signer_info, signed_bytes = token.signer_info, token.signed_attrs_der
    signature = bytes(signer_info["signature"].native)
    algo = signer_info["signature_algorithm"].signature_algo
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    key = signer.public_key()
    try:
        if isinstance(key, ed25519.Ed25519PublicKey) and algo == "ed25519":
            key.verify(signature, signed_bytes)
            return
        if digest_name not in _HASHES:
            raise TimestampError(f"signature digest {digest_name!r} is not accepted")
        chosen = _HASHES[digest_name]()
        if isinstance(key, ec.EllipticCurvePublicKey) and algo == "ecdsa":
            key.verify(signature, signed_bytes, ec.ECDSA(chosen))
        elif isinstance(key, rsa.RSAPublicKey) and algo == "rsassa_pkcs1v15":
            key.verify(signature, signed_bytes, padding.PKCS1v15(), chosen)
        elif isinstance(key, rsa.RSAPublicKey) and algo == "rsassa_pss":
            pss = padding.PSS(padding.MGF1(chosen), padding.PSS.AUTO)
            key.verify(signature, signed_bytes, pss, chosen)
        else:
            raise TimestampError(f"signature algorithm {algo!r} does not fit the TSA's key")
    except InvalidSignature:
        raise TimestampError("the TSA's signature over the token does not verify") from None
    except UnsupportedAlgorithm as exc:
        raise TimestampError(f"unsupported signature algorithm ({exc})") from None


def _check_tsa_certificate(cert: x509.Certificate, at: datetime) -> None:
    """RFC 3161 §2.3: one critical extendedKeyUsage, timeStamping only; valid at ``at``."""
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        raise TimestampError("TSA certificate has no extendedKeyUsage extension") from None
    if not eku.critical or list(eku.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        raise TimestampError(
            "TSA certificate's extendedKeyUsage must be critical and only timeStamping"
        )
    _check_validity(cert, at)


def _check_validity(cert: x509.Certificate, at: datetime) -> None:
    """The certificate was valid at ``at``."""
    if not cert.not_valid_before_utc <= at <= cert.not_valid_after_utc:
        raise TimestampError(
            f"certificate {cert.subject.rfc4514_string()} was not valid at {at.isoformat()}"
        )


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True if ``issuer``'s name and key signed ``cert``."""
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    """True if basicConstraints says CA."""
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _check_chain(
    signer: x509.Certificate,
    carried: list[x509.Certificate],
    anchors: list[x509.Certificate],
    at: datetime,
) -> None:
    """``signer`` chains through ``carried`` CA certificates to one of ``anchors`` at ``at``."""
    current = signer
    for _ in range(_MAX_CHAIN):
        if current in anchors:
            return
        for anchor in anchors:
            if _is_ca(anchor) and _issued_by(current, anchor):
                _check_validity(anchor, at)
                return
        issuer = next(
            (c for c in carried if c != current and _is_ca(c) and _issued_by(current, c)), None
        )
        if issuer is None:
            break
        _check_validity(issuer, at)
        current = issuer
    raise TimestampError(
        f"TSA certificate {signer.subject.rfc4514_string()} does not chain to the trusted TSA CA"
    )


def load_certificates(pem: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM file; raise :class:`TimestampError` if there is none."""
    try:
        return list(x509.load_pem_x509_certificates(pem))
    except ValueError:
        raise TimestampError("the trusted TSA CA file holds no PEM certificate") from None


def verify_timestamp(token: bytes, data: bytes, *, ca_pem: bytes | None = None) -> TimestampInfo:
    """Verify an RFC 3161 token (DER ContentInfo) over ``data``; return what it says.

    Without ``ca_pem`` everything but the certificate chain is checked and the result has
    ``trusted=False``. Raises :class:`TimestampError` naming the failed check.
    """
    if not isinstance(token, bytes | bytearray) or not token:
        raise TimestampError("time-stamp token is empty")
    parsed = _parse_token(bytes(token))
    tst = parsed.tst
    imprint = tst["message_imprint"]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    if imprint["hashed_message"].native != _digest(algorithm, data):
        raise TimestampError("message imprint mismatch: the token is for other data")
    carried = _certificates(parsed)
    signer = _find_signer(parsed, carried)
    gen_time = tst["gen_time"].native
    try:
        _check_signed_attributes(parsed, signer)
    except _ASN1_ERRORS as exc:
        raise TimestampError(f"malformed signed attributes ({exc})") from None
    _check_signature(parsed, signer)
    _check_tsa_certificate(signer, gen_time)
    if ca_pem is not None:
        _check_chain(signer, carried, load_certificates(ca_pem), gen_time)
    tsa = tst["tsa"]
    return TimestampInfo(
        gen_time=gen_time,
        serial_number=int(tst["serial_number"].native),
        policy=str(tst["policy"].native),
        hash_algorithm=algorithm,
        hashed_message=bytes(imprint["hashed_message"].native),
        nonce=tst["nonce"].native,
        tsa_name=_general_name(tsa.chosen) if tsa.native is not None else None,
        signer=signer.subject.rfc4514_string(),
        trusted=ca_pem is not None,
    )


def _general_name(name: Any) -> str:
    """A GeneralName as text (directory names in RFC 4514 style)."""
    if hasattr(name, "human_friendly"):
        return str(name.human_friendly)
    return str(name.native)
