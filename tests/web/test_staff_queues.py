"""Staff work lists: search, filters, sort, every status, deadlines and overdue flags, saved
views, the panel chosen several experts at a time, and the registrar's dashboard."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from dataip.accounts.models import SavedView
from dataip.registry.models import Application
from dataip.registry.services import examination, publicity
from dataip.registry.workflow import SYSTEM, Status
from tests.support.builders import day
from tests.support.personas import Personas
from tests.web._builders import build, freeze
from tests.web.conftest import SignIn


def numbers(page: object) -> list[str]:
    rows = page.context["rows"]  # type: ignore[attr-defined]
    return [str(row["application"].number) for row in rows]


def number(app: Application) -> str:
    assert app.number is not None
    return app.number


def on(when: date) -> datetime:
    """10:00 in Shanghai on ``when``."""
    return day((when - day(0).date()).days)


def objection_case(p: Personas) -> Application:
    """An application whose announcement ended with an objection filed on its second day."""
    app = build(p, Status.UNDER_PUBLICITY, name="异议数据")
    publicity.file_objection(
        app.pk,
        actor=p.objector.actor,
        user=p.objector.user,
        ground="ownership_dispute",
        statement="数据属于我方",
        at=day(7),
    )
    publicity.close_publicity(app.pk, actor=SYSTEM, at=day(22))
    app.refresh_from_db()
    assert app.status == Status.OBJECTION_REVIEW
    return app


def test_search_finds_by_number_title_and_holder(personas: Personas, sign_in: SignIn) -> None:
    mobility = build(personas, Status.SUBMITTED, name="城市交通出行数据集")
    weather = build(personas, Status.SUBMITTED, name="气象观测数据", name_en="Weather data")
    client = sign_in(personas.examiner)
    assert numbers(client.get("/examine/", {"q": "气象"})) == [weather.number]
    assert numbers(client.get("/examine/", {"q": "weather"})) == [weather.number]
    assert numbers(client.get("/examine/", {"q": number(mobility)[-6:]})) == [mobility.number]
    by_holder = numbers(client.get("/examine/", {"q": "Alpha Data", "sort": "number"}))
    assert by_holder == sorted([number(mobility), number(weather)])
    nothing = client.get("/examine/", {"q": "Beta Data"})
    assert numbers(nothing) == []
    assert "Nothing waits here." in nothing.content.decode()


def test_filters_by_kind_region_and_examiner(personas: Personas, sign_in: SignIn) -> None:
    shanghai = build(personas, Status.FORMAL_EXAMINATION, name="上海数据", province_code="31")
    beijing = build(personas, Status.SUBMITTED, name="北京数据", province_code="11")
    examination.start_formal_examination(beijing.pk, actor=personas.registrar.actor, at=day(2))
    client = sign_in(personas.examiner)
    base = {"status": "formal_examination", "sort": "number"}
    assert numbers(client.get("/examine/", base | {"province": "11"})) == [beijing.number]
    assert numbers(client.get("/examine/", base | {"province": "31"})) == [shanghai.number]
    mine = client.get("/examine/", base | {"examiner": personas.examiner.user.pk})
    assert numbers(mine) == [shanghai.number]
    theirs = client.get("/examine/", base | {"examiner": personas.registrar.user.pk})
    assert numbers(theirs) == [beijing.number]
    assert numbers(client.get("/examine/", base | {"kind": "data_product"})) == []
    both = client.get("/examine/", base | {"kind": "data_collection"})
    assert numbers(both) == sorted([number(shanghai), number(beijing)])


def test_a_bad_filter_is_named_not_ignored(personas: Personas, sign_in: SignIn) -> None:
    build(personas, Status.SUBMITTED)
    page = sign_in(personas.examiner).get("/examine/", {"deadline_before": "soon", "kind": "x"})
    text = page.content.decode()
    assert "Some filters were not applied:" in text
    assert "Deadline on or before: Enter a valid date." in text
    assert "Kind: Select a valid choice." in text


def test_deadlines_filter_and_sort(
    personas: Personas, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    early = build(personas, Status.APPROVED, name="先公示")
    publicity.announce(early.pk, actor=personas.examiner.actor, at=day(6))
    late = build(personas, Status.APPROVED, name="后公示")
    publicity.announce(late.pk, actor=personas.examiner.actor, at=day(9))
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.announcement_ends is not None
    assert late.announcement_ends is not None
    assert early.announcement_ends < late.announcement_ends
    freeze(monkeypatch, day(10))
    client = sign_in(personas.examiner)
    base = {"status": "under_publicity"}
    assert numbers(client.get("/examine/", base | {"sort": "deadline"})) == [
        early.number,
        late.number,
    ]
    assert numbers(client.get("/examine/", base | {"sort": "-submitted"}))[0] == late.number
    assert numbers(client.get("/examine/", base | {"sort": "submitted"}))[0] == early.number
    before = {"deadline_before": early.announcement_ends.isoformat()}
    assert numbers(client.get("/examine/", base | before)) == [early.number]
    assert numbers(client.get("/examine/", base | {"overdue": "on"})) == []
    # The day after the first announcement ended, that case is overdue (tick has not run).
    freeze(monkeypatch, on(early.announcement_ends + timedelta(days=1)))
    overdue = client.get("/examine/", base | {"overdue": "on"})
    assert numbers(overdue) == [early.number]
    assert overdue.context["rows"][0]["deadline"].state == "overdue"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_objection_case_after_its_announcement_is_flagged(
    personas: Personas, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    app = objection_case(personas)
    assert app.announcement_ends is not None
    due = app.objections.get().decision_due
    assert due == (day(7) + timedelta(days=60)).date()
    client = sign_in(personas.examiner, language=language)
    # 40 days after the announcement ended: the objection's decision is due within a week.
    freeze(monkeypatch, on(app.announcement_ends + timedelta(days=40)))
    page = client.get("/examine/", {"status": "objection_review"})
    row = page.context["rows"][0]
    assert (row["deadline"].kind, row["deadline"].due, row["deadline"].state) == (
        "objection_decision",
        due,
        "due_soon",
    )
    text = page.content.decode()
    assert due.isoformat() in text
    assert ("即将到期" if language == "zh-hans" else "due soon") in text
    # Past the decision's due date: overdue, on the queue, the case and the dashboard.
    freeze(monkeypatch, day(7) + timedelta(days=61))
    page = client.get("/examine/", {"status": "objection_review", "overdue": "1"})
    assert numbers(page) == [app.number]
    assert ("已逾期" if language == "zh-hans" else "overdue") in page.content.decode()
    case = client.get(f"/examine/{app.pk}")
    assert case.context["deadline"].overdue
    assert ("已逾期" if language == "zh-hans" else "overdue") in case.content.decode()
    dashboard = sign_in(personas.registrar, language=language).get("/examine/dashboard")
    assert [a.pk for a in dashboard.context["figures"].overdue] == [app.pk]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_status_is_browsable_and_an_unknown_one_is_said(
    personas: Personas, sign_in: SignIn, language: str
) -> None:
    registered = build(personas, Status.REGISTERED)
    build(personas, Status.SUBMITTED)
    client = sign_in(personas.examiner, language=language)
    page = client.get("/examine/", {"status": "registered"})
    assert page.context["status"] == "registered"
    assert numbers(page) == [registered.number]
    assert str(registered.registration_number) in page.content.decode()
    tabs = {value for value, _, _ in page.context["tabs"]}
    assert {"registered", "rejected", "withdrawn"} <= tabs
    unknown = client.get("/examine/", {"status": "nonsense"})
    assert unknown.status_code == 400
    text = unknown.content.decode()
    if language == "en":
        assert "There is no status “nonsense” to list." in text
    else:
        assert "没有“nonsense”这一状态" in text
    assert "page" not in unknown.context or unknown.context["page"] is None


def test_saved_views_belong_to_their_owner(personas: Personas, sign_in: SignIn) -> None:
    examiner = sign_in(personas.examiner)
    saved = examiner.post(
        "/examine/views", {"name": "上海待审", "query": "status=submitted&province=31"}
    )
    assert saved.status_code == 302
    assert saved["Location"] == "/examine/?status=submitted&province=31"
    page = examiner.get("/examine/")
    assert [v.name for v in page.context["saved_views"]] == ["上海待审"]
    assert 'href="?status=submitted&amp;province=31"' in page.content.decode()
    registrar = sign_in(personas.registrar)
    assert registrar.get("/examine/").context["saved_views"] == []
    view = SavedView.objects.get()
    assert registrar.post(f"/examine/views/{view.pk}/delete").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    refused = examiner.post("/examine/views", {"name": " ", "query": "status=submitted"})
    assert refused.status_code == 302
    assert SavedView.objects.count() == 1
    assert examiner.post(f"/examine/views/{view.pk}/delete").status_code == 302
    assert not SavedView.objects.exists()


def test_the_registrar_assigns_several_experts_in_one_go(
    personas: Personas, sign_in: SignIn
) -> None:
    busy = build(personas, Status.EXPERT_REVIEW, name="忙碌专家的案件")
    examination.assign_expert(
        busy.pk, actor=personas.registrar.actor, expert=personas.experts[2].user, at=day(4)
    )
    examination.set_expertise(
        personas.experts[0].user.pk, actor=personas.registrar.actor, codes=["65", "64"]
    )
    app = build(personas, Status.EXPERT_REVIEW)
    registrar = sign_in(personas.registrar)
    page = registrar.get(f"/examine/{app.pk}")
    choices = {c.expert.username: c for c in page.context["experts"]}
    assert choices["expert2"].open_reviews == 1
    assert choices["expert0"].open_reviews == 0
    assert choices["expert0"].expertise == ["64", "65"]
    assert choices["conflicted"].conflicted
    assert not choices["expert1"].conflicted
    text = page.content.decode()
    assert 'href="#panel"' in text
    assert 'name="experts"' in text
    assert "works for the applicant" in text
    ids = [personas.experts[0].user.pk, personas.experts[1].user.pk]
    done = registrar.post(f"/examine/{app.pk}/assign", {"experts": ids})
    assert done.status_code == 302
    assert sorted(app.panel.values_list("expert_id", flat=True)) == sorted(ids)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_conflicting_expert_is_refused_and_nobody_is_assigned(
    personas: Personas, sign_in: SignIn, language: str
) -> None:
    app = build(personas, Status.EXPERT_REVIEW)
    registrar = sign_in(personas.registrar, language=language)
    chosen = [personas.experts[0].user.pk, personas.conflicted_expert.user.pk]
    refused = registrar.post(f"/examine/{app.pk}/assign", {"experts": chosen})
    assert refused.status_code == 409
    text = refused.content.decode()
    if language == "en":
        assert "Nobody was assigned: conflicted cannot sit on this panel." in text
        assert "conflict of interest" in text
    else:
        assert "未指派任何专家" in text
    assert not app.panel.exists()
    assert registrar.post(f"/examine/{app.pk}/assign", {}).status_code == 422
    assert not app.panel.exists()


def test_only_the_registrar_records_expertise(personas: Personas) -> None:
    from dataip.errors import PermissionDenied, ValidationFailed

    expert = personas.experts[0].user
    with pytest.raises(PermissionDenied):
        examination.set_expertise(expert.pk, actor=personas.examiner.actor, codes=["65"])
    with pytest.raises(ValidationFailed):
        examination.set_expertise(expert.pk, actor=personas.registrar.actor, codes=["65", "ZZ"])
    expert.refresh_from_db()
    assert expert.expertise == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_dashboard_figures(
    personas: Personas, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    build(personas, Status.SUBMITTED, name="一")
    build(personas, Status.SUBMITTED, name="二")
    build(personas, Status.EXPERT_REVIEW, name="三")
    build(personas, Status.REGISTERED, name="四")
    rejected = build(personas, Status.FORMAL_EXAMINATION, name="五")
    examination.reject(rejected.pk, actor=personas.examiner.actor, reason="材料不实", at=day(3))
    freeze(monkeypatch, day(31))  # 2026-04-02 in Shanghai; one registered on 04-01
    page = sign_in(personas.registrar, language=language).get("/examine/dashboard")
    figures = page.context["figures"]
    sizes = {q.status: q.size for q in figures.queues}
    assert sizes["submitted"] == 2
    assert sizes["expert_review"] == 1
    assert sizes["objection_review"] == 0
    submitted = next(q for q in figures.queues if q.status == "submitted")
    assert submitted.oldest_since == day(1).date()
    assert submitted.oldest_days == 30
    assert figures.month_start.isoformat() == "2026-04-01"
    assert (figures.received, figures.registered, figures.rejected) == (0, 1, 0)
    assert [d.registered for d in figures.days] == [1, 0]
    freeze(monkeypatch, day(28))  # 2026-03-30: March's figures, by day
    page = sign_in(personas.registrar, language=language).get("/examine/dashboard")
    figures = page.context["figures"]
    assert (figures.received, figures.registered, figures.rejected) == (5, 0, 1)
    by_day = {d.day.isoformat(): (d.received, d.registered, d.rejected) for d in figures.days}
    assert by_day["2026-03-03"] == (5, 0, 0)
    assert by_day["2026-03-05"] == (0, 0, 1)
    assert len(figures.days) == 30
    text = page.content.decode()
    assert ("本月" if language == "zh-hans" else "This month") in text


def test_the_registrar_records_expertise_on_the_staff_page(
    personas: Personas, sign_in: SignIn
) -> None:
    expert = personas.experts[1].user
    registrar = sign_in(personas.registrar)
    assert 'name="expertise"' in registrar.get("/examine/staff").content.decode()
    saved = registrar.post(f"/examine/staff/{expert.pk}/expertise", {"expertise": "65, 64"})
    assert saved.status_code == 302
    expert.refresh_from_db()
    assert expert.expertise == ["64", "65"]
    page = registrar.post(f"/examine/staff/{expert.pk}/expertise", {"expertise": "ZZ"}, follow=True)
    assert "Not an industry division of GB/T 4754: ZZ." in page.content.decode()
    expert.refresh_from_db()
    assert expert.expertise == ["64", "65"]
