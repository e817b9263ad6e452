"""The investor's transaction history (page and API): every kind with its transaction hash, from the
chain's event index and the books, and only ever the investor's own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from web3 import Web3

from financing.agreements import accepted_versions
from financing.models import Subscription
from financing.services import subscription_create, subscription_withdraw
from tests import flows
from tokens import chain as chain_client
from tokens.choices import ContractKind
from tokens.indexer.stream import chain_index
from tokens.models import ChainEvent, ChainTransaction
from tokens.selectors import platform_contract, token_balance


@pytest.fixture
def settled_round(platform):
    """A bond of 100 units oversubscribed by two investors (60 and 40 allotted), settled on chain."""
    return flows.settled_round()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _all(client: Client) -> list[dict]:
    body = client.get("/api/v1/portfolio/transactions/?limit=200").json()
    assert body["count"] == len(body["results"])
    return body["results"]


def _as_agent(call) -> str:
    """An agent power used directly on the token (anvil impersonates the timelock that holds it)."""
    w3 = chain_client.web3()
    timelock = platform_contract(ContractKind.TIMELOCK).address
    w3.provider.make_request("anvil_impersonateAccount", [timelock])  # type: ignore[arg-type]
    w3.provider.make_request("anvil_setBalance", [timelock, hex(10**18)])  # type: ignore[arg-type]
    tx = call.transact({"from": timelock})
    w3.eth.wait_for_transaction_receipt(tx)
    return Web3.to_hex(tx)


def test_the_history_lists_the_subscription_its_escrow_payment_and_settlement_with_hashes_dates_and_amounts(
    settled_round,
):
    _, _, offering, first, _ = settled_round
    chain_index()

    entries = _all(_client(first))

    kinds = [entry["kind"] for entry in entries]
    assert kinds[:3] == ["settled", "subscription_funded", "subscription_requested"]
    assert "identity_registered" in kinds
    settled, funded, requested = entries[:3]
    subscription = Subscription.objects.get(investor=first)
    allotment_tx = subscription.allotment.chain_transaction
    assert settled["tx_hash"] == allotment_tx.tx_hash
    assert settled["at"] is not None
    assert settled["block_number"] == allotment_tx.block_number
    assert (settled["offering_id"], settled["title"], settled["currency"]) == (
        offering.pk,
        offering.application.title,
        "HKD",
    )
    assert (settled["units"], Decimal(settled["amount"]), Decimal(settled["refund"])) == (
        60,
        Decimal("60000"),
        Decimal("30000"),
    )
    assert funded["tx_hash"] == subscription.funding_transaction.tx_hash
    assert Decimal(funded["amount"]) == Decimal("90000")
    assert funded["units"] == 90
    assert requested == {
        **requested,
        "source": "books",
        "tx_hash": "",
        "status": "allotted",
        "units": 90,
        "subscription_id": subscription.pk,
        "offering_id": offering.pk,
    }
    for entry in entries:
        if entry["source"] == "chain":
            assert len(entry["tx_hash"]) == 66
            assert ChainTransaction.objects.filter(tx_hash=entry["tx_hash"]).exists()


def test_forced_transfers_and_redemptions_show_on_both_sides_and_never_another_investors(settled_round):
    _, _, offering, first, second = settled_round
    w3 = chain_client.web3()
    token = w3.eth.contract(address=offering.token.address, abi=chain_client.artifact("SecurityToken")["abi"])
    first_wallet = flows.profile_of(first).wallet.address
    second_wallet = flows.profile_of(second).wallet.address
    moved = _as_agent(token.functions.agentTransfer(first_wallet, second_wallet, 5))
    redeemed = _as_agent(token.functions.redeemTokens(second_wallet, 45))
    chain_index()

    mine, theirs = _all(_client(first)), _all(_client(second))

    forced = next(e for e in mine if e["kind"] == "forced_transfer_out")
    assert (forced["tx_hash"], forced["units"], forced["offering_id"]) == (moved, 5, offering.pk)
    # Not sent through the platform's outbox (impersonated here): no confirmation time, so it is shown
    # by its block and sorts after the dated entries.
    assert forced["at"] is None
    assert mine[-1] == forced
    assert {e["kind"] for e in theirs} >= {"forced_transfer_in", "redeemed"}
    assert next(e for e in theirs if e["kind"] == "redeemed")["tx_hash"] == redeemed
    assert token_balance(offering.token, second_wallet) == 0
    # Scoped: the other investor's subscription, payments and settlement never appear.
    # (Both settled in one batch transaction: the entries are theirs by subscription and wallet.)
    theirs_only = {Subscription.objects.get(investor=second).pk}
    assert {e["subscription_id"] for e in theirs if e["subscription_id"] is not None} == theirs_only
    assert {e["subscription_id"] for e in mine if e["subscription_id"] is not None} == {
        Subscription.objects.get(investor=first).pk
    }
    assert [e["units"] for e in theirs if e["kind"] == "settled"] == [40]


def test_a_subscription_the_chain_never_saw_is_in_the_history_from_the_books(platform):
    officer = flows.officer()
    company = flows.verified_company(by=officer)
    offering = flows.open_offering(company=company, by=officer, opener=flows.operator(), units=100)
    investor = flows.approved_investor(by=officer, funds=Decimal("5000"))
    subscription = subscription_create(user=investor, offering_id=offering.pk, units=1, **accepted_versions())
    ChainEvent.objects.filter(name="Funded").delete()  # as if the payment were still on its way

    (entry, *_) = _all(_client(investor))

    assert (entry["kind"], entry["subscription_id"], entry["tx_hash"]) == (
        "subscription_requested",
        subscription.pk,
        "",
    )


def test_the_transactions_page_shows_each_entry_with_its_hash_and_pages(settled_round):
    _, _, offering, first, _ = settled_round
    chain_index()
    client = _client(first)

    html = client.get("/financing/investor/transactions/").content.decode()

    settled_hash = Subscription.objects.get(investor=first).allotment.chain_transaction.tx_hash
    assert f'title="{settled_hash}"' in html
    assert "Settled: units minted, payment to the issuer" in html
    assert "Subscription requested" in html
    assert offering.application.title in html
    assert "HK$60,000.00" in html
    dashboard = client.get("/financing/investor/").content.decode()
    assert "Latest transactions" in dashboard
    assert f'title="{settled_hash}"' in dashboard


def test_the_portfolio_api_summarises_the_newest_transactions(settled_round):
    _, _, _, first, _ = settled_round
    chain_index()

    body = _client(first).get("/api/v1/portfolio/").json()

    assert [e["kind"] for e in body["transactions"][:2]] == ["settled", "subscription_funded"]
    assert body["transactions_next"] is None


def test_the_transactions_api_refuses_a_bad_page_and_other_roles(settled_round):
    officer, operator, _, first, _ = settled_round

    assert _client(first).get("/api/v1/portfolio/transactions/?limit=0").status_code == 400
    assert _client(operator).get("/api/v1/portfolio/transactions/").status_code == 403
    assert _client(officer).get("/financing/investor/transactions/").status_code == 403


def test_a_withdrawn_subscription_shows_its_escrow_payment_and_its_refund_with_hashes(platform):
    officer = flows.officer()
    company = flows.verified_company(by=officer)
    offering = flows.open_offering(company=company, by=officer, opener=flows.operator(), units=100)
    investor = flows.approved_investor(by=officer, funds=Decimal("5000"))
    subscription = subscription_create(user=investor, offering_id=offering.pk, units=3, **accepted_versions())
    subscription_withdraw(user=investor, subscription_id=subscription.pk)
    chain_index()

    entries = _all(_client(investor))

    refunded = next(e for e in entries if e["kind"] == "refunded")
    funded = next(e for e in entries if e["kind"] == "subscription_funded")
    requested = next(e for e in entries if e["kind"] == "subscription_requested")
    subscription.refresh_from_db()
    assert refunded["tx_hash"] == subscription.refund_transaction.tx_hash
    assert Decimal(refunded["amount"]) == Decimal(funded["amount"]) == Decimal("3000")
    assert refunded["offering_id"] == funded["offering_id"] == offering.pk
    assert entries.index(refunded) < entries.index(funded) < entries.index(requested)
    assert requested["status"] == "withdrawn"
