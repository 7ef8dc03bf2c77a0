"""Ed25519 keys for C2SP signed notes (type 0x01) and cosignature/v1 (type 0x04).

Key ID (C2SP signed-note §Signatures): ``SHA-256(name || 0x0A || type || pub32)[:4]``.
Verifier keys (vkeys): ``<name>+<8 hex key ID>+base64(type || pub32)``. Signer
keys (skeys, a golang.org/x/mod convention, not C2SP):
``PRIVATE+KEY+<name>+<8 hex key ID>+base64(type || seed32)``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from typing import ClassVar, Protocol, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ._encoding import b64decode_strict, b64encode, has_control_chars, has_space
from .errors import BadSignature, MalformedInput

ED25519_TYPE = 0x01
COSIGNATURE_V1_TYPE = 0x04
MAX_TIMESTAMP = (1 << 63) - 1
_HEX_ID_RE = re.compile(r"[0-9a-f]{8}")
_SKEY_PREFIX = "PRIVATE+KEY+"


class NoteSigner(Protocol):
    """Anything that can add a signature line to a signed note."""

    @property
    def name(self) -> str:
        """The key name written on the signature line."""

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID."""

    def sign(self, text: bytes) -> bytes:
        """Return the signature bytes (without the key ID) over the note text."""


class NoteVerifier(Protocol):
    """Anything that can check a signature line of a signed note."""

    @property
    def name(self) -> str:
        """The key name expected on the signature line."""

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID."""

    def verify(self, text: bytes, signature: bytes) -> int | None:
        """Check ``signature``; return its timestamp if it has one, raise :class:`BadSignature`."""


def is_valid_key_name(name: str) -> bool:
    """C2SP signed-note: non-empty, no Unicode space, no '+', no control characters."""
    if not name or "+" in name or has_control_chars(name):
        return False
    if has_space(name):
        return False
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_key_name(name: str) -> None:
    """Raise :class:`MalformedInput` if ``name`` is not a valid key name."""
    if not isinstance(name, str) or not is_valid_key_name(name):
        raise MalformedInput(f"invalid key name {name!r}: must be non-empty, no spaces, no '+'")


def compute_key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """``SHA-256(name || 0x0A || type || public key)[:4]`` (C2SP signed-note)."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()[:4]


def _split_key(text: str, what: str) -> tuple[str, bytes, int, bytes]:
    """Split ``name+hexid+base64(type||key)`` on the first two '+' only."""
    name, sep1, rest = text.partition("+")
    hex_id, sep2, b64 = rest.partition("+")
    if not sep1 or not sep2:
        raise MalformedInput(f"{what}: expected <name>+<hex key id>+<base64 key>")
    check_key_name(name)
    if not _HEX_ID_RE.fullmatch(hex_id):
        raise MalformedInput(f"{what}: key ID {hex_id[:16]!r} is not 8 lowercase hex digits")
    data = b64decode_strict(b64, f"{what} key material")
    if len(data) < 2:
        raise MalformedInput(f"{what}: key material is too short ({len(data)} bytes)")
    return name, bytes.fromhex(hex_id), data[0], data[1:]


class _Ed25519Verifier:
    """Shared parts of the two Ed25519 verifier types."""

    sig_type: ClassVar[int]

    def __init__(self, name: str, public_key: bytes) -> None:
        """Verifier for key ``name`` with 32-byte Ed25519 ``public_key``."""
        check_key_name(name)
        if len(public_key) != 32:
            raise MalformedInput(f"Ed25519 public key must be 32 bytes, got {len(public_key)}")
        try:
            self._key = Ed25519PublicKey.from_public_bytes(bytes(public_key))
        except ValueError as exc:
            raise MalformedInput(f"invalid Ed25519 public key for {name}: {exc}") from None
        self._name = name
        self._public_key = bytes(public_key)
        self._key_id = compute_key_id(name, self.sig_type, self._public_key)

    @classmethod
    def from_vkey(cls: type[_V], vkey: str) -> _V:
        """Parse a C2SP vkey string, checking the type byte and the key ID."""
        name, key_id, sig_type, public_key = _split_key(vkey, "vkey")
        if sig_type != cls.sig_type:
            raise MalformedInput(f"vkey type 0x{sig_type:02x} is not 0x{cls.sig_type:02x}")
        verifier = cls(name, public_key)
        if verifier.key_id != key_id:
            raise MalformedInput(f"vkey key ID {key_id.hex()} does not match the key")
        return verifier

    @property
    def name(self) -> str:
        """Key name."""
        return self._name

    @property
    def key_id(self) -> bytes:
        """4-byte key ID."""
        return self._key_id

    @property
    def public_key(self) -> bytes:
        """Raw 32-byte Ed25519 public key."""
        return self._public_key

    @property
    def vkey(self) -> str:
        """The C2SP verifier key string."""
        data = b64encode(bytes([self.sig_type]) + self._public_key)
        return f"{self._name}+{self._key_id.hex()}+{data}"

    def __repr__(self) -> str:
        """Show the vkey."""
        return f"{type(self).__name__}({self.vkey!r})"

    def verify(self, text: bytes, signature: bytes) -> int | None:
        """Check ``signature`` over the note ``text`` (implemented by subclasses)."""
        raise NotImplementedError

    def _check(self, message: bytes, signature: bytes) -> None:
        """Verify a raw 64-byte Ed25519 signature, raising :class:`BadSignature`."""
        label = f"{self._name}+{self._key_id.hex()}"
        if len(signature) != 64:
            raise BadSignature(f"signature by {label} has {len(signature)} bytes, not 64")
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            raise BadSignature(f"signature by {label} does not verify") from None


_V = TypeVar("_V", bound=_Ed25519Verifier)


class Ed25519Verifier(_Ed25519Verifier):
    """Verifier for Ed25519 note signatures, type 0x01 (C2SP signed-note)."""

    sig_type = ED25519_TYPE

    def verify(self, text: bytes, signature: bytes) -> int | None:
        """Verify ``signature`` over the note ``text``; return ``None`` (no timestamp)."""
        self._check(text, signature)
        return None


def cosignature_message(text: bytes, timestamp: int) -> bytes:
    """Signed message of an Ed25519 cosignature/v1 (C2SP tlog-cosignature)."""
    return b"cosignature/v1\ntime %d\n" % timestamp + text


class CosignatureVerifier(_Ed25519Verifier):
    """Verifier for Ed25519 ``cosignature/v1`` witness cosignatures, type 0x04."""

    sig_type = COSIGNATURE_V1_TYPE

    def verify(self, text: bytes, signature: bytes) -> int | None:
        """Verify a ``timestamp(8) || sig(64)`` cosignature; return the timestamp."""
        if len(signature) != 72:
            raise BadSignature(f"cosignature by {self.name} has {len(signature)} bytes, not 72")
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            raise BadSignature(f"cosignature by {self.name} has timestamp above 2^63-1")
        self._check(cosignature_message(text, timestamp), signature[8:])
        return timestamp


class _Ed25519Signer:
    """Shared parts of the two Ed25519 signer types."""

    sig_type: ClassVar[int]

    def __init__(self, name: str, seed: bytes) -> None:
        """Signer for key ``name`` from a 32-byte Ed25519 seed (RFC 8032 private key)."""
        check_key_name(name)
        if len(seed) != 32:
            raise MalformedInput(f"Ed25519 seed must be 32 bytes, got {len(seed)}")
        self._name = name
        self._seed = bytes(seed)
        self._private = Ed25519PrivateKey.from_private_bytes(self._seed)
        pub = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._public_key = pub
        self._key_id = compute_key_id(name, self.sig_type, pub)

    @classmethod
    def generate(cls: type[_S], name: str) -> _S:
        """Create a signer with a fresh random seed."""
        return cls(name, secrets.token_bytes(32))

    @classmethod
    def from_skey(cls: type[_S], skey: str) -> _S:
        """Parse ``PRIVATE+KEY+<name>+<hex id>+base64(type || seed)`` (Go x/mod)."""
        if not skey.startswith(_SKEY_PREFIX):
            raise MalformedInput("skey must start with PRIVATE+KEY+")
        name, key_id, sig_type, seed = _split_key(skey[len(_SKEY_PREFIX) :], "skey")
        if sig_type != cls.sig_type:
            raise MalformedInput(f"skey type 0x{sig_type:02x} is not 0x{cls.sig_type:02x}")
        signer = cls(name, seed)
        if signer.key_id != key_id:
            raise MalformedInput(f"skey key ID {key_id.hex()} does not match the key")
        return signer

    @property
    def name(self) -> str:
        """Key name."""
        return self._name

    @property
    def key_id(self) -> bytes:
        """4-byte key ID."""
        return self._key_id

    @property
    def skey(self) -> str:
        """The secret key string (keep it secret)."""
        data = b64encode(bytes([self.sig_type]) + self._seed)
        return f"{_SKEY_PREFIX}{self._name}+{self._key_id.hex()}+{data}"

    @property
    def vkey(self) -> str:
        """The matching C2SP verifier key string."""
        return self.verifier().vkey

    def verifier(self) -> _Ed25519Verifier:
        """The matching verifier."""
        raise NotImplementedError

    def __repr__(self) -> str:
        """Show the public vkey only, never the seed."""
        return f"{type(self).__name__}({self.vkey!r})"


_S = TypeVar("_S", bound=_Ed25519Signer)


class Ed25519Signer(_Ed25519Signer):
    """Signer for Ed25519 note signatures, type 0x01 (C2SP signed-note)."""

    sig_type = ED25519_TYPE

    def sign(self, text: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of the note text."""
        return self._private.sign(text)

    def verifier(self) -> Ed25519Verifier:
        """The matching verifier."""
        return Ed25519Verifier(self.name, self._public_key)


class Cosigner(_Ed25519Signer):
    """Witness signer for Ed25519 ``cosignature/v1``, type 0x04 (C2SP tlog-cosignature).

    ``timestamp`` fixes the POSIX time written into signatures; if ``None``
    the current time is used at each signing.
    """

    sig_type = COSIGNATURE_V1_TYPE

    def __init__(self, name: str, seed: bytes, *, timestamp: int | None = None) -> None:
        """Cosigner for ``name`` from a 32-byte seed, optionally with a fixed timestamp."""
        super().__init__(name, seed)
        if timestamp is not None and not 0 <= timestamp <= MAX_TIMESTAMP:
            raise MalformedInput(f"cosignature timestamp {timestamp} out of range")
        self.timestamp = timestamp

    def sign(self, text: bytes) -> bytes:
        """Return ``uint64 BE timestamp || Ed25519 signature`` (72 bytes)."""
        ts = int(time.time()) if self.timestamp is None else self.timestamp
        return ts.to_bytes(8, "big") + self._private.sign(cosignature_message(text, ts))

    def verifier(self) -> CosignatureVerifier:
        """The matching verifier."""
        return CosignatureVerifier(self.name, self._public_key)


def verifier_from_vkey(vkey: str) -> NoteVerifier:
    """Parse a vkey of any supported type (0x01 Ed25519, 0x04 cosignature/v1)."""
    _, _, sig_type, _ = _split_key(vkey, "vkey")
    if sig_type == ED25519_TYPE:
        return Ed25519Verifier.from_vkey(vkey)
    if sig_type == COSIGNATURE_V1_TYPE:
        return CosignatureVerifier.from_vkey(vkey)
    raise MalformedInput(f"vkey signature type 0x{sig_type:02x} is not supported")
