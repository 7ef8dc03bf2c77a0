"""Certificates (登记证书): content, bilingual PDF, QR code, PDF signature, offline verification.

The pure part (no Django; ``dataip verify`` and third parties use it alone):

* :mod:`.content` -- what a certificate states, as canonical JSON (``certificate.json``);
* :mod:`.qr` -- the QR code's URL and its signed payload (a C2SP signed note);
* :mod:`.render` -- the one-page A4 PDF (reportlab, an embedded CJK TrueType font);
* :mod:`.seal` -- attachments and the PAdES signature (pyHanko), optional RFC 3161 timestamp;
* :mod:`.verify` -- :func:`~.verify.verify_certificate_pdf`, every check offline.

The Django part: :mod:`.models` (``Certificate``, never deleted), :mod:`.pki` (the registry's
own CA and signing certificate, or configured ones), :mod:`.issue` (issuing after the events
that make a certificate due, and :func:`~.issue.issue_missing_certificates` for retries) and
:mod:`.lookup` (answers of the public verification page and API). This part decides nothing
about the state of a registration: it reads it.
"""
