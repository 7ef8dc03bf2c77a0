"""A data exchange's pages in both languages: its home, listing a registered product after
checking it by number, editing and delisting, pre-filling an application; and the holder's
side: the referral on "My applications", a draft started from it, the listing shown on the
application, the case and (once public) the public page."""

from __future__ import annotations

import pytest

from dataip.registry.models import Application, Listing, Referral
from dataip.registry.services import listings
from dataip.registry.workflow import Status
from tests.support.builders import complete_values
from tests.support.exchanges import exchange_member
from tests.support.personas import Person, Personas
from tests.web._builders import advance, build, freeze
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def exchange(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> Person:
    freeze(monkeypatch)
    return exchange_member()


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ("Where it is listed", "Subscription")), ("zh-hans", ("挂牌信息", "订阅"))],
)
def test_an_exchange_checks_lists_edits_and_delists(
    personas: Personas, exchange: Person, language: str, words: tuple[str, str]
) -> None:
    registered = build(personas, Status.REGISTERED, name="已登记的数据集")
    number = registered.registration_number
    client = client_for(exchange.user, language=language)
    home = client.get("/exchange/")
    assert home.status_code == 200
    assert b'href="/exchange/"' in home.content  # the nav link for exchange members
    checked = client.get(f"/exchange/listings/new?number={number}")
    assert checked.status_code == 200
    text = checked.content.decode()
    assert "已登记的数据集" in text
    assert "用户协议授权" not in text  # only the public particulars
    assert 'name="listing_id"' in text
    refused = client.post(
        "/exchange/listings/new",
        {
            "registration_number": number,
            "listing_id": "SDE-1",
            "url": "javascript:alert(1)",
            "listed_on": "2026-03-05",
            "price_model": "subscription",
        },
    )
    assert refused.status_code == 422
    assert not Listing.objects.exists()
    done = client.post(
        "/exchange/listings/new",
        {
            "registration_number": number,
            "listing_id": "SDE-1",
            "url": "https://www.chinadep.com/p/1",
            "listed_on": "2026-03-05",
            "price_model": "subscription",
        },
    )
    assert done.status_code == 302
    made = Listing.objects.get()
    public = client_for(None, language=language).get(f"/registry/{number}").content.decode()
    assert words[0] in public
    assert "SDE-1" in public
    assert "https://www.chinadep.com/p/1" in public
    assert words[1] in client.get("/exchange/").content.decode()
    # The holder sees it on the registration's management page.
    holder = client_for(personas.applicant.user, language=language)
    assert "SDE-1" in holder.get(f"/applications/{registered.pk}/rights/").content.decode()
    edited = client.post(
        f"/exchange/listings/{made.pk}/",
        {"url": "https://www.chinadep.com/p/2", "price_model": "free", "description": ""},
    )
    assert edited.status_code == 302
    unconfirmed = client.post(f"/exchange/listings/{made.pk}/end", {"reason": "下架"})
    assert unconfirmed.status_code == 422
    assert client.post(f"/exchange/listings/{made.pk}/end", {"confirm": "on"}).status_code == 302
    public = client_for(None, language=language).get(f"/registry/{number}").content.decode()
    assert "SDE-1" not in public


def test_an_unverified_exchange_sees_no_exchange_page(personas: Personas) -> None:
    pending = exchange_member("pending", index=71, verified=False)
    assert client_for(pending.user).get("/exchange/").status_code == 404


@pytest.mark.parametrize(
    ("language", "came_from"),
    [("en", "Came from listing"), ("zh-hans", "来自")],
)
def test_the_fast_lane_from_the_exchange_to_the_public_page(
    personas: Personas, exchange: Person, language: str, came_from: str
) -> None:
    client = client_for(exchange.user, language=language)
    form = client.get("/exchange/referrals/new")
    assert form.status_code == 200
    assert 'name="holder_identifier"' in form.content.decode()
    refused = client.post(
        "/exchange/referrals/new",
        {"holder_identifier": "123", "kind": "data_collection", "listing_reference": "SDE-9"},
    )
    assert refused.status_code == 422
    sent = client.post(
        "/exchange/referrals/new",
        {
            "holder_identifier": personas.applicant.holder.identifier,
            "kind": "data_collection",
            "listing_reference": "SDE-9",
            "listing_url": "https://www.chinadep.com/p/9",
            "name": "预填的数据集",
            "name_en": "Pre-filled dataset",
        },
    )
    assert sent.status_code == 302, sent.content.decode()
    referral = Referral.objects.get()
    holder = client_for(personas.applicant.user, language=language)
    mine = holder.get("/applications/").content.decode()
    assert "预填的数据集" in mine
    assert f"/referrals/{referral.pk}/" in mine
    notices = holder.get("/notifications/")
    assert notices.status_code == 200
    assert "预填的数据集" in notices.content.decode()
    other = client_for(personas.other_applicant.user, language=language)
    assert "预填的数据集" not in other.get("/applications/").content.decode()
    assert other.get(f"/referrals/{referral.pk}/").status_code == 404
    assert holder.get(f"/referrals/{referral.pk}/").status_code == 200
    started = holder.post(f"/referrals/{referral.pk}/")
    assert started.status_code == 302
    app = Application.objects.get(source_referral=referral)
    page = holder.get(f"/applications/{app.pk}").content.decode()
    assert came_from in page
    assert "SDE-9" in page
    # The exchange sees that it was used, and nothing of the draft.
    home = client.get("/exchange/").content.decode()
    assert "预填的数据集" in home
    assert f"/applications/{app.pk}" not in home
    # Complete it, drive it to the announcement: the case and the public page show it.
    listings_values = complete_values(name="预填的数据集")
    from dataip.registry.services import applications as filing

    filing.update_draft(app.pk, actor=personas.applicant.actor, values=listings_values)
    import io

    from dataip.registry.regimes import load_regime
    from tests.support.builders import PDF

    for material in sorted(load_regime(app.regime_code).required_materials(filed_by_agent=False)):
        filing.add_material(
            app.pk,
            actor=personas.applicant.actor,
            user=personas.applicant.user,
            kind=material,
            name=f"{material}.pdf",
            content=io.BytesIO(PDF + material.encode()),
        )
    announced = advance(personas, app, Status.UNDER_PUBLICITY)
    examiner = client_for(personas.examiner.user, language=language)
    assert came_from in examiner.get(f"/examine/{announced.pk}").content.decode()
    public = client_for(None, language=language).get(f"/registry/{announced.number}")
    assert came_from in public.content.decode()
    assert str(announced.number) in client.get("/exchange/").content.decode()


def test_the_holder_declines_with_a_confirmation(personas: Personas, exchange: Person) -> None:
    referral = listings.create_referral(
        actor=exchange.actor,
        holder_identifier=personas.applicant.holder.identifier,
        kind="data_collection",
        values={"name": "预填的数据集"},
        listing_reference="SDE-9",
    )
    holder = client_for(personas.applicant.user)
    assert holder.post(f"/referrals/{referral.pk}/decline", {}).status_code == 422
    done = holder.post(f"/referrals/{referral.pk}/decline", {"confirm": "on", "reason": "不需要"})
    assert done.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "declined"
