"""Schemas of the certificate verification API (证书查验), camelCase like the log API."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema

from dataip.api.schemas.public import PublicState


class HolderOut(Schema):
    """A holder of the right and its share in per cent."""

    name: str
    nameEn: str
    share: str


class PledgeOut(Schema):
    """A pledge of the registration in force: the pledgee and its term."""

    pledgee: str
    starts: date
    ends: date


class CertificateOut(Schema):
    """The registry's record of one certificate version."""

    certificateNumber: str
    version: int
    currentVersion: int
    registrationNumber: str
    productName: str
    productNameEn: str
    holders: list[HolderOut]
    registeredOn: date | None
    validFrom: date | None
    validUntil: date | None
    issuedAt: datetime | None
    supersededAt: datetime | None
    registry: str
    registryEn: str


class SignatureOut(Schema):
    """What an uploaded PDF's verification found (only for ``POST /verify``)."""

    signer: str
    signerSha256: str
    signedAt: datetime | None
    timestampAt: datetime | None
    timestampTrusted: bool | None
    identicalToIssued: bool | None
    logOrigin: str
    logIndex: int
    treeSize: int
    rootHash: str


class RecordOut(Schema):
    """An uploaded encumbrance statement (``kind`` ``encumbrance_statement``, 查询证明) or pledge
    registration certificate (``pledge_certificate``, 质押登记证明): what it states
    (``rows``: label and value in the request's language), the ledger entry it states the
    registration as of, the checkpoint proving its issuing, and (for a pledge certificate)
    whether the pledge stands now (``pledgeStatus``: ``in_force`` or ``released``)."""

    kind: str
    title: str
    number: str
    registrationNumber: str
    issuedAt: str
    rows: list[list[str]]
    asOfIndex: int
    logIndex: int
    treeSize: int
    rootHash: str
    pledgeStatus: str | None
    summary: str


class VerificationOut(Schema):
    """The answer: ``verdict`` is ``genuine``, ``not_genuine`` (an uploaded PDF that failed;
    ``reasonCode`` and ``reason`` say why) or ``unknown`` (signed by this registry but not in
    its records). ``status`` is ``valid``, ``expired``, ``cancelled``, ``revoked``,
    ``superseded`` or ``pending`` (registered, certificate being issued). ``issuedBy`` names
    the log origin of a registry on this registry's trust list that issued an uploaded,
    verified certificate (``null`` for this registry's own), and ``cosigners`` the witnesses
    that met its policy; this registry keeps no status for such a certificate."""

    verdict: str
    issuedBy: str | None = None
    cosigners: list[str] = []
    status: str | None
    underPledge: bool
    pledges: list[PledgeOut]
    state: PublicState | None = None
    """The state of the right as the public registration page shows it (null when the
    registry has no record of the certificate)."""
    reasonCode: str | None
    reason: str | None
    failedStep: str | None
    certificate: CertificateOut | None
    signature: SignatureOut | None
    bundleUrl: str | None
    record: RecordOut | None = None


class BundleVerificationOut(Schema):
    """An evidence bundle's answer: ``verdict`` is ``genuine`` or ``not_recognised``
    (``reasonCode``/``reason`` say why). ``origin`` is the log of the registry that issued it;
    ``peer`` is true for a registry on this registry's trust list (``DATAIP_TRUST_LIST``), whose
    witness policy was then checked (``witnessPolicyMet``, ``cosigners``)."""

    verdict: str
    origin: str | None
    peer: bool | None
    witnessPolicyMet: bool | None
    cosigners: list[str]
    eventType: str | None
    logIndex: int | None
    treeSize: int | None
    rootHash: str | None
    summary: str | None
    reasonCode: str | None
    reason: str | None
    failedStep: str | None
