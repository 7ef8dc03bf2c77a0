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

    ``code`` is a stable identifier (safe to store and to switch on);
    ``message`` is a human-readable explanation naming what failed.
    """

    code: str = "verification_error"

    def __init__(self, message: str) -> None:
        """Create the error with a human-readable ``message``."""
        super().__init__(message)
        self.message = message

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
