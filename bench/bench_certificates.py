"""Certificates: issued (ledger entry, QR, page, PAdES signature, stored) and verified, per second.

Each figure is beside the same page rendered unsigned (reportlab only), measured in the same
run on one core: issuing adds the ledger event, the evidence bundle, the signed QR payload,
the attachments, the RSA-3072 signature and the file; verifying reads the PDF back, validates
the signature and its chain (pyHanko), the embedded evidence bundle and the QR payload.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any


def _rate(count: int, step: Any) -> float:
    started = time.perf_counter()
    for _ in range(count):
        step()
    return count / (time.perf_counter() - started)


def run() -> list[str]:
    """Issue certificates for fresh registrations, verify them; return the figures."""
    from bench._db import fresh_database

    fresh_database()
    logging.getLogger("dataip.certificates").setLevel(logging.WARNING)  # one line per issue
    from bench.bench_workflow import _drive, _prepare
    from dataip.certificates import issue, pki
    from dataip.certificates.content import CertificateContent
    from dataip.certificates.models import Certificate
    from dataip.certificates.render import render_certificate
    from dataip.certificates.verify import verify_certificate_pdf
    from dataip.ledger import bundles, keys

    count = max(10, int(300 * float(os.environ.get("DATAIP_BENCH_SCALE", "1"))))
    people, drafts = _prepare(count + 1, tag="cert")
    for pk in drafts:
        _drive(pk, people)
    issue.issue_due_certificate(drafts[-1])  # warm up: font, keys, CA made on first use
    sample = Certificate.objects.get(application_id=drafts[-1])
    content = CertificateContent.from_json(sample.data.encode())
    with sample.pdf.open("rb") as handle:
        pdf = handle.read()
    bundle = bundles.bundle_for_event(sample.event)
    vkeys, ca = keys.all_vkeys(), pki.trust_pem()

    pending = iter(drafts[:-1])
    issued = _rate(count, lambda: issue.issue_due_certificate(next(pending)))
    signed = _rate(count, lambda: issue.render_pdf(content, bundle))
    unsigned = _rate(count, lambda: render_certificate(content, sample.qr_text))
    verified = _rate(count, lambda: verify_certificate_pdf(pdf, vkeys, ca))
    assert Certificate.objects.exclude(pdf="").count() == count + 1
    return [
        f"certificates issued end to end: {issued:,.1f}/s ({count} registrations; ledger "
        f"event, bundle, QR, page, signature, stored; {len(pdf) / 1024:.0f} KiB each)",
        f"rendered and signed (no database): {signed:,.1f}/s",
        f"the same page unsigned (reportlab only): {unsigned:,.1f}/s",
        f"ratio issued / unsigned page: {issued / unsigned:.2f}; signed / unsigned: "
        f"{signed / unsigned:.2f}",
        f"certificate PDFs verified offline: {verified:,.1f}/s (signature + chain, bundle, "
        f"inclusion proof, QR payload)",
        f"ratio verified / unsigned page rendered: {verified / unsigned:.2f}",
    ]
