"""Identity verifiers of organisations (主体认证核验), pluggable.

A verifier looks at what an organisation declared at sign-up and the documents it uploaded, and
answers with a :class:`Verdict`: ``verified`` (the registry trusts the check and the
organisation may submit), ``refused`` (with the reason the organisation sees) or ``manual``
(the registrar decides). It runs once the documents are complete, at sign-up or at a later
upload. ``DATAIP_IDENTITY_VERIFIER`` names the class (a dotted path) so a deployment can plug
in an official check, such as the electronic business licence service; the class is built
without arguments and needs one method, :meth:`IdentityVerifier.check`.

Two ship here: :class:`ManualReview` (the default: always the registrar) and
:class:`CodeStructureCheck`, which refuses codes no registration authority can have issued
(GB 32100-2015: authority and category digits, region digits, check character) and leaves the
plausible ones to the registrar. Neither uses the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import uscc

from dataip.errors import Message, gettext_noop
from dataip.registry import reference


class Outcome(StrEnum):
    """What a verifier concludes."""

    VERIFIED = "verified"
    REFUSED = "refused"
    MANUAL = "manual"


@dataclass(frozen=True)
class Verdict:
    """A verifier's answer; ``reason`` says why (shown to the organisation when refused)."""

    outcome: Outcome
    reason: Message | None = None


@dataclass(frozen=True)
class IdentityClaim:
    """What a verifier may look at: the organisation as declared, and its documents."""

    kind: str
    """``legal_person``, ``unincorporated`` or ``natural_person``."""
    org_type: str
    name: str
    identifier: str
    province_code: str
    documents: tuple[tuple[str, str, str], ...]
    """The current document of each kind: (kind, content type, SHA-256)."""


class IdentityVerifier(Protocol):
    """The one method a verifier has."""

    def check(self, claim: IdentityClaim) -> Verdict:
        """Verify ``claim``: verified, refused (with the reason) or manual."""


class ManualReview:
    """Every organisation is verified by the registrar (the default)."""

    def check(self, claim: IdentityClaim) -> Verdict:
        """Always ``manual``."""
        return Verdict(Outcome.MANUAL)


#: GB 32100-2015: registration authority (登记管理部门) → its institution categories (机构类别).
AUTHORITY_CATEGORIES: dict[str, str] = {
    "1": "1239",  # 机构编制
    "2": "19",  # 外交
    "3": "123459",  # 司法行政
    "4": "19",  # 文化
    "5": "1239",  # 民政
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 市场监督管理 (工商)
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业
    "Y": "1",  # 其他
}
CENTRAL_REGION = "10"
"""Region digits of organisations registered at the national level (国家级)."""


class CodeStructureCheck:
    """Refuse a unified social credit code that no authority can have issued: a wrong check
    character, an unknown registration authority or institution category, or region digits
    that name no province. A plausible code still goes to the registrar (``manual``): a
    well-formed code proves nothing about who holds it. Resident ID numbers (natural
    persons) always go to the registrar."""

    def check(self, claim: IdentityClaim) -> Verdict:
        """Refuse an impossible code; ``manual`` otherwise."""
        if claim.kind == "natural_person":
            return Verdict(Outcome.MANUAL)
        code = claim.identifier.strip().upper()
        try:
            uscc.validate(code)
        except stdnum_exceptions.ValidationError:
            return _refused(gettext_noop("The check character of the code does not match."))
        categories = AUTHORITY_CATEGORIES.get(code[0])
        if categories is None:
            return _refused(gettext_noop("No registration authority issues codes starting so."))
        if code[1] not in categories:
            return _refused(
                gettext_noop("The institution category does not exist for this authority.")
            )
        region = code[2:4]
        if region != CENTRAL_REGION:
            try:
                reference.province(region)
            except KeyError:
                return _refused(gettext_noop("The region digits of the code name no province."))
        return Verdict(Outcome.MANUAL)


def _refused(msgid: str) -> Verdict:
    return Verdict(Outcome.REFUSED, Message(msgid))


@cache
def _load(path: str) -> IdentityVerifier:
    verifier: IdentityVerifier = import_string(path)()
    return verifier


def configured_verifier() -> IdentityVerifier:
    """The verifier ``DATAIP_IDENTITY_VERIFIER`` names (built once per dotted path)."""
    return _load(settings.DATAIP_IDENTITY_VERIFIER)
