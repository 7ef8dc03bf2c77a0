"""Witness policies (见证策略): which cosignatures a checkpoint needs before a verifier trusts it.

A policy is a small text file, modelled on the sigsum policy format (one statement a line,
``#`` starts a comment, names are local to the file)::

    log <log vkey> [<url>]                    the log's key(s) (optional; repeatable)
    witness <name> <cosignature vkey> [<url>] a witness and its cosignature/v1 key (type 0x04)
    group <name> <k>|all|any <member>...      satisfied when k of the members are
    quorum <name>|none                        the witness or group that must be satisfied

Every name is defined before it is used, once. Without a ``quorum`` line the policy asks for
nothing (``quorum none``). :func:`check_policy` verifies the cosignatures on a checkpoint note
and says which witnesses cosigned, or raises :class:`QuorumNotMet`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .errors import MalformedInput, UnknownKey, VerificationError
from .note import CosignatureVerifier, Ed25519Verifier, open_note

__all__ = ["Group", "QuorumNotMet", "WitnessPolicy", "check_policy", "cosigned_by"]


class QuorumNotMet(VerificationError):
    """A checkpoint lacks the witness cosignatures its policy requires."""

    code = "witness_quorum"
    plain = (
        "检查点缺少见证方的足够联署，无法排除分叉（不同人看到不同的账本）。",
        "The checkpoint lacks the witness cosignatures the policy requires, so a split view "
        "(different people shown different logs) is not ruled out.",
    )


@dataclass(frozen=True)
class Group:
    """``k`` of ``members`` (witness or group names) must be satisfied."""

    name: str
    threshold: int
    members: tuple[str, ...]


@dataclass(frozen=True)
class WitnessPolicy:
    """A parsed policy: log keys, witnesses by name, groups by name, and the quorum."""

    logs: tuple[Ed25519Verifier, ...] = ()
    witnesses: Mapping[str, CosignatureVerifier] = field(default_factory=dict)
    groups: Mapping[str, Group] = field(default_factory=dict)
    quorum: str | None = None
    urls: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> WitnessPolicy:
        """Parse the policy text; raise :class:`MalformedInput` naming the line."""
        return _Parser().parse(text.splitlines(), 1)

    def satisfied(self, cosigned: Iterable[str]) -> bool:
        """Whether witnesses named ``cosigned`` satisfy the quorum."""
        if self.quorum is None:
            return True
        done = set(cosigned)
        return self._satisfied(self.quorum, done)

    def _satisfied(self, name: str, done: set[str]) -> bool:
        if name in self.witnesses:
            return name in done
        group = self.groups[name]
        return sum(self._satisfied(m, done) for m in group.members) >= group.threshold


class _Parser:
    """One pass over the lines; names must be defined before use."""

    def __init__(self) -> None:
        self.logs: list[Ed25519Verifier] = []
        self.witnesses: dict[str, CosignatureVerifier] = {}
        self.groups: dict[str, Group] = {}
        self.urls: dict[str, str] = {}
        self.quorum: str | None = None
        self.has_quorum = False

    def parse(self, lines: Iterable[str], first: int) -> WitnessPolicy:
        for number, raw in enumerate(lines, first):
            line = raw.split("#", 1)[0].split()
            if line:
                self.statement(line, number)
        return self.result()

    def result(self) -> WitnessPolicy:
        return WitnessPolicy(
            tuple(self.logs), dict(self.witnesses), dict(self.groups), self.quorum, self.urls
        )

    def statement(self, words: list[str], number: int) -> None:
        keyword, args = words[0], words[1:]
        where = f"policy line {number}"
        try:
            if keyword == "log" and len(args) in (1, 2):
                self.logs.append(Ed25519Verifier.from_vkey(args[0]))
            elif keyword == "witness" and len(args) in (2, 3):
                self._fresh(args[0], where)
                self.witnesses[args[0]] = CosignatureVerifier.from_vkey(args[1])
                if len(args) == 3:
                    self.urls[args[0]] = args[2]
            elif keyword == "group" and len(args) >= 3:
                self._group(args, where)
            elif keyword == "quorum" and len(args) == 1:
                self._quorum(args[0], where)
            else:
                raise MalformedInput(f"{where}: cannot read {' '.join(words)[:80]!r}")
        except MalformedInput as exc:
            if exc.message.startswith(where):
                raise
            raise MalformedInput(f"{where}: {exc.message}") from None

    def _fresh(self, name: str, where: str) -> None:
        if name in self.witnesses or name in self.groups or name == "none":
            raise MalformedInput(f"{where}: the name {name!r} is already defined")

    def _known(self, name: str, where: str) -> None:
        if name not in self.witnesses and name not in self.groups:
            raise MalformedInput(f"{where}: {name!r} is not a witness or group defined above")

    def _group(self, args: list[str], where: str) -> None:
        name, threshold, members = args[0], args[1], tuple(args[2:])
        self._fresh(name, where)
        for member in members:
            self._known(member, where)
        if len(set(members)) != len(members):
            raise MalformedInput(f"{where}: group {name!r} names a member twice")
        if threshold == "all":
            k = len(members)
        elif threshold == "any":
            k = 1
        elif threshold.isdigit() and 1 <= int(threshold) <= len(members):
            k = int(threshold)
        else:
            raise MalformedInput(
                f"{where}: threshold {threshold!r} must be all, any or 1..{len(members)}"
            )
        self.groups[name] = Group(name, k, members)

    def _quorum(self, name: str, where: str) -> None:
        if self.has_quorum:
            raise MalformedInput(f"{where}: the quorum is already set")
        self.has_quorum = True
        if name != "none":
            self._known(name, where)
            self.quorum = name


def cosigned_by(note: str | bytes, witnesses: Mapping[str, CosignatureVerifier]) -> list[str]:
    """Names of the witnesses whose cosignature on ``note`` verifies.

    A cosignature line from a known witness key that does not verify raises
    :class:`BadSignature`; lines from other keys are ignored.
    """
    by_key = {(v.name, v.key_id): name for name, v in witnesses.items()}
    try:
        opened = open_note(note, list(witnesses.values()))
    except UnknownKey:
        return []
    return sorted(by_key[(s.name, s.key_id)] for s in opened.signatures)


def check_policy(note: str | bytes, policy: WitnessPolicy) -> list[str]:
    """Check the witness cosignatures on a (log-verified) checkpoint ``note`` against
    ``policy``; return the names of the witnesses that cosigned.

    Raises :class:`QuorumNotMet` if the quorum is not satisfied, :class:`BadSignature` if a
    cosignature from a witness of the policy does not verify.
    """
    names = cosigned_by(note, policy.witnesses)
    if not policy.satisfied(names):
        have = ", ".join(names) or "none"
        raise QuorumNotMet(f"quorum {policy.quorum!r} is not met (cosigned by: {have})")
    return names
