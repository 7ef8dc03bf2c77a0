"""Exceptions raised by :mod:`dataip.evidence`.

Every verification failure raises a subclass of :class:`VerificationError`.
Callers (HTTP APIs, CLIs, PDF report generators) can rely on the stable
machine-readable :attr:`VerificationError.code` and show ``str(exc)`` to
humans; the message always names what failed.
"""

from __future__ import annotations

__all__ = [
    "BadSignature",
    "MalformedInput",
    "ProofError",
    "UnexpectedOrigin",
    "UnknownKey",
    "VerificationError",
]


class VerificationError(Exception):
    """Base class: some piece of evidence could not be verified.

    The one base of every verification failure: of evidence bundles and deposit receipts here,
    of certificates in :mod:`dataip.certificates.errors`. ``code`` is a stable identifier (safe
    to store and to switch on); ``step`` names the check that failed (empty until a verifier
    tags it); ``message`` is a human-readable explanation naming what failed; :meth:`explain`
    says it in plain words for people who are not cryptographers.
    """

    code: str = "verification_error"
    step: str = ""
    #: Plain words for the person checking: (Chinese, English).
    plain: tuple[str, str] = ("证据未通过验证。", "The evidence did not verify.")

    def __init__(self, message: str) -> None:
        """Create the error with a human-readable ``message``."""
        super().__init__(message)
        self.message = message

    def explain(self, lang: str = "en") -> str:
        """The reason in plain words (``lang`` is ``"zh"`` or ``"en"``), with the details."""
        zh, en = self.plain
        return f"{zh}（{self.message}）" if lang == "zh" else f"{en} ({self.message})"

    def __repr__(self) -> str:
        """Show the class, the code and the message."""
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class MalformedInput(VerificationError):
    """Input is syntactically invalid (bad base64, bad line, wrong length, ...)."""

    code = "malformed_input"


class BadSignature(VerificationError):
    """A signature from a known key did not verify (C2SP signed-note §Signatures)."""

    code = "bad_signature"


class UnknownKey(VerificationError):
    """No signature from any trusted key was found on a note."""

    code = "unknown_key"


class ProofError(VerificationError):
    """A Merkle inclusion or consistency proof failed (RFC 9162 §2.1.3, §2.1.4)."""

    code = "proof_error"


class UnexpectedOrigin(VerificationError):
    """A checkpoint is from another log than expected (C2SP tlog-checkpoint origin)."""

    code = "unexpected_origin"
