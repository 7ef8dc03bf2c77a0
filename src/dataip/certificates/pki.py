"""The registry's PDF-signing identity (签章证书): its own CA, or real certificates by setting.

Without configuration, the first use creates in ``settings.DATAIP_CERT_DIR`` (default
``<data folder>/certificates``):

* ``ca.key`` (mode 0600) and ``ca.crt`` -- the registry's root CA;
* ``seal.key`` (mode 0600) and ``seal.crt`` -- the signing certificate the CA issued.

``DATAIP_CERT_PKCS12_FILE`` (+ ``DATAIP_CERT_PKCS12_PASSPHRASE_FILE``) replaces them with a
real key and certificate chain. Verifiers trust :func:`trust_pem`: ``DATAIP_CERT_CA_FILE`` if
set, else the own CA, else the self-signed root of the PKCS#12 chain.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dataip.certificates._x509 import make_own_pki
from dataip.certificates.seal import SealError, TsaClient, load_pem_signer, load_pkcs12_signer
from dataip.ledger import timestamps
from dataip.registry.regimes import load_regime

_cache: dict[tuple[str, int], Any] = {}
_lock = threading.Lock()


def cert_dir() -> Path:
    """The folder of the registry's own CA and signing certificate."""
    return Path(settings.DATAIP_CERT_DIR)


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


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write ``path`` atomically with ``mode`` (the folder is locked by the caller)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def ensure_own_pki() -> Path:
    """Create the own CA and signing certificate unless they exist; return their folder."""
    folder = cert_dir()
    if (folder / "seal.crt").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be creating them right now
        if not (folder / "seal.crt").exists():
            regime = load_regime(settings.DATAIP_REGIME)
            made = make_own_pki(regime.registry_name_zh, regime.registry_name_en)
            _write(folder / "ca.key", made.ca_key, 0o600)
            _write(folder / "ca.crt", made.ca_cert, 0o644)
            _write(folder / "seal.key", made.seal_key, 0o600)
            _write(folder / "seal.crt", made.seal_cert, 0o644)  # last: marks completion
    return folder


def _source() -> tuple[str, int]:
    """What the signer is loaded from, and its modification time (the cache key)."""
    configured = _pkcs12()
    path = configured[0] if configured else ensure_own_pki() / "seal.key"
    try:
        return str(path), path.stat().st_mtime_ns
    except OSError as exc:
        raise ImproperlyConfigured(
            f"cannot read the certificate signing key {path}: {exc}"
        ) from None


def signer() -> Any:
    """The pyHanko signer for certificates (loaded once per file version)."""
    key = _source()
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        configured = _pkcs12()
        try:
            if configured:
                loaded = load_pkcs12_signer(configured[0].read_bytes(), configured[1])
            else:
                folder = cert_dir()
                loaded = load_pem_signer(
                    (folder / "seal.key").read_bytes(),
                    (folder / "seal.crt").read_bytes(),
                    (folder / "ca.crt").read_bytes(),
                )
        except (SealError, OSError) as exc:
            raise ImproperlyConfigured(f"cannot load the certificate signing key: {exc}") from None
        _cache.clear()
        _cache[key] = loaded
        return loaded


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
