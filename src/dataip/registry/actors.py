"""Who acts (行为人): the workflow's view of a signed-in user, and the applicant's side."""

from __future__ import annotations

from dataip.accounts.models import OrgRole, User
from dataip.errors import PermissionDenied, gettext_noop
from dataip.registry.models import Application, Holder
from dataip.registry.models.holders import OrganisationType, Verification
from dataip.registry.workflow import Actor, Role


def actor_for(user: User) -> Actor:
    """The workflow's view of a signed-in user: roles and the holder it acts for (a read-only
    member only views its organisation's records: every service then refuses it)."""
    roles = {Role.PUBLIC}
    if user.is_examiner:
        roles.add(Role.EXAMINER)
    if user.is_registrar:
        roles.add(Role.REGISTRAR)
    if user.is_expert:
        roles.add(Role.EXPERT)
    holders = frozenset({user.holder_id}) if user.holder_id else frozenset()
    roles |= organisation_roles(user.holder_id)
    if user.org_role == OrgRole.READ_ONLY:  # sees the organisation's records, never acts for it
        return Actor(
            user_id=user.pk, roles=frozenset(roles), viewing_holder_ids=holders, label=user.username
        )
    return Actor(user_id=user.pk, roles=frozenset(roles), holder_ids=holders, label=user.username)


def organisation_roles(holder_id: int | None) -> set[Role]:
    """The roles a member acts in because of what its organisation is: a verified data
    exchange's members act as :attr:`Role.EXCHANGE`."""
    if holder_id is None:
        return set()
    verified_exchange = Holder.objects.filter(
        pk=holder_id, org_type=OrganisationType.EXCHANGE, verification=Verification.VERIFIED
    ).exists()
    return {Role.EXCHANGE} if verified_exchange else set()


def user_id_of(actor: Actor) -> int:
    """The user behind a person's action (the workflow has already refused the system clock)."""
    if actor.user_id is None:
        raise PermissionDenied(gettext_noop("This action needs a signed-in person."))
    return actor.user_id


def applicant_holder_ids(application: Application) -> frozenset[int]:
    """The holders on the applicant's side (申请方): the filer (or agent) and every holder."""
    ids = {application.filed_by_id}
    ids.update(application.holders.values_list("holder_id", flat=True))
    return frozenset(ids)
