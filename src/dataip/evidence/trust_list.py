"""Trust lists (互认名单): the peer registries whose evidence a registry or a verifier accepts.

Regional registries run on the same code; each can recognise another region's bundles and
certificates when its trust list names that region's log and witnesses. A trust list is a text
file of blocks, one per registry, each a witness policy (:mod:`.witness_policy`) headed by the
registry's log origin::

    registry <origin>
    log <vkey of that log>                  at least one; its key name is the origin
    witness <name> <cosignature vkey>       that registry's witnesses...
    quorum <name>|none                      ...and how many must have cosigned
    ca <file>                               optional: that registry's certificate CA (PEM),
                                            a path relative to the trust-list file

:meth:`TrustList.policy_for` returns the policy for a checkpoint's origin; the log keys in it
are what ``dataip verify --trust-list`` checks the log signature with. :meth:`TrustList.load`
reads the file and each ``ca`` file; :func:`recognise_bundle` tells which registry (own or
listed) a bundle comes from and whether its witness policy was met.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .bundle import VerifiedBundle, verify_bundle
from .errors import MalformedInput, UnknownKey
from .witness_policy import WitnessPolicy, _Parser, check_policy

__all__ = ["Recognised", "TrustList", "recognise_bundle"]

_PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"


@dataclass(frozen=True)
class TrustList:
    """Peer registries by log origin, each with its log keys and witness policy."""

    registries: Mapping[str, WitnessPolicy]
    #: ``ca`` lines: the file named for each registry that has one, as written.
    ca_files: Mapping[str, str] = field(default_factory=dict)
    #: The PEM text of those files, once :meth:`load` has read them.
    ca_pems: Mapping[str, bytes] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> TrustList:
        """Read and parse the file at ``path`` and each ``ca`` file (relative to its folder);
        raise :class:`MalformedInput` naming what is wrong."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise MalformedInput(f"trust list {path}: cannot be read ({exc})") from None
        parsed = cls.parse(text)
        pems: dict[str, bytes] = {}
        for origin, name in parsed.ca_files.items():
            where = path.parent / name
            try:
                pem = where.read_bytes()
            except OSError as exc:
                raise MalformedInput(
                    f"trust list: the CA file of {origin!r} cannot be read ({exc})"
                ) from None
            if _PEM_CERTIFICATE not in pem:
                raise MalformedInput(
                    f"trust list: the CA file of {origin!r} ({name}) holds no PEM certificate"
                )
            pems[origin] = pem
        return cls(parsed.registries, parsed.ca_files, pems)

    @classmethod
    def parse(cls, text: str) -> TrustList:
        """Parse the file; raise :class:`MalformedInput` naming the line."""
        registries: dict[str, WitnessPolicy] = {}
        cas: dict[str, str] = {}
        origin: str | None = None
        block: list[str] = []
        start = 1

        def close() -> None:
            if origin is None:
                if any(line.split("#", 1)[0].strip() for line in block):
                    raise MalformedInput("trust list line 1: expected 'registry <origin>' first")
                return
            policy = _Parser().parse(block, start)
            if not policy.logs:
                raise MalformedInput(f"trust list: registry {origin!r} has no 'log' key")
            for key in policy.logs:
                if key.name != origin:
                    raise MalformedInput(
                        f"trust list: the log key {key.vkey} is not named {origin!r}"
                    )
            registries[origin] = policy

        for number, raw in enumerate(text.splitlines(), 1):
            words = raw.split("#", 1)[0].split()
            if words and words[0] == "ca":
                if origin is None:
                    raise MalformedInput(f"trust list line {number}: 'ca' outside a registry")
                if len(words) != 2:
                    raise MalformedInput(f"trust list line {number}: expected 'ca <file>'")
                if origin in cas:
                    raise MalformedInput(f"trust list line {number}: a second 'ca' line")
                cas[origin] = words[1]
                block.append("")  # keep the line numbers of the policy parser
            elif words and words[0] == "registry":
                close()
                if len(words) != 2:
                    raise MalformedInput(f"trust list line {number}: expected 'registry <origin>'")
                origin, block, start = words[1], [], number + 1
                if origin in registries:
                    raise MalformedInput(
                        f"trust list line {number}: registry {origin!r} is listed twice"
                    )
            else:
                block.append(raw)
        close()
        return cls(registries, cas)

    def policy_for(self, origin: str) -> WitnessPolicy:
        """The policy of the registry with log ``origin``; :class:`UnknownKey` if not listed."""
        found = self.registries.get(origin)
        if found is None:
            raise UnknownKey(f"the log {origin!r} is not on the trust list")
        return found

    def log_vkeys(self) -> list[str]:
        """Every log key of every listed registry."""
        return [key.vkey for policy in self.registries.values() for key in policy.logs]

    def ca_pem(self) -> bytes:
        """The CA certificates of every listed registry that has a ``ca`` line, concatenated."""
        return b"".join(self.ca_pems.values())


@dataclass(frozen=True)
class Recognised:
    """A verified bundle and who issued it: ``peer`` is False for the verifier's own registry;
    ``cosigners`` is the witnesses that cosigned under a listed registry's policy."""

    bundle: VerifiedBundle
    peer: bool
    cosigners: tuple[str, ...] = ()
    policy_checked: bool = False

    @property
    def origin(self) -> str:
        """The log origin of the registry that issued the evidence."""
        return self.bundle.origin


def recognise_bundle(
    data: bytes,
    own_vkeys: Sequence[str],
    trusted: TrustList | None,
    *,
    tsa_ca_pem: bytes | None = None,
) -> Recognised:
    """Verify a bundle against the own log keys, then (if not ours) the trust list's, and
    check a listed registry's witness policy. Raises :class:`VerificationError` (the last
    reason) if no key verifies it or the policy is not met."""
    if own_vkeys:
        try:
            return Recognised(verify_bundle(data, list(own_vkeys), tsa_ca_pem=tsa_ca_pem), False)
        except UnknownKey:  # not our log: perhaps a listed registry's
            if trusted is None or not trusted.registries:
                raise
    if trusted is None or not trusted.registries:
        raise UnknownKey("no trusted log key")
    verified = verify_bundle(data, trusted.log_vkeys(), tsa_ca_pem=tsa_ca_pem)
    names = check_policy(verified.checkpoint_note, trusted.policy_for(verified.origin))
    return Recognised(verified, True, tuple(names), True)
