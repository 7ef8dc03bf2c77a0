"""The registry's PDF-signing identity (签章证书): its own CA, or real certificates by setting.

Without configuration, the first use creates in the key store's certificates folder
(:mod:`dataip.keystore`, ``DATAIP_CERT_DIR``, default ``<data folder>/certificates``):

* ``ca.key`` (mode 0600) and ``ca.crt`` -- the registry's root CA;
* ``seal.key`` (mode 0600) and ``seal.crt`` -- the signing certificate the CA issued.

``DATAIP_CERT_PKCS12_FILE`` (+ ``DATAIP_CERT_PKCS12_PASSPHRASE_FILE``) replaces them with a
real key and certificate chain. Once a certificate PDF was signed, a missing ``seal.crt`` is
refused (:class:`dataip.keystore.KeyMissing`) rather than replaced by a new CA, which would
leave every issued PDF unverifiable against the published ``/verify/ca.pem``; restore the
folder, or make a new CA explicitly (``dataip rotate-key --after-loss --store certificates``,
:func:`ensure_own_pki` with ``replace_lost=True``) and keep publishing the old ``ca.crt`` for
the certificates it signed. Verifiers trust :func:`trust_pem`: ``DATAIP_CERT_CA_FILE`` if
set, else the own CA, else the self-signed root of the PKCS#12 chain.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dataip import keystore
from dataip.certificates._x509 import make_own_pki
from dataip.certificates.seal import SealError, TsaClient, load_pem_signer, load_pkcs12_signer
from dataip.ledger import timestamps
from dataip.registry.regimes import load_regime

_CACHE = "certificates.signer"  # the signer's entry in the key store's cache


def cert_dir() -> Path:
    """The folder of the registry's own CA and signing certificate."""
    return keystore.folder(keystore.CERTIFICATES)


def _pkcs12() -> tuple[Path, bytes | None] | None:
    """The configured PKCS#12 file and its passphrase, if one is configured."""
    path = str(settings.DATAIP_CERT_PKCS12_FILE or "")
    if not path:
        return None
    passfile = str(settings.DATAIP_CERT_PKCS12_PASSPHRASE_FILE or "")
    passphrase = None
    if passfile:
        lines = Path(passfile).read_text(encoding="utf-8").splitlines()
        passphrase = (lines[0] if lines else "").encode("utf-8")
    return Path(path), passphrase


def _make_own_pki() -> list[tuple[str, bytes, bool]]:
    """A new CA and the signing certificate it issues, named after the regime's registry."""
    regime = load_regime(settings.DATAIP_REGIME)
    made = make_own_pki(regime.registry_name_zh, regime.registry_name_en)
    return [
        ("ca.key", made.ca_key, True),
        ("ca.crt", made.ca_cert, False),
        ("seal.key", made.seal_key, True),
        ("seal.crt", made.seal_cert, False),  # last: marks completion
    ]


def _refuse(path: Path) -> keystore.KeyMissing | None:
    """Refuse a new CA when certificates signed by the old one exist."""
    from dataip.certificates.models import Certificate

    issued = Certificate.objects.exclude(pdf="").count()  # signed PDFs, not rows waiting for one
    if not issued:
        return None
    return keystore.KeyMissing(
        keystore.CERTIFICATES,
        path,
        f"已签署 {issued} 份证书 PDF",
        f"{issued} certificate PDF(s) were signed",
    )


def missing_own_pki() -> keystore.KeyMissing | None:
    """The refusal :func:`ensure_own_pki` would raise now (None: the CA is there, a PKCS#12
    file replaces it, or no certificate depends on it)."""
    if _pkcs12() is not None:
        return None
    marker = cert_dir() / "seal.crt"
    return None if marker.exists() else _refuse(marker)


def ensure_own_pki(*, replace_lost: bool = False) -> Path:
    """Create the own CA and signing certificate unless they exist; return their folder.

    Refused (:class:`dataip.keystore.KeyMissing`) when certificate PDFs were signed already, unless
    ``replace_lost`` (the explicit replacement after a loss).
    """
    refuse = None if replace_lost else _refuse
    return keystore.ensure(keystore.CERTIFICATES, "seal.crt", _make_own_pki, refuse=refuse)


def _load(configured: tuple[Path, bytes | None] | None) -> Any:
    """Read the signer from the PKCS#12 file, or from the own PEM files."""
    try:
        if configured:
            return load_pkcs12_signer(configured[0].read_bytes(), configured[1])
        folder = cert_dir()
        return load_pem_signer(
            (folder / "seal.key").read_bytes(),
            (folder / "seal.crt").read_bytes(),
            (folder / "ca.crt").read_bytes(),
        )
    except (SealError, OSError) as exc:
        raise ImproperlyConfigured(f"cannot load the certificate signing key: {exc}") from None


def signer() -> Any:
    """The pyHanko signer for certificates (loaded once per file version)."""
    configured = _pkcs12()
    path = configured[0] if configured else ensure_own_pki() / "seal.key"
    try:
        return keystore.load(_CACHE, [path], lambda: _load(configured))
    except OSError as exc:
        raise ImproperlyConfigured(
            f"cannot read the certificate signing key {path}: {exc}"
        ) from None


def _self_signed(certs: list[x509.Certificate]) -> list[x509.Certificate]:
    return [c for c in certs if c.issuer == c.subject]


def trust_pem() -> bytes:
    """The root certificate(s), PEM, that verifiers of the PDF signature should trust."""
    explicit = str(settings.DATAIP_CERT_CA_FILE or "")
    if explicit:
        return Path(explicit).read_bytes()
    configured = _pkcs12()
    if configured is None:
        return (ensure_own_pki() / "ca.crt").read_bytes()
    _, cert, extra = pkcs12.load_key_and_certificates(configured[0].read_bytes(), configured[1])
    chain = [c for c in [*extra, cert] if c is not None]
    roots = _self_signed(chain) or chain[-1:]
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in roots)


def timestamper() -> TsaClient | None:
    """An RFC 3161 client for the ledger's TSA (``DATAIP_TSA_URL``), or None."""
    url = timestamps.tsa_url()
    return TsaClient(url, timeout=float(settings.DATAIP_TSA_TIMEOUT)) if url else None
