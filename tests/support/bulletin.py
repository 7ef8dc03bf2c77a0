"""A registry with known figures for the statistics bulletin, built through the services:
the tests of the service, the pages, the API and the browser check the same numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stdnum.cn import uscc

from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.models import Application
from dataip.registry.services import applications as filing
from dataip.registry.services import examination, licensing, pledges, publicity
from dataip.registry.services.applications import create_holder
from dataip.registry.workflow import SYSTEM
from tests.support.builders import day, draft
from tests.support.personas import Person, Personas, make_person, valid_uscc


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
    filing.submit(
        app.pk, declaration=DECLARATION_VERSION, actor=p.applicant.actor, at=day(offset + 1)
    )
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


def build_registry(p: Personas) -> Registry:
    """Four registrations (Shanghai x2, Beijing, Guangdong) and one application under
    examination, with licences, trades, revenue and pledges of known amounts."""
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
