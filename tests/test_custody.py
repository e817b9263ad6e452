"""Money moves only as its owner agreed, enforced on chain: the settler key alone cannot drain anyone.

The attacker here holds the platform's settler key (as if every web and worker process had been
compromised) and signs transactions with it directly, bypassing the outbox. Every attempt is mined and
reverts; every balance is read from the chain before and after.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from eth_account import Account
from web3 import Web3

from config.errors import Conflict
from financing.agreements import accepted_versions
from financing.models import Subscription
from financing.services import offering_close, subscription_create
from tests import flows
from tokens import chain as tokens_chain
from tokens import reconcile, signer
from tokens.choices import ContractKind, WalletKind
from tokens.models import ChainTransaction, OperatorAlert
from tokens.selectors import payment_token, platform_contract, platform_wallet

ATTACKER = Account.create()
HKD = 10**6


@pytest.fixture
def two_rounds(platform):
    """Offering A: two investors escrowed (one allotted in full after close); offering B: open, one escrow."""
    officer, operator = flows.officer(), flows.operator()
    first = flows.open_offering(company=flows.verified_company(by=officer), by=officer, opener=operator)
    second = flows.open_offering(
        company=flows.verified_company(by=officer, name="Tsing Yi Logistics Limited"),
        by=officer,
        opener=operator,
    )
    investors = [flows.approved_investor(by=officer, funds=Decimal("5000000")) for _ in range(3)]
    subscriptions = [
        subscription_create(user=investors[0], offering_id=first.pk, units=40, **accepted_versions()),
        subscription_create(user=investors[1], offering_id=first.pk, units=30, **accepted_versions()),
        subscription_create(user=investors[2], offering_id=second.pk, units=25, **accepted_versions()),
    ]
    offering_close(actor=operator, offering_id=first.pk)  # settles 40 + 30 units of A
    open_escrow = subscriptions[2]
    return {
        "first": first,
        "second": second,
        "investors": investors,
        "wallets": [flows.profile_of(user).wallet.address for user in investors],
        "open_escrow": open_escrow,
    }


def _balances(w3: Web3, round_: dict[str, Any]) -> dict[str, int]:
    payment = tokens_chain.contract("PaymentToken", platform_contract(ContractKind.PAYMENT_TOKEN).address)
    settlement = platform_contract(ContractKind.SETTLEMENT).address
    holders = {
        "attacker": ATTACKER.address,
        "settlement escrow": settlement,
        "issuer A": round_["first"].application.company.wallet.address,
        "issuer B": round_["second"].application.company.wallet.address,
        **{f"investor {n}": wallet for n, wallet in enumerate(round_["wallets"])},
    }
    return {name: payment.functions.balanceOf(address).call() for name, address in holders.items()}


def _send_as_settler(w3: Web3, contract: Any, function: str, *args: Any) -> int:
    """Sign `function(*args)` with the stolen settler key, bypassing the outbox; the receipt's status."""
    stolen = signer.LocalKeyBackend()._account(platform_wallet(WalletKind.SETTLER))
    transaction = getattr(contract.functions, function)(*args).build_transaction(
        {
            "from": stolen.address,
            "nonce": w3.eth.get_transaction_count(stolen.address, "pending"),
            "gas": 600_000,  # fixed, so a reverting call is mined and its revert is on the record
            "gasPrice": w3.eth.gas_price,
            "chainId": w3.eth.chain_id,
        }
    )
    signed = stolen.sign_transaction(transaction)
    return int(
        w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))["status"]
    )


def test_the_settler_key_alone_cannot_move_investor_money(two_rounds, chain):
    round_ = two_rounds
    settlement = tokens_chain.contract("Settlement", platform_contract(ContractKind.SETTLEMENT).address)
    payment = tokens_chain.contract("PaymentToken", platform_contract(ContractKind.PAYMENT_TOKEN).address)
    token_a, token_b = round_["first"].token.address, round_["second"].token.address
    escrowed = round_["open_escrow"]
    victim = round_["wallets"][2]
    funding = ChainTransaction.objects.get(pk=Subscription.objects.get(pk=escrowed.pk).funding_transaction_id)
    replayed = tokens_chain.decode_call("Settlement", funding.data)
    before = _balances(chain, round_)
    assert before["settlement escrow"] == 25 * 1000 * HKD

    attempts = {
        # A payout names payer and payees: only funded distributions, only to holders.
        "payout of an unfunded distribution": ("payout", 1, 1, [ATTACKER.address], [10**6 * HKD]),
        # A fake token: the contract knows no offering for it, so no price, issuer or escrow.
        "settle with a fake token": ("settle", ATTACKER.address, escrowed.pk, 1),
        # The escrow of offering B settled into offering A's token: another issuer.
        "settle into the wrong issuer": ("settle", token_a, escrowed.pk, 25),
        # More units than the investor paid for.
        "settle an inflated amount": ("settle", token_b, escrowed.pk, 26),
        # The investor's authorisation replayed, and bent to more units.
        "replayed authorisation": ("fund", *replayed.values()),
        "authorisation for other units": (
            "fund",
            *{**replayed, "subscriptionId": 999_999, "units": 2_500}.values(),
        ),
        # Admin powers the settler does not have.
        "register a fake offering": (
            "registerOffering",
            ATTACKER.address,
            ATTACKER.address,
            payment.address,
            1,
            2**40,
        ),
        "grant itself a role": ("grantRole", b"\0" * 32, ATTACKER.address),
        "allow another payment token": ("setPaymentTokenAllowed", ATTACKER.address, True),
    }
    for name, (function, *args) in attempts.items():
        assert _send_as_settler(chain, settlement, function, *args) == 0, f"{name} went through"
    # No standing allowance exists for a settler (or anyone) to spend.
    assert _send_as_settler(chain, payment, "transferFrom", victim, ATTACKER.address, HKD) == 0

    assert _balances(chain, round_) == before
    for wallet in round_["wallets"]:
        assert payment.functions.allowance(wallet, settlement.address).call() == 0
    assert settlement.functions.escrowOf(token_b, escrowed.pk).call() == [victim, 25 * 1000 * HKD]


def test_a_money_movement_without_a_recorded_intent_alerts_operators(two_rounds, chain):
    round_ = two_rounds
    assert reconcile.money_movements_reconcile() == []  # the rounds' own writes all match the outbox

    # Someone uses an investor's key outside the platform: HKD leaves the wallet with no recorded intent.
    victim = flows.profile_of(round_["investors"][0]).wallet
    stolen = signer.LocalKeyBackend()._account(victim)
    chain.provider.make_request("anvil_setBalance", [victim.address, hex(10**18)])
    payment = tokens_chain.contract("PaymentToken", platform_contract(ContractKind.PAYMENT_TOKEN).address)
    transaction = payment.functions.transfer(ATTACKER.address, 1_000 * HKD).build_transaction(
        {
            "from": victim.address,
            "nonce": chain.eth.get_transaction_count(victim.address),
            "gas": 100_000,
            "gasPrice": chain.eth.gas_price,
            "chainId": chain.eth.chain_id,
        }
    )
    tx_hash = chain.eth.send_raw_transaction(stolen.sign_transaction(transaction).raw_transaction)
    chain.eth.wait_for_transaction_receipt(tx_hash)

    raised = reconcile.money_movements_reconcile()

    assert [alert.tx_hash for alert in raised] == ["0x" + bytes(tx_hash).hex().removeprefix("0x")]
    assert victim.address in raised[0].message
    assert reconcile.money_movements_reconcile() == []  # each event alerts once
    assert OperatorAlert.objects.count() == 1


def test_registering_an_offering_waits_for_the_timelock_delay(platform, chain, settings):
    from datetime import timedelta

    from django.utils import timezone
    from web3.exceptions import ContractCustomError

    from financing.choices import OfferingStatus
    from financing.models import Offering
    from financing.services import INTENT_REGISTER_OFFERING
    from tokens import outbox
    from tokens.choices import ChainTxStatus
    from tokens.tasks import chain_outbox_sweep

    settings.CHAIN_ADMIN_DELAY_SECONDS = 3600
    officer = flows.officer()
    company = flows.verified_company(by=officer)
    with pytest.raises(Conflict, match="preparing"):  # it cannot open: the registration still waits
        flows.open_offering(company=company, by=officer, opener=flows.operator())
    offering = Offering.objects.get()
    execution = ChainTransaction.objects.get(intent=INTENT_REGISTER_OFFERING)
    assert offering.status == OfferingStatus.PREPARING
    assert execution.status == ChainTxStatus.PENDING
    assert execution.not_before > timezone.now() + timedelta(seconds=3500)
    assert outbox.chain_transaction_send(tx_id=execution.pk) is False  # not before its time
    assert chain_outbox_sweep(older_than_seconds=0) == 0
    # Nor would the chain take it early, whoever signed it.
    timelock = tokens_chain.contract("PlatformTimelock", platform_contract(ContractKind.TIMELOCK).address)
    call = tokens_chain.decode_call("PlatformTimelock", execution.data)
    with pytest.raises(ContractCustomError):
        timelock.functions.execute(*call.values()).call({"from": platform_wallet(WalletKind.ADMIN).address})

    chain.provider.make_request("evm_increaseTime", [3601])
    chain.provider.make_request("evm_mine", [])
    ChainTransaction.objects.filter(pk=execution.pk).update(not_before=timezone.now())  # the hour has passed
    chain_outbox_sweep(older_than_seconds=0)

    assert ChainTransaction.objects.get(pk=execution.pk).status == ChainTxStatus.CONFIRMED
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.READY
    settlement = tokens_chain.contract("Settlement", platform_contract(ContractKind.SETTLEMENT).address)
    issuer, _, unit_price, _ = settlement.functions.offeringOf(offering.token.address).call()
    assert issuer == company.wallet.address
    assert unit_price == 1000 * HKD


def test_a_usd_transfer_nobody_recorded_alerts_operators_naming_the_currency(platform, chain):
    officer = flows.officer()
    investor = flows.approved_investor(by=officer, funds=Decimal("5000"), currency="USD")
    assert reconcile.money_movements_reconcile() == []  # the faucet's mint is a recorded write
    victim = flows.profile_of(investor).wallet
    stolen = signer.LocalKeyBackend()._account(victim)
    chain.provider.make_request("anvil_setBalance", [victim.address, hex(10**18)])
    usd = tokens_chain.contract("PaymentToken", payment_token("USD").address)
    transaction = usd.functions.transfer(ATTACKER.address, 1_000 * HKD).build_transaction(
        {
            "from": victim.address,
            "nonce": chain.eth.get_transaction_count(victim.address),
            "gas": 100_000,
            "gasPrice": chain.eth.gas_price,
            "chainId": chain.eth.chain_id,
        }
    )
    tx_hash = chain.eth.send_raw_transaction(stolen.sign_transaction(transaction).raw_transaction)
    chain.eth.wait_for_transaction_receipt(tx_hash)

    (alert,) = reconcile.money_movements_reconcile()

    assert alert.tx_hash == "0x" + bytes(tx_hash).hex().removeprefix("0x")
    assert alert.message.startswith(f"USD transfer out of customer wallet {victim.address}")
