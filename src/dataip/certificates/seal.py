"""Attachments and the PDF signature (电子签章): PAdES with pyHanko, as design note §3.2 says.

:func:`seal_pdf` embeds the attachments (before signing, so the signature covers them), adds
a certification signature (DocMDP: no changes allowed) in the seal area, and signs with the
registry's X.509 signing key: PAdES B-B, or B-T when a :class:`TsaClient` gives an RFC 3161
timestamp. The signature covers the whole file, so ``pdfsig`` reports "Total document signed".
Pure Python: no Django.
"""

from __future__ import annotations

import asyncio
import io
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from asn1crypto import tsp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import embed
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.stamp import NoOpStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .render import SEAL_BOX

__all__ = [
    "FIELD_NAME",
    "Attachment",
    "SealError",
    "TsaClient",
    "load_pem_signer",
    "load_pkcs12_signer",
    "seal_pdf",
]

FIELD_NAME = "RegistrySeal"
MAX_TSA_REPLY = 1 << 20
_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}


class SealError(Exception):
    """The PDF could not be signed (bad key material, TSA failure...)."""


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the certificate PDF."""

    name: str
    data: bytes
    mime_type: str
    description: str


class _Signer(signers.SimpleSigner):
    """pyHanko's SimpleSigner, but the private key is parsed once, not at every signature.

    (pyHanko re-parses the key for each raw signature, twice per PDF; for RSA that check of the
    key dominates the cost of signing.)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._key = serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        try:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:  # a mechanism asn1crypto cannot name: leave it to pyHanko
            mechanism = ""
        algorithm, key = _HASHES.get(digest_algorithm), self._key
        if algorithm is not None:
            if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
                return key.sign(data, padding.PKCS1v15(), algorithm)
            if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
                return key.sign(data, ec.ECDSA(algorithm))
        return super().sign_raw(data, digest_algorithm)


def load_pem_signer(key_pem: bytes, cert_pem: bytes, chain_pem: bytes = b"") -> Any:
    """A pyHanko signer from a PEM private key, its certificate and the CA chain (PEM)."""
    try:
        key = load_private_key_from_pemder_data(key_pem, passphrase=None)
        (cert,) = list(load_certs_from_pemder_data(cert_pem))
        chain = list(load_certs_from_pemder_data(chain_pem)) if chain_pem else []
    except (ValueError, TypeError) as exc:
        raise SealError(f"cannot load the signing key or certificate: {exc}") from None
    return _Signer(
        signing_cert=cert,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
    )


def load_pkcs12_signer(data: bytes, passphrase: bytes | None) -> Any:
    """A pyHanko signer from a PKCS#12 file (key, certificate and chain)."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError as exc:
        raise SealError(f"cannot open the PKCS#12 file: {exc}") from None
    if key is None or cert is None:
        raise SealError("the PKCS#12 file holds no private key and certificate")
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in extra)
    return load_pem_signer(key_pem, cert.public_bytes(serialization.Encoding.PEM), chain)


class TsaClient(TimeStamper):
    """An RFC 3161 client over plain ``urllib`` (the ledger's TSA, ``DATAIP_TSA_URL``)."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise SealError(f"TSA URL must be http(s): {url!r}")
        super().__init__()  # type: ignore[no-untyped-call]
        self.url = url
        self.timeout = timeout

    def _post(self, query: bytes) -> bytes:
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.url,
            data=query,
            headers={"Content-Type": "application/timestamp-query"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310
                kind = reply.headers.get("Content-Type", "")
                body = reply.read(MAX_TSA_REPLY + 1)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            if isinstance(exc, urllib.error.HTTPError):
                exc.close()  # it holds the connection; left open, it leaks the socket
            raise TimestampRequestError(f"TSA {self.url} did not answer: {exc}") from None
        if kind != "application/timestamp-reply" or len(body) > MAX_TSA_REPLY:
            raise TimestampRequestError(f"TSA {self.url} sent no timestamp reply")
        return bytes(body)

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """Send the request (in a worker thread, so the event loop is not blocked)."""
        body = await asyncio.to_thread(self._post, req.dump())
        return tsp.TimeStampResp.load(body)


def _embed(writer: Any, attachments: Iterable[Attachment]) -> None:
    for item in attachments:
        data = embed.EmbeddedFileObject.from_file_data(
            writer, data=item.data, mime_type=item.mime_type
        )
        spec = embed.FileSpec(
            file_spec_string=item.name,
            file_name=item.name,
            embedded_data=data,
            description=item.description,
        )
        embed.embed_file(writer, spec)


def seal_pdf(
    pdf: bytes,
    attachments: Sequence[Attachment],
    signer: Any,
    *,
    timestamper: TsaClient | None = None,
    reason: str = "Certificate issued / 证书签发",
    location: str = "",
) -> bytes:
    """Embed ``attachments`` in ``pdf`` and sign it (certification signature, no changes
    permitted afterwards, SHA-256). With ``timestamper`` the signature carries an RFC 3161
    timestamp (PAdES B-T). Raises :class:`SealError`."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    _embed(writer, attachments)
    x1, y1, x2, y2 = (int(v) for v in SEAL_BOX)
    fields.append_signature_field(
        writer, fields.SigFieldSpec(FIELD_NAME, box=(x1, y1, x2, y2), on_page=0)
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        reason=reason,
        location=location or None,
    )
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, timestamper=timestamper, stamp_style=NoOpStampStyle()
    )
    output = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, output=output)
    except TimestampRequestError as exc:
        raise SealError(f"the TSA failed: {exc}") from None
    return output.getvalue()
