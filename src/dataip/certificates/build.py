"""The content of a certificate, read from a registration (what the certificate states)."""

from __future__ import annotations

from datetime import UTC, datetime

from dataip.certificates.content import CertificateContent, HolderEntry
from dataip.ledger import keys
from dataip.registry import clock, reference
from dataip.registry.kinds import KIND_NAMES
from dataip.registry.models import Application
from dataip.registry.regimes import load_regime


def _industry(code: str) -> tuple[str, str]:
    """The GB/T 4754 division's names, Chinese and English ('' if the code is unknown)."""
    try:
        found = reference.industry(code)
    except reference.UnknownCode:
        return "", ""
    return found.division_name_zh, found.division_name_en


def content_for(application: Application, version: int, issued_at: datetime) -> CertificateContent:
    """What certificate ``version`` of the registration ``application`` states, issued at
    ``issued_at``. The application must be registered (it has its numbers and dates)."""
    if (
        application.registration_number is None
        or application.certificate_number is None
        or application.registered_on is None
        or application.valid_from is None
        or application.valid_until is None
    ):
        raise ValueError(f"application {application.pk} is not registered")
    product = application.product
    regime = load_regime(application.regime_code)
    kind_zh, kind_en = KIND_NAMES.get(product.kind, (product.kind, product.kind))
    industry_zh, industry_en = _industry(product.industry_code)
    holders = tuple(
        HolderEntry(name, name_en or "", str(share))
        for name, name_en, share in application.holders.order_by("-share", "id").values_list(
            "holder__name", "holder__name_en", "share"
        )
    )
    return CertificateContent(
        certificate_number=application.certificate_number,
        version=version,
        registration_number=application.registration_number,
        application_number=application.number or "",
        product_name=product.name,
        product_name_en=product.name_en,
        kind=product.kind,
        kind_zh=kind_zh,
        kind_en=kind_en,
        holders=holders,
        industry_code=product.industry_code,
        industry_zh=industry_zh,
        industry_en=industry_en,
        registered_on=application.registered_on.isoformat(),
        valid_from=application.valid_from.isoformat(),
        valid_until=application.valid_until.isoformat(),
        issued_on=clock.local_date(issued_at).isoformat(),
        issued_at=issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        registry_code=regime.registry_code,
        registry_zh=regime.registry_name_zh,
        registry_en=regime.registry_name_en,
        log_origin=keys.origin(),
    )
