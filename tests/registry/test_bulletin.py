"""The statistics bulletin: every figure and share of a registry built through the services,
with known licences, trades, revenue and pledges; the suppression rule; period and region."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from stdnum.cn import uscc

from dataip.registry.models import Application
from dataip.registry.queries.bulletin import (
    ENTERPRISE,
    INSTITUTION,
    NATURAL_PERSON,
    Amount,
    Scope,
    Share,
    Spread,
    bulletin,
    nearest_rank,
)
from dataip.registry.services import applications as filing
from dataip.registry.services import examination, licensing, pledges, publicity
from dataip.registry.services.applications import create_holder
from dataip.registry.workflow import SYSTEM
from tests.support.builders import day, draft
from tests.support.personas import Person, Personas, make_person, valid_uscc

pytestmark = pytest.mark.django_db


def _institution_code() -> str:
    body = "12310000MB0000001"
    return body + uscc.calc_check_digit(body)


RESIDENT_ID = "360426199101010071"


def _as(p: Personas, person: Person) -> Personas:
    """The personas with ``person`` as the applicant."""
    return Personas(
        applicant=person,
        other_applicant=p.other_applicant,
        examiner=p.examiner,
        registrar=p.registrar,
        experts=p.experts,
        conflicted_expert=p.conflicted_expert,
        objector=p.objector,
    )


def _register(p: Personas, offset: int, *, register: bool = True, **values: Any) -> Application:
    """File, examine, announce and (unless told) register, ``offset`` days after the epoch."""
    app = draft(p, **values)
    filing.submit(app.pk, actor=p.applicant.actor, at=day(offset + 1))
    if not register:
        return app
    examination.start_formal_examination(app.pk, actor=p.examiner.actor, at=day(offset + 2))
    examination.pass_formal_examination(app.pk, actor=p.examiner.actor, at=day(offset + 3))
    for expert in p.experts:
        examination.assign_expert(
            app.pk, actor=p.registrar.actor, expert=expert.user, at=day(offset + 4)
        )
    for expert in p.experts:
        examination.record_opinion(
            app.pk, actor=expert.actor, approves=True, opinion="具备创新性", at=day(offset + 5)
        )
    examination.approve(app.pk, actor=p.examiner.actor, at=day(offset + 5))
    publicity.announce(app.pk, actor=p.examiner.actor, at=day(offset + 6))
    if offset:
        objection = publicity.file_objection(
            app.pk,
            actor=p.objector.actor,
            user=p.objector.user,
            ground="other",
            statement="来源存疑",
            at=day(offset + 8),
        )
        publicity.dismiss_objection(
            objection.pk, actor=p.examiner.actor, reason="证据不足", at=day(offset + 9)
        )
    publicity.register(app.pk, actor=SYSTEM, at=day(offset + 30))
    app.refresh_from_db()
    return app


@dataclass
class Registry:
    a1: Application
    a2: Application
    a3: Application
    a4: Application
    a5: Application


@pytest.fixture
def registry(personas: Personas) -> Registry:
    p = personas
    institute = make_person(
        "institute",
        create_holder(
            kind="legal_person",
            name="丙研究院 Institute C",
            identifier=_institution_code(),
            province_code="44",
        ),
    )
    person = make_person(
        "person",
        create_holder(
            kind="natural_person", name="张三", identifier=RESIDENT_ID, province_code="31"
        ),
    )
    bank = make_person(
        "bank",
        create_holder(
            kind="legal_person", name="丁银行", identifier=valid_uscc(70), province_code="31"
        ),
    )
    a1 = _register(p, 0, province_code="31", industry_code="65")
    a2 = _register(p, 0, province_code="11", industry_code="65", kind="data_product")
    a3 = _register(_as(p, p.other_applicant), 0, province_code="31", industry_code="73")
    a4 = _register(_as(p, institute), 31, province_code="44", industry_code="65")
    a5 = _register(_as(p, person), 40, register=False, province_code="31", industry_code="01")
    holder = p.applicant.actor
    for app, fee in ((a1, "100000"), (a2, "50000")):
        licensing.grant_licence(
            app.pk,
            actor=holder,
            kind="ordinary",
            scope="模型训练",
            territory="nationwide",
            starts="2026-05-01",
            ends="2026-12-31",
            licensee_id=institute.holder.pk,
            fee=fee,
            at=day(70),
        )
    for app, who, amount in ((a1, holder, "200000"), (a2, holder, "300000")):
        licensing.record_trade(
            app.pk,
            actor=who,
            exchange="上海数据交易所",
            contract_reference=f"T-{app.pk}",
            traded_on="2026-06-01",
            amount=amount,
            at=day(91),
        )
    licensing.record_trade(
        a3.pk,
        actor=p.other_applicant.actor,
        exchange="北京国际大数据交易所",
        contract_reference="T-3",
        traded_on="2026-06-02",
        amount="500000",
        at=day(92),
    )
    licensing.record_revenue(
        a1.pk,
        actor=holder,
        period_start="2026-04-01",
        period_end="2026-06-30",
        amount="10000",
        at=day(121),
    )
    for app, who, amount in ((a1, holder, "3000000"), (a3, p.other_applicant.actor, "2000000")):
        pledges.pledge(
            app.pk,
            actor=who,
            pledgee_id=bank.holder.pk,
            amount=amount,
            starts="2026-07-01",
            ends="2027-06-30",
            contract_reference=f"ZY-{app.pk}",
            at=day(122),
        )
    pledges.propose_pledge(  # not confirmed: not counted
        a2.pk,
        actor=bank.actor,
        amount="9000000",
        starts="2026-07-01",
        ends="2027-06-30",
        contract_reference="ZY-X",
        at=day(122),
    )
    return Registry(a1, a2, a3, a4, a5)


def test_nearest_rank() -> None:
    values = [Decimal(v) for v in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)]
    assert (nearest_rank(values, 50), nearest_rank(values, 90)) == (Decimal(5), Decimal(9))
    assert nearest_rank(values[:1], 90) == 1
    assert nearest_rank([], 50) is None


def test_every_figure_of_the_whole_registry(registry: Registry) -> None:
    public = bulletin(Scope())
    assert (public.applications, public.registrations) == (5, 4)
    assert (public.provinces, public.industries) == (3, 2)
    assert public.enterprise_applications == Share(ENTERPRISE, 3, Decimal("60.0"))
    # Licences: two products only, so the public sees the count, not the income.
    assert public.licences == Amount(None, 2, 2)
    assert public.licences.suppressed
    assert public.trades == Amount(Decimal("1000000.00"), 3, 3)
    assert public.revenue == Amount(None, 1, 1)
    assert public.pledges == Amount(None, 2, 2)
    assert public.economic_value is None, "a total that adds a suppressed amount is suppressed"
    assert public.pledging_enterprises == 2
    assert public.securitisation is None
    assert public.listed is None
    assert public.pledged == Share("pledged", 2, Decimal("50.0"))
    assert public.by_industry == [
        Share("65", 3, Decimal("75.0")),
        Share("73", 1, Decimal("25.0")),
    ]
    assert public.by_section == [Share("I", 3, Decimal("75.0")), Share("M", 1, Decimal("25.0"))]
    assert public.by_province == [
        Share("31", 2, Decimal("50.0")),
        Share("11", 1, Decimal("25.0")),
        Share("44", 1, Decimal("25.0")),
    ]
    assert public.by_holder_type == [
        Share(ENTERPRISE, 3, Decimal("75.0")),
        Share(INSTITUTION, 1, Decimal("25.0")),
    ]
    assert public.by_kind == [
        Share("data_collection", 3, Decimal("75.0")),
        Share("data_product", 1, Decimal("25.0")),
    ]
    assert public.top_three_industries == Decimal("100.0")
    # Submitted 2026-03-03, registered 2026-04-01 (29 days), and A4 31 days later.
    assert public.turnaround == Spread(4, Decimal(29), Decimal(29))
    assert set(public.stages) >= {"submitted", "formal_examination", "under_publicity"}
    assert public.stages["submitted"] == Spread(4, Decimal("1.0"), Decimal("1.0"))
    assert public.stages["under_publicity"] == Spread(4, Decimal("24.0"), Decimal("24.0"))
    assert public.objections == [Share("dismissed", 1, Decimal("100.0"))]
    assert public.months == [("2026-03", 3, 0), ("2026-04", 2, 3), ("2026-05", 0, 1)]


def test_staff_see_every_amount(registry: Registry) -> None:
    staff = bulletin(Scope(), confidential=True)
    assert staff.licences == Amount(Decimal("150000.00"), 2, 2)
    assert staff.revenue == Amount(Decimal("10000.00"), 1, 1)
    assert staff.pledges == Amount(Decimal("5000000.00"), 2, 2)
    assert staff.economic_value == Decimal("1160000.00")


def test_a_region_and_a_period(registry: Registry) -> None:
    shanghai = bulletin(Scope(province="31"))
    assert (shanghai.applications, shanghai.registrations, shanghai.provinces) == (3, 2, 1)
    assert shanghai.trades == Amount(None, 2, 2), "two products: suppressed"
    assert bulletin(Scope(province="31"), confidential=True).trades.total == Decimal("700000.00")
    assert shanghai.enterprise_applications == Share(ENTERPRISE, 2, Decimal("66.7"))
    april = bulletin(Scope(start=date(2026, 4, 2), end=date(2026, 5, 31)))
    assert (april.applications, april.registrations) == (2, 1)
    assert april.by_holder_type == [Share(INSTITUTION, 1, Decimal("100.0"))]
    assert april.enterprise_applications == Share(ENTERPRISE, 0, Decimal("0.0"))
    assert april.licences == Amount(None, 2, 2), "recorded 2026-05-11"
    june = bulletin(Scope(start=date(2026, 6, 1), end=date(2026, 6, 30)))
    assert june.registrations == 0
    assert june.trades == Amount(Decimal("1000000.00"), 3, 3)
    assert june.revenue == Amount(None, 1, 1)
    assert june.licences == Amount(Decimal("0.00"), 0, 0)
    assert not june.licences.suppressed
    assert bulletin(Scope(end=date(2026, 3, 31))).months == [("2026-03", 3, 0)]
    assert NATURAL_PERSON not in [s.code for s in april.by_holder_type]
