"""Every declared field of a data product, labelled, with whether the public sees it (the read
side lives in :mod:`dataip.registry.queries.declared`, shared with the certificates floor)."""

from __future__ import annotations

from dataip.registry.queries.declared import SHOWN, Declared, declared_fields, public_fields, show

__all__ = ["SHOWN", "Declared", "declared_fields", "public_fields", "show"]
