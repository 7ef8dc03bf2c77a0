"""Two people acting at once: exactly one succeeds. Needs PostgreSQL's row locks."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

import pytest
from django.db import connection

from dataip.errors import DomainError, GuardFailed, TransitionNotAllowed
from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.models import Application
from dataip.registry.services import applications as filing
from dataip.registry.services.transition import transition
from dataip.registry.workflow import Action, Actor, Status
from tests.support.builders import at_stage, draft
from tests.support.personas import Personas, make_person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def run_together(*steps: Callable[[], object]) -> list[str]:
    """Start every step at the same moment in its own thread and connection."""
    barrier = threading.Barrier(len(steps))
    results: list[str] = []

    def worker(step: Callable[[], object]) -> None:
        try:
            barrier.wait()
            step()
            results.append("ok")
        except GuardFailed:
            results.append("condition not met")
        except TransitionNotAllowed:
            results.append("refused")
        except DomainError as exc:
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return sorted(results)


def test_two_examiners_cannot_both_take_the_same_application(personas: Personas) -> None:
    app = at_stage(personas, Status.SUBMITTED)
    second = make_person("examiner2", is_examiner=True)

    def slow_effect(application: Application, when: datetime) -> None:
        time.sleep(0.3)  # widen the window: without the row lock both would read "submitted"

    def take(person_actor: Actor) -> Callable[[], object]:
        return lambda: transition(
            app.pk,
            Action.START_FORMAL_EXAMINATION,
            actor=person_actor,
            effect=slow_effect,
        )

    assert run_together(take(personas.examiner.actor), take(second.actor)) == ["ok", "refused"]
    app.refresh_from_db()
    assert app.status == Status.FORMAL_EXAMINATION
    assert app.events.filter(action="start_formal_examination").count() == 1


def test_application_numbers_stay_unique_under_concurrent_submissions(personas: Personas) -> None:
    drafts = [draft(personas) for _ in range(4)]
    results = run_together(
        *[
            lambda pk=d.pk: filing.submit(
                pk, declaration=DECLARATION_VERSION, actor=personas.applicant.actor
            )
            for d in drafts
        ]
    )
    assert results == ["ok"] * 4
    numbers = sorted(n or "" for n in Application.objects.values_list("number", flat=True))
    assert [n[-6:] for n in numbers] == ["000001", "000002", "000003", "000004"]


def test_two_exclusive_licences_at_once_cannot_both_succeed(personas: Personas) -> None:
    from dataip.registry.models import Licence
    from dataip.registry.services import licensing

    app = at_stage(personas, Status.REGISTERED)

    def grant() -> object:
        return licensing.grant_licence(
            app.pk,
            actor=personas.applicant.actor,
            licensee_id=personas.other_applicant.holder.pk,
            kind="exclusive",
            scope="全部用途",
            territory="中国",
            starts="2026-05-01",
            ends="2026-12-31",
        )

    # the loser is told on its territory field (the guard's reason, under the row lock)
    assert run_together(grant, grant) == ["ValidationFailed", "ok"]
    assert Licence.objects.count() == 1
