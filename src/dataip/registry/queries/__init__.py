"""The read side (查询): what each person may see, with the access check built in.

One module per topic, used alike by the pages (``web``) and the API (``api``):

- :mod:`.public` — the public record of a registration, announcements, headline figures;
- :mod:`.applicants` — an applicant's applications, its own application, holders;
- :mod:`.staff` — examiners' and registrars' queues, panels, experts, objections;
- :mod:`.files` — materials, objection evidence and certificates, behind their access checks;
- :mod:`.search` — the public search and its facet counts (one cache for both skins);
- :mod:`.rights` — encumbrances, pledges held, the split of income between holders;
- :mod:`.statistics` — registrations counted by kind, province, industry, year.

This module holds the access checks every one of them builds on: ``get_<x>_for(actor, id)``
finds a thing only if the actor may see it, and is NotFound otherwise.
"""

from __future__ import annotations

from dataip.errors import NotFound, gettext_noop
from dataip.registry.actors import applicant_holder_ids
from dataip.registry.models import Application
from dataip.registry.workflow import PUBLIC_STATUSES, Actor, Role, Status


def get_application_for(actor: Actor, application_id: int) -> Application:
    """The application if ``actor`` may see it; otherwise NotFound (never a hint it exists).

    The public sees it from its announcement on; before that only the applicant's side,
    examiners, registrars and the experts on its panel do.
    """
    application = (
        Application.objects.select_related("product", "filed_by").filter(pk=application_id).first()
    )
    if application is None or not can_see(actor, application):
        raise NotFound(gettext_noop("No such application."))
    return application


def can_see(actor: Actor, application: Application) -> bool:
    """Whether ``actor`` may see this application at all."""
    if Status(application.status) in PUBLIC_STATUSES:
        return True
    return can_see_confidential(actor, application)


def can_see_confidential(actor: Actor, application: Application) -> bool:
    """Whether ``actor`` may see confidential fields and materials of this application."""
    if actor.roles & {Role.EXAMINER, Role.REGISTRAR}:
        return True
    if actor.sees_holder_ids & applicant_holder_ids(application):
        return True
    return Role.EXPERT in actor.roles and application.panel.filter(expert_id=actor.user_id).exists()
