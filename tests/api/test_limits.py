"""The API's limits answer 429 problems with ``Retry-After``, in the caller's language.

Requests per minute are counted in the cache, on local memory and on a real Redis server
(``shared_cache``); the quotas of drafts and objections are counted on the database.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from dataip.api import throttles
from dataip.api.throttles import count_request
from dataip.registry.models import Application, Objection
from dataip.registry.workflow import Status
from tests.api._support import Api, Tokens, assert_problem, today
from tests.support.builders import PDF, at_stage
from tests.support.caches import shared_cache
from tests.support.personas import Personas

__all__ = ["shared_cache"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's requests fall in one window, 20 seconds before it ends."""
    monkeypatch.setattr(throttles, "now", lambda: 29_000_000 * 60.0 + 40)


def _throttled(response: Any, limit: str) -> dict[str, Any]:
    body = assert_problem(response, 429, "rate_limited")
    assert body["limit"] == limit
    assert response["Retry-After"] == "20"
    assert body["retryAfter"] == 20
    return body


def test_a_token_makes_at_most_its_requests_per_minute(
    shared_cache: str, api: Api, tokens: Tokens, settings: Any
) -> None:
    settings.DATAIP_LIMIT_API_TOKEN_PER_MINUTE = 3
    own = api.as_(tokens.own)
    for _ in range(3):
        assert own.get("applications").status_code == 200
    body = _throttled(own.get("applications"), "api_requests_per_token")
    assert "as many requests in this minute as it may (3)" in body["detail"]
    assert "token" in body["detail"]
    assert body["title"] == "Too many requests"
    chinese = Api(api.client, tokens.own, language="zh-hans").get("applications")
    detail = _throttled(chinese, "api_requests_per_token")["detail"]
    assert "本分钟内的请求已达上限（3 次）" in detail
    # Other tokens, and the public routes from the same address, go on.
    assert api.as_(tokens.other).get("applications").status_code == 200
    assert api.get("announcements").status_code == 200


def test_requests_without_a_token_are_counted_per_address(
    shared_cache: str, api: Api, tokens: Tokens, settings: Any
) -> None:
    settings.DATAIP_LIMIT_API_ANONYMOUS_PER_MINUTE = 2
    for _ in range(2):
        assert api.get("announcements").status_code == 200
    body = _throttled(api.get("statistics"), "api_requests_per_address")
    assert "without an API token in this minute as it may (2)" in body["detail"]
    zh = Api(api.client, language="zh-hans").get("announcements")
    detail = _throttled(zh, "api_requests_per_address")["detail"]
    assert "不带接口令牌的请求已达上限（2 次）" in detail
    # Another address is counted apart; a token's requests are counted per token.
    other = api.client.get("/api/v1/announcements", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200
    assert api.as_(tokens.own).get("applications").status_code == 200
    # A token sent to a public route does not lift the address's limit.
    assert api.as_(tokens.own).get("announcements").status_code == 429


def test_the_count_is_atomic_under_concurrent_requests(shared_cache: str) -> None:
    """Eight threads (like eight app servers on Redis) count 400 requests: none is lost."""

    def hammer() -> None:
        for _ in range(50):
            count_request("concurrency")
        cache.close()

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count_request("concurrency") == 401


def test_the_redis_cache_holds_the_count_for_every_app_server(
    shared_cache: str, api: Api, tokens: Tokens, settings: Any
) -> None:
    """A second connection to the cache (another app server) sees the same count."""
    if shared_cache != "redis":
        pytest.skip("local memory is one process's own cache, by design")
    settings.DATAIP_LIMIT_API_TOKEN_PER_MINUTE = 2
    own = api.as_(tokens.own)
    assert own.get("applications").status_code == 200
    cache.close()  # the next request opens a new connection, as another server would
    assert own.get("applications").status_code == 200
    cache.close()
    assert own.get("applications").status_code == 429


def test_the_daily_quota_of_drafts(api: Api, tokens: Tokens, settings: Any) -> None:
    settings.DATAIP_LIMIT_DRAFTS_PER_DAY = 2
    own = api.as_(tokens.own)
    for _ in range(2):
        assert own.post("applications", {"kind": "data_product"}).status_code == 201
    before = Application.objects.count()
    response = own.post("applications", {"kind": "data_product"})
    body = assert_problem(response, 429, "rate_limited")
    assert body["limit"] == "drafts_per_day"
    assert "as many applications today as it may in a day (2)" in body["detail"]
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 24 * 3600
    assert body["retryAfter"] == wait
    chinese = Api(api.client, tokens.own, language="zh-hans")
    zh = assert_problem(chinese.post("applications", {"kind": "data_product"}), 429)
    assert "今日新建的申请已达每日上限（2 件）" in zh["detail"]
    assert Application.objects.count() == before


def test_the_quota_of_objections_per_announcement(
    api: Api, tokens: Tokens, personas: Personas, settings: Any
) -> None:
    settings.DATAIP_LIMIT_OBJECTIONS_PER_ANNOUNCEMENT = 1
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    Application.objects.filter(pk=app.pk).update(
        announcement_starts=today(), announcement_ends=today() + timedelta(days=14)
    )
    beta = api.as_(tokens.other)

    def object_() -> Any:
        evidence = [SimpleUploadedFile("a.pdf", PDF, "application/pdf")]
        data = {"ground": "other", "statement": "异议", "evidence": evidence}
        return beta.call(
            "POST", f"announcements/{app.number}/objections", data=data, content_type=None
        )

    assert object_().status_code == 201
    response = object_()
    body = assert_problem(response, 429, "rate_limited")
    assert body["limit"] == "objections_per_announcement"
    assert "no further objection" in body["detail"]
    assert "Retry-After" not in response
    assert "retryAfter" not in body
    assert Objection.objects.filter(application=app).count() == 1


def test_the_openapi_document_names_the_429(api: Api) -> None:
    schema = api.get("openapi.json").json()
    operation = schema["paths"]["/api/v1/applications"]["post"]
    answer = operation["responses"]["429"]
    assert "Retry-After" in answer["headers"]
    assert "application/problem+json" in answer["content"]
