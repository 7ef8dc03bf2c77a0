"""The bulletin in the API: ``GET /statistics?from=&to=&province=`` (public amounts only) and
the staff's ``GET /staff/statistics`` (every amount)."""

from __future__ import annotations

import pytest

from dataip.accounts.tokens import create_token
from tests.api._support import Api, assert_problem
from tests.support.bulletin import Registry, build_registry
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(personas: Personas) -> Registry:
    return build_registry(personas)


def test_the_public_bulletin(api: Api, registry: Registry) -> None:
    b = api.get("statistics").json()["bulletin"]
    assert (b["applicationsAccepted"], b["registrations"]) == (5, 4)
    assert (b["provinces"], b["industries"], b["confidential"]) == (3, 2, False)
    assert b["enterpriseApplications"] == {
        "code": "enterprise",
        "label": "Enterprises",
        "count": 3,
        "percent": "60.0",
    }
    assert b["trades"] == {
        "total": "1000000.00",
        "currency": "CNY",
        "records": 3,
        "products": 3,
        "suppressed": False,
        "otherCurrency": 0,
    }
    assert b["licences"]["total"] is None
    assert b["licences"]["suppressed"] is True
    assert b["economicValue"] is None
    assert b["securitisation"] is None
    assert b["listedOnExchange"]["count"] == 0
    assert b["pledgingEnterprises"] == 2
    assert b["byProvince"][0] == {"code": "31", "label": "Shanghai", "count": 2, "percent": "50.0"}
    assert [s["code"] for s in b["bySection"]] == ["I", "M"]
    assert b["turnaround"] == {"count": 4, "median": "29", "p90": "29"}
    assert b["months"][0] == {"month": "2026-03", "applicationsAccepted": 3, "registrations": 0}
    assert b["objections"] == [
        {"code": "dismissed", "label": "Dismissed", "count": 1, "percent": "100.0"}
    ]


def test_period_and_province(api: Api, registry: Registry) -> None:
    b = api.get("statistics?from=2026-06-01&to=2026-06-30").json()["bulletin"]
    assert (b["start"], b["end"], b["registrations"]) == ("2026-06-01", "2026-06-30", 0)
    assert b["trades"]["total"] == "1000000.00"
    shanghai = api.get("statistics?province=31").json()["bulletin"]
    assert (shanghai["applicationsAccepted"], shanghai["trades"]["total"]) == (3, None)
    assert_problem(api.get("statistics?from=2026-06-30&to=2026-06-01"), 422)
    assert_problem(api.get("statistics?province=Shanghai"), 422)


def test_staff_see_every_amount(api: Api, registry: Registry, personas: Personas) -> None:
    token = create_token(personas.registrar.user, "stats")[1]
    b = api.as_(token).get("staff/statistics").json()
    assert b["confidential"] is True
    assert b["licences"]["total"] == "150000.00"
    assert b["pledgeLoans"]["total"] == "5000000.00"
    assert b["economicValue"] == "1160000.00"
    assert api.as_(token).get("staff/statistics?province=31").json()["trades"]["total"] == (
        "700000.00"
    )
