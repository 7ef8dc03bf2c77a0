"""A verified data exchange and its member, for the listings' tests."""

from __future__ import annotations

from dataip.registry.models import Holder, OrganisationType, Verification
from tests.support.personas import Person, make_holder, make_person


def make_exchange(
    index: int = 70, name: str = "上海数据交易所 Shanghai Data Exchange", *, verified: bool = True
) -> Holder:
    """A data exchange organisation (verified unless told otherwise)."""
    holder = make_holder(index, name)
    holder.org_type = OrganisationType.EXCHANGE
    holder.verification = Verification.VERIFIED if verified else Verification.PENDING
    holder.save(update_fields=["org_type", "verification"])
    return holder


def exchange_member(
    username: str = "exchanger", *, index: int = 70, verified: bool = True
) -> Person:
    """A member of a data exchange."""
    return make_person(username, make_exchange(index, verified=verified))
