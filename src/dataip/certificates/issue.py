"""Issuing certificates (证书签发): after registration, a change applied, a confirmed transfer
or a renewal, a new certificate version is due (the workflow's rules with
``Consequence.ISSUE_CERTIFICATE``).

Two steps, each safe to repeat:

1. :func:`record_due_certificate` -- in one transaction: the ``certificate_issued`` ledger event
   (payload: certificate number, version, SHA-256 of ``certificate.json``) and the
   ``Certificate`` row; older versions are marked superseded.
2. :func:`complete_certificate` -- after the commit: the evidence bundle of that event, the
   signed QR payload, the page, the attachments and the PAdES signature; the PDF is stored.

Such a transition queues the job :func:`issue_certificate` (bound to that consequence in
:mod:`dataip.subscribers`) in its transaction; after the commit it runs in the same process
(``DATAIP_JOBS_AFTER_COMMIT``) or a ``dataip worker``. Both steps run in their own
transactions, so a failure cannot undo the transition; it is logged and
:func:`issue_missing_certificates` (run by ``dataip tick``) tries again.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django_tasks import task

from dataip.certificates import pki
from dataip.certificates.build import content_for
from dataip.certificates.content import CertificateContent, ledger_payload
from dataip.certificates.models import Certificate
from dataip.certificates.qr import payload_for, qr_text, sign_payload
from dataip.certificates.render import render_certificate
from dataip.certificates.seal import Attachment, seal_pdf
from dataip.certificates.verify import (
    ATTACHMENT_BUNDLE,
    ATTACHMENT_DATA,
    ATTACHMENT_QR,
    EVENT_TYPE,
)
from dataip.evidence.bundle import verify_bundle
from dataip.ledger import bundles, keys
from dataip.registry import clock
from dataip.registry.events import record_event
from dataip.registry.models import Application, Event
from dataip.registry.notices import notify_certificate_issued
from dataip.registry.workflow import SYSTEM, TRANSITIONS, Action, Consequence, Status

logger = logging.getLogger("dataip.certificates")

#: Actions after which a new certificate version may be due: those of the workflow's rules
#: with ``Consequence.ISSUE_CERTIFICATE``.
DUE_ACTIONS = frozenset(
    action
    for (_, action), rule in TRANSITIONS.items()
    if Consequence.ISSUE_CERTIFICATE in rule.then
)


def makes_certificate_due(event: Event) -> bool:
    """Whether ``event`` changed what the registration's certificate must state (a change
    request only when it applied at once, i.e. its payload says it was not ``examined``; an
    examined change is due at its approval)."""
    if event.application_id is None or event.action not in DUE_ACTIONS:
        return False
    if event.action == Action.REQUEST_CHANGE:
        return event.payload.get("examined") is False
    return True


@task()
def issue_certificate(application_id: int) -> str | None:
    """The job of ``Consequence.ISSUE_CERTIFICATE`` (证书签发作业): issue the version now due,
    if any; return its number and version. Idempotent: a second run finds nothing due."""
    done = issue_after_transition(application_id)
    return None if done is None else f"{done.number} v{done.version}"


def issue_after_transition(application_id: int) -> Certificate | None:
    """What the job of ``Consequence.ISSUE_CERTIFICATE`` does: issue the version now due, if any,
    unless automatic issuing is off (``DATAIP_CERTIFICATES_AUTO``; ``dataip tick`` then issues
    it). A failure is raised to the job's runner, which records and logs it; tick retries."""
    if not settings.DATAIP_CERTIFICATES_AUTO:
        return None
    return issue_due_certificate(application_id)


def issue_due_certificate(application_id: int) -> Certificate | None:
    """Record the due certificate version of the application (if any) and complete every
    version of it whose PDF is missing. Returns the newest certificate completed."""
    record_due_certificate(application_id)
    done = None
    for pending in Certificate.objects.filter(application_id=application_id, pdf="").order_by(
        "version"
    ):
        done = complete_certificate(pending)
    return done


def _trigger_time(application: Application) -> datetime:
    """When the certificate became due: the time of the latest event that made it due."""
    for event in application.events.order_by("-id")[:50]:
        if makes_certificate_due(event):
            return event.occurred_at
    return clock.now()


def record_due_certificate(application_id: int) -> Certificate | None:
    """Step 1: the ledger event and the row of the due version (None if nothing is due)."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("product")
            .filter(pk=application_id)
            .first()
        )
        if (
            application is None
            or application.status != Status.REGISTERED
            or application.certificate_number is None
            or application.certificates.filter(
                registry_version=application.certificate_version
            ).exists()
        ):
            return None
        latest = application.certificates.order_by("-version").first()
        version = 1 if latest is None else latest.version + 1
        at = _trigger_time(application)
        content = content_for(application, version, at)
        data = content.to_json()
        try:
            with transaction.atomic():
                event = record_event(
                    application,
                    EVENT_TYPE,
                    actor=SYSTEM,
                    at=at,
                    from_status=None,
                    to_status=None,
                    payload=ledger_payload(content),
                )
                certificate = Certificate.objects.create(
                    application=application,
                    version=version,
                    registry_version=application.certificate_version,
                    number=content.certificate_number,
                    issued_at=at,
                    data=data.decode("utf-8"),
                    data_sha256=hashlib.sha256(data).hexdigest(),
                    event=event,
                )
                notify_certificate_issued(application, version, event)
        except IntegrityError:  # another process recorded it first
            return None
        application.certificates.filter(superseded_at=None).exclude(pk=certificate.pk).update(
            superseded_at=at
        )
        return certificate


def render_pdf(content: CertificateContent, bundle: bytes) -> tuple[bytes, str]:
    """The signed PDF for ``content`` with its evidence ``bundle``; and the QR code's text.

    The bundle is checked against the registry's own keys first, so a certificate never
    carries evidence that would not verify.
    """
    verified = verify_bundle(bundle, keys.all_vkeys())
    checkpoint = verified.checkpoint
    payload = payload_for(content, checkpoint.size, checkpoint.root_hash)
    qr = qr_text(settings.DATAIP_PUBLIC_URL, payload, sign_payload(payload, keys.signer()))
    ledger = (
        f"账本 Ledger {verified.origin} · 条目 entry {verified.index} · 检查点 checkpoint "
        f"{checkpoint.size} / {payload.root_prefix}"
    )
    page = render_certificate(content, qr, ledger=ledger, font_path=settings.DATAIP_CERT_FONT)
    attachments = [
        Attachment(ATTACHMENT_DATA, content.to_json(), "application/json",
                   "Certificate data (RFC 8785 JSON) / 证书数据"),
        Attachment(ATTACHMENT_BUNDLE, bundle, "application/json",
                   "Ledger evidence bundle of the certificate_issued event / 账本证据包"),
        Attachment(ATTACHMENT_QR, qr.encode("utf-8"), "text/plain",
                   "QR code text with the signed payload / 二维码内容及签名载荷"),
    ]  # fmt: skip
    signed = seal_pdf(
        page,
        attachments,
        pki.signer(),
        timestamper=pki.timestamper(),
        location=content.registry_en,
    )
    return signed, qr


def complete_certificate(certificate: Certificate) -> Certificate:
    """Step 2: render, sign and store the PDF of a recorded certificate version."""
    if certificate.pdf:
        return certificate
    content = CertificateContent.from_json(certificate.data.encode("utf-8"))
    signed, qr = render_pdf(content, bundles.bundle_for_event(certificate.event))
    with transaction.atomic():
        row = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if row.pdf:  # another process stored it meanwhile
            return row
        row.pdf.save(f"{row.number}-v{row.version}.pdf", ContentFile(signed), save=False)
        row.pdf_sha256 = hashlib.sha256(signed).hexdigest()
        row.qr_text = qr
        row.save(update_fields=["pdf", "pdf_sha256", "qr_text"])
    logger.info("certificate %s version %s issued", row.number, row.version)
    return row


@dataclass
class IssueReport:
    """What :func:`issue_missing_certificates` did."""

    issued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def issue_missing_certificates(limit: int = 100) -> IssueReport:
    """Issue every certificate that is due but missing (run by ``dataip tick``).

    Completes recorded versions whose PDF is missing, and records and completes the due
    version of registrations that have none (e.g. the process stopped, or rendering failed).
    At most ``limit`` applications per call; a failure is logged and reported, not raised.
    """
    report = IssueReport()
    pending = set(
        Certificate.objects.filter(pdf="").values_list("application_id", flat=True)[:limit]
    )
    due = (
        Application.objects.filter(status=Status.REGISTERED)
        .exclude(certificate_number=None)
        .exclude(
            Exists(
                Certificate.objects.filter(
                    application=OuterRef("pk"), registry_version=OuterRef("certificate_version")
                )
            )
        )
        .values_list("pk", flat=True)
    )
    pending.update(due[: max(0, limit - len(pending))])
    for application_id in sorted(pending):
        try:
            done = issue_due_certificate(application_id)
        except Exception:
            logger.exception("certificate of application %s not issued", application_id)
            report.failed.append(str(application_id))
            continue
        if done is not None:
            report.issued.append(f"{done.number} v{done.version}")
    return report
