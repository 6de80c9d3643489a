"""The EmailOctopus v2 client against the local fake API, over real HTTP."""

import pytest

from emailoctopus.client import (
    EmailOctopusAuthError,
    EmailOctopusNotFound,
    EmailOctopusUnavailable,
    EmailOctopusValidationError,
    retry_after_seconds,
)
from emailoctopus.ratelimit import TokenBucket
from tests.emailoctopus.fake_emailoctopus import CAMPAIGN_1, client_for


def test_follows_cursors_across_pages_with_the_bearer_key(api):
    client = client_for(api, page_size=2)

    pages = list(client.report_pages(CAMPAIGN_1, "sent"))

    assert [len(page.items) for page in pages] == [2, 2, 1]
    assert pages[0].cursor is None
    assert pages[1].cursor == pages[0].next_cursor
    assert pages[-1].next_cursor is None
    emails = [row["contact_email_address"] for page in pages for row in page.items]
    assert emails[0] == "Ana.Lopez@Example.com" and len(emails) == 5
    assert [query.get("starting_after") for _, query in api.requests][1:] == [
        pages[1].cursor,
        pages[2].cursor,
    ]


def test_resuming_from_a_cursor_fetches_only_what_follows(api):
    client = client_for(api, page_size=2)
    first = next(client.report_pages(CAMPAIGN_1, "sent"))

    rest = list(client.report_pages(CAMPAIGN_1, "sent", starting_after=first.next_cursor))

    assert sum(len(page.items) for page in rest) == 3


def test_lists_campaigns_and_contacts(api):
    client = client_for(api, page_size=1)

    campaigns = list(client.iter_campaigns())
    contacts = list(client.iter_list_contacts("bbbbbbbb-0000-0000-0000-00000000000b"))

    assert [c["status"] for c in campaigns] == ["sent", "sent", "draft"]
    assert client.get_campaign(CAMPAIGN_1)["name"] == "Spring efficiency tips"
    assert [c["email_address"] for c in contacts] == [
        "ana.lopez@example.com",
        "eve.park@example.com",
    ]


def test_wrong_key_raises_a_clear_error_without_the_key(api):
    client = client_for(api, api_key="wrong-secret-key")

    with pytest.raises(EmailOctopusAuthError) as raised:
        client.get_campaign(CAMPAIGN_1)

    message = str(raised.value)
    assert "401" in message and "Invalid key." in message
    assert "wrong-secret-key" not in message
    assert api.count(401) == 1  # no retry on a client error


def test_missing_key_is_refused_before_any_request(api):
    with pytest.raises(EmailOctopusAuthError, match="EMAILOCTOPUS_API_KEY"):
        client_for(api, api_key="")
    assert api.requests == []


def test_unknown_campaign_is_not_found(api):
    with pytest.raises(EmailOctopusNotFound, match="Resource not found"):
        client_for(api).get_campaign("nope")


def test_an_id_cannot_change_the_path(api):
    with pytest.raises(EmailOctopusNotFound):
        client_for(api).get_campaign("../lists/aaaaaaaa-0000-0000-0000-00000000000a/contacts")
    assert (
        api.requests[-1][0]
        == "/campaigns/..%2Flists%2Faaaaaaaa-0000-0000-0000-00000000000a%2Fcontacts"
    )


def test_invalid_parameters_name_the_parameter(api):
    client = client_for(api, page_size=500)

    with pytest.raises(EmailOctopusValidationError) as raised:
        list(client.report_pages(CAMPAIGN_1, "sent"))

    assert raised.value.errors == [
        {"parameter": "limit", "detail": "This value should be between 1 and 100."}
    ]
    assert "limit: This value should be between 1 and 100." in str(raised.value)


def test_a_429_burst_is_waited_out(api):
    api.throttle(capacity=2, refill_per_second=20)
    client = client_for(api, page_size=1)

    contacts = list(client.iter_list_contacts("aaaaaaaa-0000-0000-0000-00000000000a"))

    assert len(contacts) == 5
    assert api.count(429) >= 1
    assert client.stats.rate_limited == api.count(429)
    assert client.stats.rate_limit_wait_seconds > 0


def test_server_errors_and_dropped_connections_are_retried(api):
    api.fail_next(503, "disconnect", 500)
    client = client_for(api)

    campaign = client.get_campaign(CAMPAIGN_1)

    assert campaign["id"] == CAMPAIGN_1
    assert client.stats.retries == 3


def test_retries_give_up_with_a_clear_error(api):
    api.fail_next(*[503] * 4)
    client = client_for(api, max_retries=3)

    with pytest.raises(EmailOctopusUnavailable, match="503"):
        client.get_campaign(CAMPAIGN_1)


def test_token_bucket_spends_the_burst_then_waits_for_refills():
    now = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(capacity=100, refill_per_second=10, clock=lambda: now[0], sleep=sleep)

    for _ in range(100):
        assert bucket.acquire() == 0
    waited = bucket.acquire()

    assert sleeps == [pytest.approx(0.1)]
    assert waited == pytest.approx(0.1)
    now[0] += 5  # five idle seconds refill 50 tokens
    assert bucket.tokens == pytest.approx(50)


def test_retry_header_accepts_seconds_or_a_unix_time():
    assert retry_after_seconds({"X-RateLimit-Retry-After": "2"}, now=0) == 2.0
    assert retry_after_seconds({"X-RateLimit-Retry-After": "1700000003"}, now=1700000000) == 3
    assert retry_after_seconds({}, now=0) is None
