"""Why a certificate did not verify (证书验证失败的原因). Pure Python: no Django.

Every failure raises a subclass of the evidence core's one base,
:class:`~dataip.evidence.errors.VerificationError`, with a stable ``code``, the ``step`` that
failed and an English ``message`` with the details;
:meth:`~dataip.evidence.errors.VerificationError.explain` gives a plain-words reason in
Simplified Chinese or English for people who are not cryptographers.
"""

from __future__ import annotations

from dataip.evidence.errors import VerificationError

__all__ = [
    "STEPS",
    "ContentMismatch",
    "EvidenceInvalid",
    "MalformedPdf",
    "MissingEvidence",
    "ModifiedAfterSigning",
    "NotWholeFileSigned",
    "QrPayloadInvalid",
    "SignatureInvalid",
    "Unsigned",
    "UntrustedSigner",
]

#: The checks of :func:`dataip.certificates.verify.verify_certificate_pdf`, in order.
STEPS = ("pdf", "signature", "signer", "modified", "attachments", "evidence", "content", "qr")


class MalformedPdf(VerificationError):
    """The file is not a readable PDF, is too large, or carries no signature at all."""

    code = "malformed_pdf"
    step = "pdf"
    plain = ("文件不是可读取的证书PDF。", "The file is not a readable certificate PDF.")


class Unsigned(VerificationError):
    """The PDF carries no registry signature at all: it is not a certificate of this registry."""

    code = "unsigned"
    step = "signature"
    plain = (
        "文件没有本登记机构的数字签名：不是本机构签发的证书。",
        "The file carries no signature of this registry: it is not a certificate issued here.",
    )


class SignatureInvalid(VerificationError):
    """The PDF signature does not verify: the signed bytes were changed, or it is forged."""

    code = "signature_invalid"
    step = "signature"
    plain = (
        "数字签名无效：文件在签名后被改动，或签名是伪造的。",
        "The digital signature is invalid: the file was changed after signing, or the "
        "signature is forged.",
    )


class UntrustedSigner(VerificationError):
    """The signature is sound but its certificate does not chain to the registry's CA."""

    code = "untrusted_signer"
    step = "signer"
    plain = (
        "签名人不是本登记机构：该证书不是本机构签发的。",
        "The signer is not this registry: the certificate was not issued here.",
    )


class ModifiedAfterSigning(VerificationError):
    """Something other than signature upkeep was added to the PDF after it was signed."""

    code = "modified_after_signing"
    step = "modified"
    plain = (
        "文件在签名后被追加修改。",
        "The file was modified after it was signed.",
    )


class NotWholeFileSigned(VerificationError):
    """Bytes follow the signed range: the signature does not cover the whole file.

    ``pdfsig`` (poppler) reports such a file as "Not total document signed"; whatever the
    bytes are (garbage, or an update pyHanko would call harmless), the file is not genuine.
    """

    code = "not_whole_file_signed"
    step = "modified"
    plain = (
        "签名没有覆盖整个文件：签名之后文件又被追加了内容（pdfsig 显示"
        "“Not total document signed”），不是真实的证书。",
        "The signature does not cover the whole file: bytes were appended after signing "
        "(pdfsig shows “Not total document signed”); the file is not genuine.",
    )


class MissingEvidence(VerificationError):
    """An attachment the certificate must carry (data, evidence bundle, QR payload) is absent."""

    code = "missing_evidence"
    step = "attachments"
    plain = (
        "证书缺少内嵌的证据文件。",
        "The certificate lacks an embedded evidence file.",
    )


class EvidenceInvalid(VerificationError):
    """The embedded evidence bundle does not prove the certificate's ledger entry."""

    code = "evidence_invalid"
    step = "evidence"
    plain = (
        "内嵌的证据包未通过验证（账本签名或包含证明无效）。",
        "The embedded evidence bundle did not verify (ledger signature or inclusion proof).",
    )


class ContentMismatch(VerificationError):
    """The certificate data does not match its ledger entry or its QR payload."""

    code = "content_mismatch"
    step = "content"
    plain = (
        "证书内容与账本记录不一致。",
        "The certificate's content does not match the ledger record.",
    )


class QrPayloadInvalid(VerificationError):
    """The QR payload is malformed, not signed by the registry, or names another certificate."""

    code = "qr_payload_invalid"
    step = "qr"
    plain = (
        "二维码载荷无效或未经本登记机构签名。",
        "The QR payload is invalid or not signed by this registry.",
    )
