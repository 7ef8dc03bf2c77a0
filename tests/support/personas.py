"""Named personas, as in healthchecks' alice/bob/charlie: who is who in every test.

applicant (acts for holder Alpha), other_applicant (holder Beta), examiner, registrar,
experts (three, employed by unrelated holders), conflicted_expert (employed by Alpha),
objector (a member of the public).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dataip.accounts.models import User
from dataip.registry.actors import actor_for
from dataip.registry.models import Holder
from dataip.registry.services.applications import create_holder
from dataip.registry.workflow import Actor


def valid_uscc(index: int) -> str:
    """A syntactically valid USCC, different for each index (check character computed)."""
    from stdnum.cn import uscc

    body = f"9131000{index:010d}"
    return body + uscc.calc_check_digit(body)


@dataclass
class Person:
    """A user, and the workflow's view of it."""

    user: User
    actor: Actor

    @property
    def holder(self) -> Holder:
        assert self.user.holder is not None
        return self.user.holder


def make_holder(index: int, name: str, province: str = "31") -> Holder:
    """A legal-person holder with a valid credit code."""
    return create_holder(
        kind="legal_person",
        name=name,
        name_en=name,
        identifier=valid_uscc(index),
        province_code=province,
    )


def make_person(username: str, holder: Holder | None = None, **roles: bool) -> Person:
    """A user with optional holder and staff roles."""
    user = User(username=username, holder=holder, **roles)
    user.set_password("x")
    user.save()
    return Person(user, actor_for(user))


@dataclass
class Personas:
    applicant: Person
    other_applicant: Person
    examiner: Person
    registrar: Person
    experts: list[Person]
    conflicted_expert: Person
    objector: Person


@pytest.fixture
def personas(db: None) -> Personas:
    alpha = make_holder(1, "甲数据科技有限公司 Alpha Data")
    beta = make_holder(2, "乙数据科技有限公司 Beta Data")
    return Personas(
        applicant=make_person("applicant", alpha),
        other_applicant=make_person("other_applicant", beta),
        examiner=make_person("examiner", is_examiner=True),
        registrar=make_person("registrar", is_registrar=True),
        experts=[
            make_person(f"expert{i}", make_holder(10 + i, f"Institute {i}"), is_expert=True)
            for i in range(3)
        ],
        conflicted_expert=make_person("conflicted", alpha, is_expert=True),
        objector=make_person("objector"),
    )
