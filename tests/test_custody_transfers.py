"""Units move between investors only as the seller signed, and money only as the buyer signed.

The attacker holds the platform's settler key and signs transactions with it directly, bypassing the
outbox. Every attempt is mined and reverts; units and money are read from the chain before and after.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from financing.services import investor_reference, transfer_accept, transfer_create
from tests import flows
from tests.test_custody import ATTACKER, _send_as_settler
from tokens import chain as tokens_chain
from tokens.choices import ContractKind
from tokens.selectors import platform_contract


@pytest.fixture
def sale(platform):
    _officer, _operator, offering, first, second = flows.settled_round()
    recorded = transfer_create(
        user=first,
        offering_id=offering.pk,
        units=10,
        recipient_reference=investor_reference(flows.profile_of(second)),
        price=Decimal("9000"),
    )
    done = transfer_accept(user=second, transfer_id=recorded.pk)
    return {"offering": offering, "first": first, "second": second, "transfer": done}


def _state(offering, wallets: list[str]) -> list[int]:
    token = offering.token.address
    payment = platform_contract(ContractKind.PAYMENT_TOKEN).address
    settlement = platform_contract(ContractKind.SETTLEMENT).address
    units = [int(tokens_chain.call("SecurityToken", token, "balanceOf", w)) for w in wallets]
    money = [int(tokens_chain.call("PaymentToken", payment, "balanceOf", w)) for w in [*wallets, settlement]]
    allowances = [int(tokens_chain.call("SecurityToken", token, "allowance", w, settlement)) for w in wallets]
    return units + money + allowances


def test_the_settler_key_alone_cannot_move_units_between_investors(sale, chain):
    offering, transfer = sale["offering"], sale["transfer"]
    seller = flows.profile_of(sale["first"]).wallet.address
    buyer = flows.profile_of(sale["second"]).wallet.address
    settlement = tokens_chain.contract("Settlement", platform_contract(ContractKind.SETTLEMENT).address)
    token = tokens_chain.contract("SecurityToken", offering.token.address)
    call = tokens_chain.decode_call("Settlement", transfer.chain_transaction.data)
    seller_auth, buyer_auth = call["sellerAuthorisation"], call["buyerAuthorisation"]
    before = _state(offering, [seller, buyer, ATTACKER.address])
    no_signature = (27, b"\1" * 32, b"\1" * 32)
    attempts = {
        "the recorded delivery replayed": (settlement, "transferUnits", *call.values()),
        "the same signatures under a new transfer id": (
            settlement,
            "transferUnits",
            *{**call, "transferId": 999_999}.values(),
        ),
        "more units for the same signatures": (settlement, "transferUnits", *{**call, "units": 20}.values()),
        "a lower price for the same signatures": (
            settlement,
            "transferUnits",
            *{**call, "transferId": 999_998, "price": 1}.values(),
        ),
        "units to the attacker": (
            settlement,
            "transferUnits",
            *{**call, "transferId": 999_997, "buyer": ATTACKER.address}.values(),
        ),
        "a gift nobody signed": (
            settlement,
            "transferUnits",
            offering.token.address,
            999_996,
            seller,
            buyer,
            5,
            0,
            2**40,
            no_signature,
            no_signature,
        ),
        # The seller's authorisation names Settlement as executor: the settler cannot use it directly.
        "the seller's authorisation used by the settler": (
            token,
            "permitTransfer",
            seller,
            buyer,
            10,
            call["validBefore"],
            tokens_chain.call(
                "Settlement",
                settlement.address,
                "transferNonce",
                offering.token.address,
                transfer.pk,
                seller,
                buyer,
                10,
                call["price"],
            ),
            *_vrs(seller_auth),
        ),
        "a plain transferFrom": (token, "transferFrom", seller, ATTACKER.address, 1),
        "an agent's forced transfer": (token, "agentTransfer", seller, ATTACKER.address, 1),
    }
    for name, (contract, function, *args) in attempts.items():
        assert _send_as_settler(chain, contract, function, *args) == 0, f"{name} went through"
    assert buyer_auth  # the buyer's signature was part of the replayed call

    assert _state(offering, [seller, buyer, ATTACKER.address]) == before
    assert before[:2] == [50, 50]


def _vrs(authorisation) -> tuple:
    """(v, r, s) of a decoded Authorisation struct (web3 decodes it as a dict or a tuple)."""
    if isinstance(authorisation, dict):
        return (authorisation["v"], authorisation["r"], authorisation["s"])
    return tuple(authorisation)
