"""A USD offering over HTTP, settled by a real Celery worker in the USD stablecoin, checked on chain."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for
from tests.test_journey import _onchain_hkd_base_units as onchain_base_units
from tests.test_journey import _onchain_units, _prepare_round
from tokens import chain as tokens_chain
from tokens.choices import ContractKind, PaymentLegKind
from tokens.models import PaymentLeg
from tokens.selectors import payment_token, platform_contract

pytestmark = pytest.mark.journey
START = 100_000 * 10**6  # each investor's test USD and test HKD, in base units


def test_a_usd_offering_settles_in_its_own_stablecoin_through_the_worker(api, celery_worker_process):
    round_ = _prepare_round(api, investors=2, units_each=[70, 50], currency="USD", faucet=("HKD",))
    operator, offering_id = round_["operator"], round_["offering_id"]
    offering = operator.get(f"offerings/{offering_id}/")
    assert offering["currency"] == "USD"
    token = offering["token_address"]
    usd, hkd = payment_token("USD").address, payment_token("HKD").address
    assert usd != hkd
    settlement = str(platform_contract(ContractKind.SETTLEMENT).address)
    _, registered_payment_token, unit_price, _ = tokens_chain.call(
        "Settlement", settlement, "offeringOf", token
    )
    assert (registered_payment_token, unit_price) == (usd, 1000 * 10**6)

    operator.post(f"offerings/{offering_id}/close/", expect=202)
    wait_for(lambda: operator.get(f"offerings/{offering_id}/")["status"] == "settled", what="settlement")

    (first, first_wallet), _ = round_["investors"]
    issuer_wallet = round_["sme"].get("company/")["wallet_address"]
    units = {}
    for investor, wallet in round_["investors"]:
        units[wallet] = investor.get("subscriptions/")["results"][0]["allotment"]["units"]
        assert _onchain_units(token, wallet) == units[wallet]
        # Paid in USD for exactly the allotted units (the rest of the escrow refunded); HKD untouched.
        assert onchain_base_units(wallet, "USD") == START - units[wallet] * 1000 * 10**6
        assert onchain_base_units(wallet, "HKD") == START
    assert sorted(units.values()) == [42, 58]
    assert onchain_base_units(issuer_wallet, "USD") == 100 * 1000 * 10**6
    assert onchain_base_units(issuer_wallet, "HKD") == 0

    # The investor's portfolio shows each currency's balance, read from the chain.
    balances = {b["currency"]: b["amount"] for b in first.get("portfolio/")["cash"]["balances"]}
    assert balances["USD"] == f"{(START - units[first_wallet] * 1000 * 10**6) // 10**6}.000000"
    assert balances["HKD"] == "100000.000000"

    # Every leg is on the travel-rule record in USD: each far above HKD 8,000, so with full details.
    legs = PaymentLeg.objects.filter(currency="USD")
    kinds = sorted(legs.values_list("kind", flat=True))
    assert kinds == sorted(
        [PaymentLegKind.SUBSCRIPTION_FUNDING] * 2
        + [PaymentLegKind.SETTLEMENT] * 2
        + [PaymentLegKind.REFUND] * 2
    )
    assert all(leg.full_details for leg in legs)
    assert all(leg.originator_institution == leg.beneficiary_institution != "" for leg in legs)
    paid = {leg.beneficiary_wallet: leg.amount for leg in legs.filter(kind=PaymentLegKind.SETTLEMENT)}
    assert set(paid) == {issuer_wallet}
    assert sum(legs.filter(kind=PaymentLegKind.SETTLEMENT).values_list("amount", flat=True)) == 100_000
    assert all(
        leg.chain_transaction.status == "confirmed" for leg in legs.select_related("chain_transaction")
    )
    assert not PaymentLeg.objects.exclude(currency="USD").exists()
