"""The portfolio API, the offering detail for API clients, and list APIs whose queries stay flat."""

from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from financing.choices import AllotmentStatus, OfferingStatus, SubscriptionStatus
from financing.models import Allotment, Application, Offering, Subscription, Terms
from tests import flows
from tokens import chain as chain_client
from tokens.choices import ContractKind, ContractStatus
from tokens.models import ChainEvent, Contract, IndexerCursor, TokenHolding
from tokens.selectors import token_balance
from tokens.tests.test_chain import count_requests


@pytest.fixture
def settled_round(platform):
    """A bond of 100 units oversubscribed by two investors (60 and 40 allotted), settled on chain."""
    return flows.settled_round()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_investor_sees_their_own_holding_in_integer_units_and_never_another_investors(settled_round):
    _, _, offering, first, second = settled_round

    body = _client(first).get("/api/v1/portfolio/").json()

    wallet = flows.profile_of(first).wallet.address
    (holding,) = body["holdings"]
    assert holding == {
        "offering_id": offering.pk,
        "title": offering.application.title,
        "token_address": offering.token.address,
        "wallet_address": wallet,
        "units": 60,
        "recorded_units": 60,
        "frozen": False,
        "frozen_units": 0,
        "payment_late": False,
        "unit_price": "1000.00",
        "currency": "HKD",
        "value": "60000.00",
        "notices": [],
    }
    assert type(holding["units"]) is int
    assert holding["units"] == token_balance(offering.token, wallet)  # the index agrees with the chain
    assert body["index"]["as_of_block"] >= 1
    assert body["index"]["catching_up"] is False
    assert body["history"][0]["kind"] == "settled"
    assert body["history"][0]["units"] == 60
    assert body["history_next"] is None
    # Paid 60,000 of the 200,000 funded; the rest of the escrow came back.
    assert body["cash"] == {
        "wallet_address": wallet,
        "hkd_balance": "140000.00",
        "balances": [  # every listed stablecoin, read in one batched request
            {"currency": "CNY", "amount": "0.000000"},
            {"currency": "HKD", "amount": "140000.000000"},
            {"currency": "MOP", "amount": "0.000000"},
            {"currency": "USD", "amount": "0.000000"},
        ],
    }
    assert body["chain_unavailable"] is False
    (subscription,) = body["subscriptions"]
    assert subscription["status"] == SubscriptionStatus.ALLOTTED
    assert subscription["units"] == 90
    assert subscription["allotment"]["units"] == 60
    assert subscription["allotment"]["status"] == AllotmentStatus.SETTLED
    assert subscription["allotment"]["tx_hash"].startswith("0x")
    assert subscription["funding_tx_hash"].startswith("0x")

    other = _client(second).get("/api/v1/portfolio/").json()
    assert [h["units"] for h in other["holdings"]] == [40]
    assert {h["wallet_address"] for h in other["holdings"]} == {flows.profile_of(second).wallet.address}
    assert wallet not in str(other)
    assert [s["id"] for s in other["subscriptions"]] != [subscription["id"]]


def test_an_investor_without_approved_kyc_has_an_empty_portfolio(platform):
    profile = flows.submitted_investor()

    body = _client(profile.user).get("/api/v1/portfolio/").json()

    assert body == {
        "holdings": [],
        "subscriptions": [],
        "cash": {"wallet_address": None, "hkd_balance": None, "balances": None},
        "index": None,
        "history": [],
        "history_next": None,
        "transactions": [],
        "transactions_next": None,
        "income": [],
        "payments_received": [],
        "payments_due": [],
        "chain_unavailable": False,
    }
    assert _client(profile.user).get("/api/v1/portfolio/history/").json()["count"] == 0


def test_the_offering_detail_gives_token_chain_money_and_settlement_progress(settled_round):
    officer, _, offering, first, _ = settled_round

    for user in (officer, first):
        body = _client(user).get(f"/api/v1/offerings/{offering.pk}/").json()
        assert body["status"] == OfferingStatus.SETTLED
        assert body["token_address"] == offering.token.address
        assert body["chain_id"] == offering.token.chain_id
        assert body["raised"] == "150000.00"  # 150 units subscribed at 1,000
        assert body["hard_cap"] == f"{offering.subscription_cap_units * 1000}.00"
        assert body["settlement"] == {
            "total": 2,
            "settled": 2,
            "pending": 0,
            "failed": 0,
            "written_off": 0,
            "settled_units": 100,
        }


def test_list_apis_answer_a_page_with_count_and_links(settled_round):
    officer, *_ = settled_round
    client = _client(officer)

    first = client.get("/api/v1/subscriptions/?limit=1").json()
    second = client.get(first["next"]).json()

    assert first["count"] == second["count"] == 2
    assert first["previous"] is None
    assert second["next"] is None
    assert first["results"][0]["id"] != second["results"][0]["id"]
    assert client.get("/api/v1/offerings/?limit=0").status_code == 400
    assert client.get("/api/v1/applications/?offset=-1").status_code == 400


def _add_rows(offering: Offering, investor, count: int) -> None:
    """`count` more applications, each with terms, an open offering and one allotted subscription."""
    application = Application.objects.get(pk=offering.application_id)
    terms = Terms.objects.get(application=application)
    applications = Application.objects.bulk_create(
        [
            Application(
                **{
                    f.name: getattr(application, f.name)
                    for f in Application._meta.concrete_fields
                    if not f.primary_key and f.name != "reference"  # the database gives each its own
                },
            )
            for _ in range(count)
        ]
    )
    Terms.objects.bulk_create(
        [
            Terms(
                **{
                    f.name: getattr(terms, f.name)
                    for f in Terms._meta.concrete_fields
                    if not f.primary_key and f.name != "application"
                },
                application=a,
            )
            for a in applications
        ]
    )
    skip = {"id", "application", "token", "reference"}
    offerings = Offering.objects.bulk_create(
        [
            Offering(
                **{
                    f.name: getattr(offering, f.name)
                    for f in Offering._meta.concrete_fields
                    if f.name not in skip
                },
                application=a,
            )
            for a in applications
        ]
    )
    subscriptions = Subscription.objects.bulk_create(
        [
            Subscription(
                offering=o,
                investor=investor,
                units=1,
                amount=o.unit_price,
                status=SubscriptionStatus.ALLOTTED,
                authorised_until=o.closes_at,
            )
            for o in offerings
        ]
    )
    Allotment.objects.bulk_create(
        [
            Allotment(
                subscription=s, offering_id=s.offering_id, units=1, amount=s.amount, payment_base_units=10**9
            )
            for s in subscriptions
        ]
    )


def _queries(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


@pytest.mark.parametrize("url", ["/api/v1/applications/", "/api/v1/offerings/", "/api/v1/subscriptions/"])
def test_a_list_api_runs_as_many_queries_for_200_rows_as_for_10(platform, url):
    officer = flows.officer()
    operator = flows.operator()
    company = flows.verified_company(by=officer)
    offering = flows.open_offering(company=company, by=officer, opener=operator)
    investor = flows.approved_investor(by=officer)
    client = _client(officer)
    page = f"{url}?limit=200"

    _add_rows(offering, investor, 10)
    client.get(page)  # the first request of a session does its own bookkeeping
    few, counted_few = _queries(client, page)
    _add_rows(offering, investor, 190)
    many, counted_many = _queries(client, page)

    assert counted_many - counted_few == 190
    assert many == few


def test_the_history_api_pages_the_wallets_chain_events_newest_first(settled_round):
    _, _, offering, first, _ = settled_round
    client = _client(first)
    wallet = flows.profile_of(first).wallet.address

    page = client.get("/api/v1/portfolio/history/?limit=2").json()
    rest = client.get(page["next"]).json()

    events = ChainEvent.objects.filter(Q(from_address=wallet) | Q(to_address=wallet)).exclude(kind="")
    assert page["count"] == events.count() >= 3  # identity registered, subscription funded, settled
    assert [e["kind"] for e in page["results"]][:1] == ["settled"]
    assert page["results"][0]["token_address"] == offering.token.address
    blocks = [e["block_number"] for e in page["results"] + rest["results"]]
    assert blocks == sorted(blocks, reverse=True)
    assert client.get("/api/v1/portfolio/history/?limit=0").status_code == 400


def _add_holdings(offering: Offering, investor, wallet: str, count: int) -> None:
    """`count` more offerings, each with a deployed token, a settled allotment and an indexed holding."""
    _add_rows(offering, investor, count)
    fresh = list(Offering.objects.filter(token__isnull=True).order_by("pk"))
    tokens = Contract.objects.bulk_create(
        [
            Contract(
                kind=ContractKind.SECURITY_TOKEN,
                chain_id=offering.token.chain_id,
                label=f"token {o.pk}",
                address=chain_client.to_checksum(f"0x{o.pk:040x}"),
                status=ContractStatus.DEPLOYED,
            )
            for o in fresh
        ]
    )
    for o, token in zip(fresh, tokens, strict=True):
        o.token = token
    Offering.objects.bulk_update(fresh, ["token"])
    Allotment.objects.filter(offering__in=fresh).update(status=AllotmentStatus.SETTLED)
    TokenHolding.objects.bulk_create(
        [
            TokenHolding(
                chain_id=token.chain_id, token_address=token.address, wallet=wallet, units=1, block_number=1
            )
            for token in tokens
        ]
    )


def _counted(client: Client, url: str, rpc: Counter) -> tuple[int, int, Any]:
    rpc.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), sum(rpc.values()), response


def test_the_portfolio_and_dashboard_read_holdings_from_the_index_flat_for_10_and_200(settled_round):
    _, _, offering, first, _ = settled_round
    wallet = flows.profile_of(first).wallet.address
    chain_client.clear_caches()
    rpc = count_requests(chain_client.web3())
    client = _client(first)
    client.get("/api/v1/portfolio/")  # the first request of a session does its own bookkeeping

    _add_holdings(offering, first, wallet, 9)
    few = {url: _counted(client, url, rpc) for url in ("/api/v1/portfolio/", "/financing/investor/")}
    _add_holdings(offering, first, wallet, 190)
    many = {url: _counted(client, url, rpc) for url in ("/api/v1/portfolio/", "/financing/investor/")}

    assert len(many["/api/v1/portfolio/"][2].json()["holdings"]) == 200
    assert len(few["/api/v1/portfolio/"][2].json()["holdings"]) == 10
    for url in few:
        assert many[url][:2] == few[url][:2], url  # the same queries and chain requests
        assert few[url][1] <= 1, url  # the HKD balance only, never a balanceOf per holding
    assert b"As of block" in many["/financing/investor/"][2].content


def test_the_portfolio_and_dashboard_say_when_the_index_is_catching_up(settled_round):
    _, _, _, first, _ = settled_round
    client = _client(first)
    cursor = IndexerCursor.objects.get()
    IndexerCursor.objects.filter(pk=cursor.pk).update(head_number=cursor.block_number + 40)

    index = client.get("/api/v1/portfolio/").json()["index"]
    page = client.get("/financing/investor/")

    assert index == {
        "as_of_block": cursor.block_number,
        "head_block": cursor.block_number + 40,
        "catching_up": True,
    }
    assert f"As of block {cursor.block_number}".encode() in page.content
    assert b"Catching up (40 blocks behind)" in page.content
