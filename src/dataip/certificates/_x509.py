"""A registry's own certification authority and PDF-signing certificate (pure ``cryptography``).

Used on first run when no real certificate is configured: a root CA (20 years) and a signing
certificate it issues (10 years, keyUsage digitalSignature + nonRepudiation), both RSA-3072 —
the key type every PDF reader and NSS accept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

RSA_BITS = 3072


@dataclass(frozen=True)
class OwnPki:
    """PEM bytes of the CA and signing keys and certificates."""

    ca_key: bytes
    ca_cert: bytes
    seal_key: bytes
    seal_cert: bytes


def _name(organisation: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not sign,
        crl_sign=not sign,
        encipher_only=False,
        decipher_only=False,
    )


def make_own_pki(organisation: str, label: str, now: datetime | None = None) -> OwnPki:
    """A new CA and a signing certificate issued by it; ``label`` names the registry (English)."""
    start = (now or datetime.now(UTC)) - timedelta(minutes=5)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    ca_name = _name(organisation, f"{label} Certificate Root CA"[:64])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * 20))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    seal_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    seal = (
        x509.CertificateBuilder()
        .subject_name(_name(organisation, f"{label} Certificate Seal"[:64]))
        .issuer_name(ca_name)
        .public_key(seal_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * 10))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(seal_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return OwnPki(
        ca_key=_key_pem(ca_key),
        ca_cert=ca.public_bytes(serialization.Encoding.PEM),
        seal_key=_key_pem(seal_key),
        seal_cert=seal.public_bytes(serialization.Encoding.PEM),
    )
