"""Settlement: delivery versus payment once per allotment id, batches all or nothing, payouts once per id."""

from __future__ import annotations

import pytest
from eth_account import Account
from web3.exceptions import ContractCustomError
from web3.logs import DISCARD

from .conftest import (
    FAR_FUTURE,
    HK,
    INVESTOR_CLASS_REQUIRED,
    MAX_UINT,
    PROFESSIONAL,
    RECIPIENT_NOT_VERIFIED,
    artifact,
    assert_reverts,
    error_selector,
    now,
    send,
)
from .test_payment_and_documents import sign_permit

HKD = 1_000_000  # 1 HKDT in base units


@pytest.fixture
def funded(platform):
    """Investors hold HKDT and approved Settlement; the token takes professional investors only."""
    p = platform
    for investor in p.investors:
        send(p.payment.functions.mint(investor, 1_000_000 * HKD), p.admin)
        send(p.payment.functions.approve(p.settlement.address, MAX_UINT), investor)
    send(p.payment.functions.mint(p.payer, 1_000_000 * HKD), p.admin)
    send(p.payment.functions.approve(p.settlement.address, MAX_UINT), p.payer)
    send(p.token.functions.setRules(PROFESSIONAL, 0, 0, 0), p.admin)
    return p


def allotment(p, allotment_id, investor, units=10, price=100 * HKD):
    return (allotment_id, p.token.address, investor, p.issuer, units, units * price)


def test_settle_pays_the_issuer_and_mints_to_the_investor(funded):
    p = funded
    receipt = send(p.settlement.functions.settle(*allotment(p, 7, p.alice)), p.admin)
    assert p.token.functions.balanceOf(p.alice).call() == 10
    assert p.payment.functions.balanceOf(p.issuer).call() == 1_000 * HKD
    assert p.payment.functions.balanceOf(p.alice).call() == 999_000 * HKD
    assert p.settlement.functions.isSettled(7).call()
    assert not p.settlement.functions.isSettled(8).call()
    (event,) = p.settlement.events.Settled().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {
        "allotmentId": 7,
        "token": p.token.address,
        "investor": p.alice,
        "issuer": p.issuer,
        "units": 10,
        "payment": 1_000 * HKD,
    }


def test_an_allotment_settles_at_most_once(funded, unchanged):
    p = funded
    send(p.settlement.functions.settle(*allotment(p, 7, p.alice)), p.admin)
    with unchanged():
        assert_reverts(p.settlement.functions.settle(*allotment(p, 7, p.alice)), p.admin, "AlreadySettled", 7)
        assert_reverts(p.settlement.functions.settle(*allotment(p, 7, p.bob)), p.admin, "AlreadySettled", 7)
        assert_reverts(
            p.settlement.functions.settleBatch([allotment(p, 8, p.bob), allotment(p, 7, p.bob)]),
            p.admin,
            "AlreadySettled",
            7,
        )
    assert not p.settlement.functions.isSettled(8).call()


def test_a_batch_settles_every_allotment_in_one_transaction(funded):
    p = funded
    batch = [allotment(p, 1_000 + i, inv) for i, inv in enumerate([p.alice, p.bob, p.carol, p.alice])]
    receipt = send(p.settlement.functions.settleBatch(batch), p.admin)
    assert len(p.settlement.events.Settled().process_receipt(receipt, errors=DISCARD)) == 4
    assert p.token.functions.balanceOf(p.alice).call() == 20
    assert p.token.functions.totalSupply().call() == 40
    assert p.payment.functions.balanceOf(p.issuer).call() == 4_000 * HKD
    assert all(p.settlement.functions.isSettled(1_000 + i).call() for i in range(4))


def test_a_batch_with_a_duplicate_id_settles_nothing(funded, unchanged):
    p = funded
    with unchanged():
        assert_reverts(
            p.settlement.functions.settleBatch([allotment(p, 5, p.alice), allotment(p, 5, p.bob)]),
            p.admin,
            "AlreadySettled",
            5,
        )
    assert not p.settlement.functions.isSettled(5).call()


def test_a_non_compliant_allotment_fails_the_whole_batch(funded, unchanged):
    p = funded
    send(p.payment.functions.mint(p.outsider, 1_000_000 * HKD), p.admin)
    send(p.payment.functions.approve(p.settlement.address, MAX_UINT), p.outsider)
    with unchanged():
        # dave is a retail investor: the token takes professional investors only
        assert_reverts(
            p.settlement.functions.settleBatch([allotment(p, 1, p.alice), allotment(p, 2, p.dave)]),
            p.admin,
            "MintNotCompliant",
            INVESTOR_CLASS_REQUIRED,
            contract=p.token,
        )
        assert_reverts(
            p.settlement.functions.settle(*allotment(p, 3, p.outsider)),
            p.admin,
            "MintNotCompliant",
            RECIPIENT_NOT_VERIFIED,
            contract=p.token,
        )
    assert not p.settlement.functions.isSettled(1).call()
    assert not p.settlement.functions.isSettled(3).call()


def test_settlement_without_enough_payment_delivers_nothing(funded, unchanged):
    p = funded
    with unchanged():
        assert_reverts(
            p.settlement.functions.settle(1, p.token.address, p.alice, p.issuer, 1, 10**30),
            p.admin,
            "ERC20InsufficientBalance",
            contract=p.payment,
        )
        send(p.payment.functions.approve(p.settlement.address, 0), p.bob)
        assert_reverts(
            p.settlement.functions.settle(*allotment(p, 2, p.bob)),
            p.admin,
            "ERC20InsufficientAllowance",
            contract=p.payment,
        )
        send(p.payment.functions.approve(p.settlement.address, MAX_UINT), p.bob)


def test_settle_after_an_investor_permit(funded):
    p = funded
    investor = Account.create()
    send(p.registry.functions.registerIdentity(investor.address, HK, PROFESSIONAL, FAR_FUTURE), p.admin)
    send(p.payment.functions.mint(investor.address, 500 * HKD), p.admin)
    deadline = now(p.w3) + 3_600
    signed = sign_permit(p, investor, p.settlement.address, MAX_UINT, deadline)
    send(
        p.payment.functions.permit(
            investor.address,
            p.settlement.address,
            MAX_UINT,
            deadline,
            signed.v,
            signed.r.to_bytes(32, "big"),
            signed.s.to_bytes(32, "big"),
        ),
        p.admin,
    )
    send(
        p.settlement.functions.settle(99, p.token.address, investor.address, p.issuer, 5, 500 * HKD), p.admin
    )
    assert p.token.functions.balanceOf(investor.address).call() == 5
    assert p.payment.functions.balanceOf(investor.address).call() == 0


def test_settlement_needs_the_minter_role_on_the_token(funded, unchanged):
    p = funded
    other = p.new_token(settlement="0x" + "00" * 20)
    with unchanged(other):
        assert_reverts(
            p.settlement.functions.settle(1, other.address, p.alice, p.issuer, 1, HKD),
            p.admin,
            "NotMinter",
            p.settlement.address,
            contract=other,
        )


def test_only_settlers_settle_and_pay(funded):
    p = funded
    for call in (
        p.settlement.functions.settle(*allotment(p, 1, p.alice)),
        p.settlement.functions.settleBatch([allotment(p, 1, p.alice)]),
        p.settlement.functions.payout(1, p.payer, [p.alice], [1]),
    ):
        assert_reverts(call, p.outsider, "AccessControlUnauthorizedAccount")
    send(p.settlement.functions.grantRole(p.settlement.functions.SETTLER_ROLE().call(), p.spare), p.admin)
    send(p.settlement.functions.settle(*allotment(p, 1, p.alice)), p.spare)


def test_payment_token_is_fixed_and_required(platform):
    p = platform
    assert p.settlement.functions.paymentToken().call() == p.payment.address
    factory = p.w3.eth.contract(abi=p.settlement.abi, bytecode=artifact("Settlement")["bytecode"])
    with pytest.raises(ContractCustomError) as refused:
        factory.constructor(p.admin, "0x" + "00" * 20).transact({"from": p.admin})
    assert str(refused.value.data).startswith(error_selector(p.settlement, "InvalidPaymentToken"))


def test_payout_pays_every_holder_once(funded, unchanged):
    p = funded
    holders, amounts = [p.alice, p.bob, p.carol], [100 * HKD, 0, 250 * HKD]
    receipt = send(p.settlement.functions.payout(42, p.payer, holders, amounts), p.admin)
    (event,) = p.settlement.events.DistributionPaid().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {"distributionId": 42, "payer": p.payer, "holders": 3, "total": 350 * HKD}
    assert p.payment.functions.balanceOf(p.alice).call() == 1_000_100 * HKD
    assert p.payment.functions.balanceOf(p.carol).call() == 1_000_250 * HKD
    assert p.payment.functions.balanceOf(p.payer).call() == 999_650 * HKD
    assert p.settlement.functions.isPaid(42).call()
    assert not p.settlement.functions.isPaid(43).call()
    with unchanged():
        assert_reverts(
            p.settlement.functions.payout(42, p.payer, holders, amounts), p.admin, "AlreadyPaid", 42
        )


def test_payout_is_all_or_nothing(funded, unchanged):
    p = funded
    with unchanged():
        assert_reverts(
            p.settlement.functions.payout(1, p.payer, [p.alice, p.bob], [1]), p.admin, "LengthMismatch"
        )
        assert_reverts(
            p.settlement.functions.payout(1, p.payer, [p.alice, p.bob], [HKD, 10**30]),
            p.admin,
            "ERC20InsufficientBalance",
            contract=p.payment,
        )
    assert not p.settlement.functions.isPaid(1).call()
