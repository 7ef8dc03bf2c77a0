"""Random sequences of actions by random people never break the registry's invariants."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataip.errors import DomainError
from dataip.ledger.models import LogEntry
from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.models import Application, Event, Objection
from dataip.registry.services import applications as filing
from dataip.registry.services import examination, publicity
from dataip.registry.services.schedule import tick
from dataip.registry.workflow import PUBLIC_STATUSES, Status
from tests.support.builders import PDF, day, draft
from tests.support.personas import Person, Personas

OPERATIONS = [
    "submit",
    "start",
    "correct",
    "resubmit",
    "pass",
    "assign",
    "opinion",
    "approve",
    "reject",
    "announce",
    "object",
    "dismiss",
    "uphold",
    "withdraw",
    "edit",
    "tick",
]


class Rollback(Exception):
    """Raised to undo one example's changes."""


def operation(
    name: str, app: Application, person: Person, p: Personas, flag: bool, when: int
) -> Callable[[], object]:
    """The service call for ``name``, as ``person``."""
    at, actor = day(when), person.actor
    pending = Objection.objects.filter(application=app, status="pending").first()
    expert = p.experts[when % 3].user if flag else p.conflicted_expert.user
    calls: dict[str, Callable[[], object]] = {
        "submit": lambda: filing.submit(
            app.pk, declaration=DECLARATION_VERSION, actor=actor, at=at
        ),
        "start": lambda: examination.start_formal_examination(app.pk, actor=actor, at=at),
        "correct": lambda: examination.request_correction(
            app.pk, actor=actor, reason="补正", at=at
        ),
        "resubmit": lambda: filing.resubmit(
            app.pk, declaration=DECLARATION_VERSION, actor=actor, at=at
        ),
        "pass": lambda: examination.pass_formal_examination(app.pk, actor=actor, at=at),
        "assign": lambda: examination.assign_expert(app.pk, actor=actor, expert=expert, at=at),
        "opinion": lambda: examination.record_opinion(
            app.pk, actor=actor, approves=flag, opinion="意见", at=at
        ),
        "approve": lambda: examination.approve(app.pk, actor=actor, at=at),
        "reject": lambda: examination.reject(app.pk, actor=actor, reason="不予登记", at=at),
        "announce": lambda: publicity.announce(app.pk, actor=actor, at=at),
        "object": lambda: publicity.file_objection(
            app.pk,
            actor=actor,
            user=person.user,
            ground="other",
            statement="异议",
            evidence=[("e.pdf", io.BytesIO(PDF))] if flag else [],
            at=at,
        ),
        "dismiss": lambda: publicity.dismiss_objection(
            pending.pk if pending else 0, actor=actor, reason="驳回", at=at
        ),
        "uphold": lambda: publicity.uphold_objection(
            pending.pk if pending else 0, actor=actor, reason="成立", at=at
        ),
        "withdraw": lambda: filing.withdraw(app.pk, actor=actor, at=at),
        "edit": lambda: filing.update_draft(app.pk, actor=actor, values={"name": "改名"}, at=at),
        "tick": lambda: tick(at=at),
    }
    return calls[name]


def check_invariants() -> None:
    """Numbers unique, events complete and chained to leaves, statuses consistent."""
    assert Event.objects.count() == LogEntry.objects.count()
    assert not Event.objects.filter(leaf_index=None).exists()
    for app in Application.objects.all():
        status = Status(app.status)
        last = app.events.exclude(to_status="").order_by("-id").first()
        assert (last.to_status if last else Status.DRAFT) == status
        assert (app.number is None) == (status == Status.DRAFT)
        registered = status in {Status.REGISTERED, Status.EXPIRED}
        assert (app.registration_number is not None) == registered
        assert (app.certificate_number is not None) == registered
        if registered:
            assert app.valid_from is not None
            assert app.valid_until is not None
            assert app.valid_from <= app.valid_until
        if status in PUBLIC_STATUSES:
            assert app.announcement_ends is not None
        if status == Status.CORRECTION_REQUESTED:
            assert app.correction_due is not None
        if status == Status.OBJECTION_REVIEW:
            assert app.objections.filter(status="pending").exists()
    for field in ("number", "registration_number", "certificate_number"):
        values = [v for v in Application.objects.values_list(field, flat=True) if v]
        assert len(values) == len(set(values))


steps = st.lists(
    st.tuples(
        st.integers(0, 1),  # which application
        st.sampled_from(OPERATIONS),
        st.sampled_from(
            [
                "applicant",
                "other_applicant",
                "examiner",
                "registrar",
                "expert0",
                "expert1",
                "objector",
            ]
        ),
        st.booleans(),
        st.integers(0, 12),  # days that pass first
    ),
    min_size=5,
    max_size=40,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_random_actions_keep_the_registry_consistent(personas: Personas, steps: list) -> None:  # type: ignore[type-arg]
    people = {
        "applicant": personas.applicant,
        "other_applicant": personas.other_applicant,
        "examiner": personas.examiner,
        "registrar": personas.registrar,
        "expert0": personas.experts[0],
        "expert1": personas.experts[1],
        "objector": personas.objector,
    }
    try:
        with transaction.atomic():
            apps = [draft(personas), draft(personas)]
            when = 0
            for which, name, who, flag, wait in steps:
                when += wait
                app = Application.objects.get(pk=apps[which].pk)
                # A refusal is a legal outcome; it must leave no trace (checked below).
                with contextlib.suppress(DomainError):
                    operation(name, app, people[who], personas, flag, when)()
                check_invariants()
            raise Rollback
    except Rollback:
        pass
