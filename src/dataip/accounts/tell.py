"""Telling a person about their account (账户通知): the hook through which the organisation's
services (:mod:`dataip.accounts.organisation`) write a notice.

The notices' table, texts and outbox live a floor above, in :mod:`dataip.registry.notices`;
accounts may not import it, so the registry binds :func:`dataip.registry.notices.notify_account`
here at start-up (``RegistryConfig.ready``), as it binds the mail's hand-over. The notice is
written in the caller's transaction: a change rolled back tells nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Teller = Callable[..., int]
_bound: list[Teller] = []


def bind(teller: Teller) -> None:
    """Bind what writes the notices (once, at start-up)."""
    _bound[:] = [teller]


def tell(kind: str, *, recipients: Iterable[int], key: str, params: dict[str, Any]) -> int:
    """Write a notice of ``kind`` (a :class:`~dataip.registry.workflow.Notice` value of the
    account group) to ``recipients``; ``key`` names the change so nobody is told twice."""
    written = 0
    for teller in _bound:
        written += teller(kind, recipients=list(recipients), key=key, params=params)
    return written
