"""Trust lists (互认名单): the peer registries whose evidence a registry or a verifier accepts.

Regional registries run on the same code; each can recognise another region's bundles and
certificates when its trust list names that region's log and witnesses. A trust list is a text
file of blocks, one per registry, each a witness policy (:mod:`.witness_policy`) headed by the
registry's log origin::

    registry <origin>
    log <vkey of that log>                  at least one; its key name is the origin
    witness <name> <cosignature vkey>       that registry's witnesses...
    quorum <name>|none                      ...and how many must have cosigned

:meth:`TrustList.policy_for` returns the policy for a checkpoint's origin; the log keys in it
are what ``dataip verify --trust-list`` checks the log signature with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import MalformedInput, UnknownKey
from .witness_policy import WitnessPolicy, _Parser

__all__ = ["TrustList"]


@dataclass(frozen=True)
class TrustList:
    """Peer registries by log origin, each with its log keys and witness policy."""

    registries: Mapping[str, WitnessPolicy]

    @classmethod
    def parse(cls, text: str) -> TrustList:
        """Parse the file; raise :class:`MalformedInput` naming the line."""
        registries: dict[str, WitnessPolicy] = {}
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
            if words and words[0] == "registry":
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
        return cls(registries)

    def policy_for(self, origin: str) -> WitnessPolicy:
        """The policy of the registry with log ``origin``; :class:`UnknownKey` if not listed."""
        found = self.registries.get(origin)
        if found is None:
            raise UnknownKey(f"the log {origin!r} is not on the trust list")
        return found

    def log_vkeys(self) -> list[str]:
        """Every log key of every listed registry."""
        return [key.vkey for policy in self.registries.values() for key in policy.logs]
