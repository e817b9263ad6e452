"""Settlement: registered offerings, escrow funded by the investor's own authorisation, settle, refund,
and distributions funded by the issuer and paid only to current holders."""

from __future__ import annotations

import pytest
from eth_utils import keccak
from web3.logs import DISCARD

from .conftest import (
    HKD,
    INVESTOR_CLASS_REQUIRED,
    OK,
    PROFESSIONAL,
    RECIPIENT_NOT_VERIFIED,
    SETTLE_WINDOW,
    UNIT_PRICE,
    ZERO_ADDRESS,
    advance_time,
    assert_reverts,
    authorization_nonce,
    deploy,
    distribution_nonce,
    now,
    send,
)

START = 1_000_000 * HKD  # each investor's HKDT


@pytest.fixture
def funded(platform):
    """Investors hold HKDT (and allow nobody anything); the token takes professional investors only."""
    p = platform
    for investor in p.investors:
        send(p.payment.functions.mint(investor, START), p.admin)
    send(p.token.functions.setTransferRules(PROFESSIONAL, 0, 0, 0), p.admin)
    return p


def cash(p, wallet):
    return p.payment.functions.balanceOf(wallet).call()


def register(p, token, issuer, price=UNIT_PRICE):
    send(
        p.settlement.functions.registerOffering(
            token.address, issuer, p.payment.address, price, now(p.w3) + SETTLE_WINDOW
        ),
        p.admin,
    )


# ---------------------------------------------------------------- roles and offerings


def test_the_constructor_grants_admin_and_registrar_to_the_admin_and_no_settler(platform):
    p = platform
    settlement = deploy(p.w3, "Settlement", p.spare, sender=p.admin)
    roles = {
        name: p.role(settlement, name) for name in ("DEFAULT_ADMIN_ROLE", "REGISTRAR_ROLE", "SETTLER_ROLE")
    }
    assert roles["REGISTRAR_ROLE"] == keccak(text="REGISTRAR_ROLE")
    assert roles["SETTLER_ROLE"] == keccak(text="SETTLER_ROLE")
    assert settlement.functions.hasRole(roles["DEFAULT_ADMIN_ROLE"], p.spare).call()
    assert settlement.functions.hasRole(roles["REGISTRAR_ROLE"], p.spare).call()
    assert not settlement.functions.hasRole(roles["SETTLER_ROLE"], p.spare).call()
    assert not settlement.functions.hasRole(roles["DEFAULT_ADMIN_ROLE"], p.admin).call()


def test_an_offering_is_registered_once_and_never_changes(platform):
    p = platform
    other = p.new_token()
    settle_by = now(p.w3) + 1_000
    receipt = send(
        p.settlement.functions.registerOffering(
            other.address, p.issuer, p.payment.address, 5 * HKD, settle_by
        ),
        p.admin,
    )
    (event,) = p.settlement.events.OfferingRegistered().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {
        "token": other.address,
        "issuer": p.issuer,
        "paymentToken": p.payment.address,
        "unitPrice": 5 * HKD,
        "settleBy": settle_by,
    }
    expected = [p.issuer, p.payment.address, 5 * HKD, settle_by]
    assert p.settlement.functions.offeringOf(other.address).call() == expected
    assert_reverts(
        p.settlement.functions.registerOffering(other.address, p.outsider, p.payment.address, 1, settle_by),
        p.admin,
        "OfferingAlreadyRegistered",
        other.address,
    )
    assert p.settlement.functions.offeringOf(other.address).call() == expected


def test_invalid_offerings_are_refused(platform):
    p = platform
    other, t, pay = p.new_token(), now(p.w3), p.payment.address
    for args in (
        (ZERO_ADDRESS, p.issuer, pay, HKD, t + 1_000),
        (other.address, ZERO_ADDRESS, pay, HKD, t + 1_000),
        (other.address, p.issuer, pay, 0, t + 1_000),
        (other.address, p.issuer, pay, 2**96, t + 1_000),  # does not fit the packed offering
        (other.address, p.issuer, pay, HKD, t),  # settle-by not in the future
    ):
        assert_reverts(p.settlement.functions.registerOffering(*args), p.admin, "InvalidOffering")
    assert_reverts(
        p.settlement.functions.registerOffering(other.address, p.issuer, p.bob, HKD, t + 1_000),
        p.admin,
        "PaymentTokenNotAllowed",
        p.bob,
    )
    assert p.settlement.functions.offeringOf(other.address).call() == [ZERO_ADDRESS, ZERO_ADDRESS, 0, 0]
    send(p.settlement.functions.registerOffering(other.address, p.issuer, pay, 2**96 - 1, t + 1_000), p.admin)
    assert p.settlement.functions.offeringOf(other.address).call()[2] == 2**96 - 1


def test_the_registrar_keeps_the_payment_token_allowlist(platform):
    p = platform
    assert p.settlement.functions.isPaymentTokenAllowed(p.payment.address).call()
    receipt = send(p.settlement.functions.setPaymentTokenAllowed(p.payment.address, False), p.admin)
    (event,) = p.settlement.events.PaymentTokenAllowed().process_receipt(receipt, errors=DISCARD)
    assert (event.args.paymentToken, event.args.allowed) == (p.payment.address, False)
    assert not p.settlement.functions.isPaymentTokenAllowed(p.payment.address).call()
    other = p.new_token()
    assert_reverts(
        p.settlement.functions.registerOffering(
            other.address, p.issuer, p.payment.address, HKD, now(p.w3) + 1_000
        ),
        p.admin,
        "PaymentTokenNotAllowed",
        p.payment.address,
    )


def test_only_the_registrar_registers_offerings_and_allows_payment_tokens(platform):
    p = platform
    other = p.new_token()
    for sender in (p.settler, p.outsider, p.issuer):
        assert_reverts(
            p.settlement.functions.registerOffering(
                other.address, p.issuer, p.payment.address, HKD, now(p.w3) + 1_000
            ),
            sender,
            "AccessControlUnauthorizedAccount",
        )
        assert_reverts(
            p.settlement.functions.setPaymentTokenAllowed(p.bob, True),
            sender,
            "AccessControlUnauthorizedAccount",
        )
    assert not p.settlement.functions.isPaymentTokenAllowed(p.bob).call()


def test_only_the_settler_funds_settles_pays_and_refunds_early(funded, unchanged):
    p = funded
    send(p.fund_call("alice", 1, 10), p.settler)
    s = p.settlement.functions
    with unchanged():
        for sender in (p.admin, p.outsider, p.alice, p.issuer):
            for call in (
                p.fund_call("bob", 2, 1),
                s.settle(p.token.address, 1, 10),
                s.settleBatch(p.token.address, [(1, 10)]),
                s.fundDistribution(p.token.address, 1, HKD, *p.distribution_authorization(1, HKD)),
                s.payout(1, 1, [p.alice], [1]),
                s.closeDistribution(1),
            ):
                assert_reverts(call, sender, "AccessControlUnauthorizedAccount")
            assert_reverts(s.refund(p.token.address, 1), sender, "NotAllowedYet")
            assert_reverts(s.refundBatch(p.token.address, [1]), sender, "NotAllowedYet")
    assert p.escrow(1) == [p.alice, 10 * UNIT_PRICE]


# ---------------------------------------------------------------- funding the escrow


def test_the_nonces_bind_settlement_token_id_and_units_or_amount(platform):
    p = platform
    s, token = p.settlement.functions, p.token.address
    assert s.authorizationNonce(token, 7, 10).call() == authorization_nonce(p.settlement, token, 7, 10)
    assert s.distributionNonce(token, 7, HKD).call() == distribution_nonce(p.settlement, token, 7, HKD)
    nonces = {
        s.authorizationNonce(token, 7, 10).call(),
        s.authorizationNonce(token, 8, 10).call(),
        s.authorizationNonce(token, 7, 11).call(),
        s.authorizationNonce(p.registry.address, 7, 10).call(),
        s.distributionNonce(token, 7, 10).call(),
    }
    assert len(nonces) == 5


def test_fund_moves_exactly_the_authorised_amount_into_escrow(funded):
    p = funded
    receipt = send(p.fund_call("alice", 1, 10), p.settler)
    (event,) = p.settlement.events.Funded().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {
        "subscriptionId": 1,
        "token": p.token.address,
        "investor": p.alice,
        "units": 10,
        "amount": 10 * UNIT_PRICE,
    }
    assert p.escrow(1) == [p.alice, 10 * UNIT_PRICE]
    assert cash(p, p.alice) == START - 10 * UNIT_PRICE
    assert cash(p, p.settlement.address) == 10 * UNIT_PRICE
    assert p.payment.functions.allowance(p.alice, p.settlement.address).call() == 0
    nonce = authorization_nonce(p.settlement, p.token.address, 1, 10)
    assert p.payment.functions.authorizationState(p.alice, nonce).call()
    assert not p.settlement.functions.isSettled(p.token.address, 1).call()


def test_one_investor_funds_concurrent_subscriptions_in_any_order(funded):
    p = funded
    first = p.subscription_authorization("alice", 1, 10)
    second = p.subscription_authorization("alice", 2, 20)
    fund = p.settlement.functions.fund
    send(fund(p.token.address, 2, p.alice, 20, *second), p.settler)
    send(fund(p.token.address, 1, p.alice, 10, *first), p.settler)
    assert p.escrow(1) == [p.alice, 10 * UNIT_PRICE]
    assert p.escrow(2) == [p.alice, 20 * UNIT_PRICE]
    assert cash(p, p.alice) == START - 30 * UNIT_PRICE


def test_fund_refuses_anything_the_investor_did_not_sign(funded, unchanged):
    p = funded
    fund, token = p.settlement.functions.fund, p.token.address
    deadline, *sig = p.subscription_authorization("alice", 1, 10)
    off_by_one = p.subscription_authorization("alice", 1, 10, value=10 * UNIT_PRICE + 1)
    expired = p.subscription_authorization("alice", 1, 10, valid_before=now(p.w3))
    with unchanged():
        for call in (
            fund(token, 1, p.alice, 11, deadline, *sig),  # more units than signed
            fund(token, 2, p.alice, 10, deadline, *sig),  # another subscription
            fund(token, 1, p.bob, 10, deadline, *sig),  # another investor's money
            fund(token, 1, p.alice, 10, deadline + 1, *sig),  # a longer deadline
            fund(token, 1, p.alice, 10, *off_by_one),  # an amount that is not units x price
        ):
            assert_reverts(call, p.settler, "InvalidSignature", contract=p.payment)
        assert_reverts(
            fund(token, 1, p.alice, 10, *expired), p.settler, "AuthorizationExpired", contract=p.payment
        )
    assert p.escrow(1) == [ZERO_ADDRESS, 0]
    assert p.escrow(2) == [ZERO_ADDRESS, 0]


def test_fund_refuses_unknown_offerings_bad_units_and_a_closed_window(funded, unchanged):
    p = funded
    unregistered = p.new_token()
    too_many = (2**96 - 1) // UNIT_PRICE + 1  # the amount would not fit an escrow
    far = now(p.w3) + 2 * SETTLE_WINDOW
    with unchanged():
        assert_reverts(
            p.fund_call("alice", 1, 10, token=unregistered),
            p.settler,
            "UnknownOffering",
            unregistered.address,
        )
        for units in (0, too_many, 2**96):
            assert_reverts(p.fund_call("alice", 1, units), p.settler, "InvalidUnits")
        late = p.fund_call("alice", 1, 10, valid_before=far)
        advance_time(p.w3, SETTLE_WINDOW)
        assert_reverts(late, p.settler, "SettlementWindowClosed", p.token.address)
    assert p.escrow(1) == [ZERO_ADDRESS, 0]


def test_fund_needs_the_investors_money(funded, unchanged):
    p = funded
    with unchanged():
        assert_reverts(
            p.fund_call("outsider", 1, 1), p.settler, "ERC20InsufficientBalance", contract=p.payment
        )
    assert p.escrow(1) == [ZERO_ADDRESS, 0]


def test_a_subscription_is_funded_once_and_never_after_settling(funded, unchanged):
    p = funded
    authorization = p.subscription_authorization("alice", 1, 10)
    replay = p.settlement.functions.fund(p.token.address, 1, p.alice, 10, *authorization)
    send(replay, p.settler)
    with unchanged():
        assert_reverts(p.fund_call("alice", 1, 20), p.settler, "EscrowExists", 1)
        assert_reverts(p.fund_call("bob", 1, 10), p.settler, "EscrowExists", 1)
        assert_reverts(replay, p.settler, "EscrowExists", 1)
    send(p.settlement.functions.refund(p.token.address, 1), p.settler)
    with unchanged():
        assert_reverts(replay, p.settler, "AuthorizationAlreadyUsed", contract=p.payment)
    send(p.fund_call("bob", 2, 5), p.settler)
    send(p.settlement.functions.settle(p.token.address, 2, 5), p.settler)
    with unchanged():
        assert_reverts(p.fund_call("bob", 2, 5), p.settler, "AlreadySettled", 2)
    assert p.escrow(1) == [ZERO_ADDRESS, 0]
    assert p.escrow(2) == [ZERO_ADDRESS, 0]


# ---------------------------------------------------------------- settling


@pytest.mark.parametrize("units", [10, 6], ids=["full allotment", "cut pro rata"])
def test_settle_pays_the_registered_issuer_mints_and_refunds_the_excess(funded, units):
    p = funded
    send(p.fund_call("alice", 1, 10), p.settler)
    receipt = send(p.settlement.functions.settle(p.token.address, 1, units), p.settler)
    assert p.token.functions.balanceOf(p.alice).call() == units
    assert cash(p, p.issuer) == units * UNIT_PRICE
    assert cash(p, p.alice) == START - units * UNIT_PRICE
    assert cash(p, p.settlement.address) == 0
    assert p.escrow(1) == [ZERO_ADDRESS, 0]
    assert p.settlement.functions.isSettled(p.token.address, 1).call()
    assert not p.settlement.functions.isSettled(p.token.address, 2).call()
    (event,) = p.settlement.events.Settled().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {
        "subscriptionId": 1,
        "token": p.token.address,
        "investor": p.alice,
        "issuer": p.issuer,
        "units": units,
        "payment": units * UNIT_PRICE,
        "refund": (10 - units) * UNIT_PRICE,
    }


def test_a_batch_pays_the_issuer_once_and_refunds_each_cut(funded):
    p = funded
    for subscription_id, who, units in ((1, "alice", 10), (2, "bob", 5), (3, "carol", 8), (4, "alice", 2)):
        send(p.fund_call(who, subscription_id, units), p.settler)
    items = [(1, 10), (2, 3), (3, 8), (4, 2)]
    receipt = send(p.settlement.functions.settleBatch(p.token.address, items), p.settler)
    assert len(p.settlement.events.Settled().process_receipt(receipt, errors=DISCARD)) == 4
    transfers = [
        t
        for t in p.payment.events.Transfer().process_receipt(receipt, errors=DISCARD)
        if t.address == p.payment.address  # the mints' Transfer events share the signature
    ]
    to_issuer = [t.args.value for t in transfers if t.args.to == p.issuer]
    assert to_issuer == [23 * UNIT_PRICE]
    assert [t.args.to for t in transfers if t.args.to != p.issuer] == [p.bob]  # bob's cut of 2 units
    assert [p.token.functions.balanceOf(w).call() for w in (p.alice, p.bob, p.carol)] == [12, 3, 8]
    assert cash(p, p.bob) == START - 3 * UNIT_PRICE
    assert cash(p, p.settlement.address) == 0
    assert all(p.settlement.functions.isSettled(p.token.address, i).call() for i in range(1, 5))


def test_a_batch_across_bitmap_words_marks_every_id_and_none_can_be_funded_again(funded, unchanged):
    """The batch keeps one 256-id word of the settled bitmap in memory: ids in several words, and a word
    left and come back to, all end settled, and each settled id is refused a second escrow."""
    p = funded
    ids = [(1, "alice"), (300, "bob"), (2, "carol"), (70_000, "alice"), (301, "bob")]
    for subscription_id, who in ids:
        send(p.fund_call(who, subscription_id, 4), p.settler)
    items = [(subscription_id, 3) for subscription_id, _ in ids]  # each cut by one unit
    receipt = send(p.settlement.functions.settleBatch(p.token.address, items), p.settler)
    events = p.settlement.events.Settled().process_receipt(receipt, errors=DISCARD)
    assert [e.args.subscriptionId for e in events] == [i for i, _ in ids]
    assert all(e.args.refund == UNIT_PRICE for e in events)
    s, token = p.settlement.functions, p.token.address
    assert [s.isSettled(token, i).call() for i, _ in ids] == [True] * 5
    assert [s.isSettled(token, i).call() for i in (0, 3, 299, 302, 69_999)] == [False] * 5
    assert [p.token.functions.balanceOf(w).call() for w in (p.alice, p.bob, p.carol)] == [6, 6, 3]
    assert cash(p, p.alice) == START - 6 * UNIT_PRICE
    assert cash(p, p.issuer) == 15 * UNIT_PRICE
    assert cash(p, p.settlement.address) == 0
    assert p.token.functions.numHolders().call() == 3
    with unchanged():
        for subscription_id, who in ids:
            assert_reverts(p.fund_call(who, subscription_id, 1), p.settler, "AlreadySettled", subscription_id)


def test_a_subscription_settles_once(funded, unchanged):
    p = funded
    s, token = p.settlement.functions, p.token.address
    send(p.fund_call("alice", 1, 10), p.settler)
    send(s.settle(token, 1, 10), p.settler)
    send(p.fund_call("bob", 2, 5), p.settler)
    with unchanged():
        assert_reverts(s.settle(token, 1, 10), p.settler, "NoEscrow", 1)
        assert_reverts(s.settleBatch(token, [(1, 1)]), p.settler, "NoEscrow", 1)
        assert_reverts(s.refund(token, 1), p.settler, "NoEscrow", 1)
        assert_reverts(s.settleBatch(token, [(2, 3), (2, 2)]), p.settler, "NoEscrow", 2)  # duplicate id
    assert p.escrow(2) == [p.bob, 5 * UNIT_PRICE]
    assert not s.isSettled(token, 2).call()


def test_settle_refuses_more_than_escrowed_zero_units_and_unfunded_ids(funded, unchanged):
    p = funded
    s, token = p.settlement.functions, p.token.address
    send(p.fund_call("alice", 1, 10), p.settler)
    with unchanged():
        assert_reverts(
            s.settle(token, 1, 11), p.settler, "ExceedsEscrow", 1, 10 * UNIT_PRICE, 11 * UNIT_PRICE
        )
        assert_reverts(s.settle(token, 1, 0), p.settler, "InvalidUnits")
        assert_reverts(s.settle(token, 1, 2**96), p.settler, "InvalidUnits")
        assert_reverts(s.settle(token, 9, 1), p.settler, "NoEscrow", 9)
        assert_reverts(s.settleBatch(token, [(1, 10), (9, 1)]), p.settler, "NoEscrow", 9)
    assert p.escrow(1) == [p.alice, 10 * UNIT_PRICE]


def test_an_escrow_settles_only_into_its_own_offering(funded, unchanged):
    p = funded
    other, fake = p.new_token("Other", "OTH"), p.new_token("Fake", "FAKE")
    register(p, other, p.outsider, price=1)
    send(p.fund_call("alice", 1, 10), p.settler)
    with unchanged(other):
        assert_reverts(p.settlement.functions.settle(other.address, 1, 10), p.settler, "NoEscrow", 1)
        assert_reverts(
            p.settlement.functions.settle(fake.address, 1, 10), p.settler, "UnknownOffering", fake.address
        )
    assert p.escrow(1) == [p.alice, 10 * UNIT_PRICE]


def test_after_settle_by_an_escrow_can_only_be_refunded(funded, unchanged):
    p = funded
    s, token = p.settlement.functions, p.token.address
    send(p.fund_call("alice", 1, 10), p.settler)
    advance_time(p.w3, SETTLE_WINDOW)
    with unchanged():
        assert_reverts(s.settle(token, 1, 10), p.settler, "SettlementWindowClosed", token)
        assert_reverts(s.settleBatch(token, [(1, 10)]), p.settler, "SettlementWindowClosed", token)
    send(s.refund(token, 1), p.outsider)
    assert cash(p, p.alice) == START
    assert cash(p, p.outsider) == 0


def test_a_non_compliant_allotment_fails_the_whole_batch(funded, unchanged):
    p = funded
    send(p.payment.functions.mint(p.outsider, START), p.admin)
    for subscription_id, who in ((1, "alice"), (2, "dave"), (3, "outsider")):
        send(p.fund_call(who, subscription_id, 10), p.settler)
    with unchanged():
        # dave is a retail investor: the token takes professional investors only
        assert_reverts(
            p.settlement.functions.settleBatch(p.token.address, [(1, 10), (2, 10)]),
            p.settler,
            "MintNotCompliant",
            INVESTOR_CLASS_REQUIRED,
            contract=p.token,
        )
        assert_reverts(
            p.settlement.functions.settle(p.token.address, 3, 10),
            p.settler,
            "MintNotCompliant",
            RECIPIENT_NOT_VERIFIED,
            contract=p.token,
        )
    assert [p.escrow(i)[1] for i in (1, 2, 3)] == [10 * UNIT_PRICE] * 3
    send(p.settlement.functions.refundBatch(p.token.address, [2, 3]), p.settler)
    assert (cash(p, p.dave), cash(p, p.outsider)) == (START, START)


def test_settlement_needs_the_minter_role_on_the_token(funded, unchanged):
    p = funded
    other = p.new_token(settlement=ZERO_ADDRESS)
    register(p, other, p.issuer)
    send(p.fund_call("alice", 1, 10, token=other), p.settler)
    with unchanged(other):
        assert_reverts(
            p.settlement.functions.settle(other.address, 1, 10),
            p.settler,
            "NotMinter",
            p.settlement.address,
            contract=other,
        )
    assert p.escrow(1, other) == [p.alice, 10 * UNIT_PRICE]


# ---------------------------------------------------------------- refunds


def test_a_refund_returns_the_whole_escrow_to_the_investor(funded):
    p = funded
    send(p.fund_call("alice", 1, 10), p.settler)
    receipt = send(p.settlement.functions.refund(p.token.address, 1), p.settler)
    (event,) = p.settlement.events.Refunded().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {
        "subscriptionId": 1,
        "token": p.token.address,
        "investor": p.alice,
        "amount": 10 * UNIT_PRICE,
    }
    assert cash(p, p.alice) == START
    assert cash(p, p.settlement.address) == 0
    assert p.escrow(1) == [ZERO_ADDRESS, 0]
    assert not p.settlement.functions.isSettled(p.token.address, 1).call()


def test_from_settle_by_anyone_may_refund_and_the_money_goes_to_the_investor(funded, unchanged):
    p = funded
    s, token = p.settlement.functions, p.token.address
    send(p.fund_call("alice", 1, 10), p.settler)
    send(p.fund_call("bob", 2, 5), p.settler)
    with unchanged():
        for sender in (p.outsider, p.alice):
            assert_reverts(s.refund(token, 1), sender, "NotAllowedYet")
            assert_reverts(s.refundBatch(token, [1, 2]), sender, "NotAllowedYet")
    advance_time(p.w3, SETTLE_WINDOW)
    send(s.refundBatch(token, [1, 2]), p.outsider)
    assert (cash(p, p.alice), cash(p, p.bob), cash(p, p.outsider)) == (START, START, 0)
    assert cash(p, p.settlement.address) == 0


def test_a_refund_batch_is_all_or_nothing(funded, unchanged):
    p = funded
    s, token = p.settlement.functions, p.token.address
    send(p.fund_call("alice", 1, 10), p.settler)
    with unchanged():
        assert_reverts(s.refundBatch(token, [1, 7]), p.settler, "NoEscrow", 7)
        assert_reverts(s.refundBatch(token, [1, 1]), p.settler, "NoEscrow", 1)
    assert p.escrow(1) == [p.alice, 10 * UNIT_PRICE]


# ---------------------------------------------------------------- distributions


@pytest.fixture
def holders(funded):
    """Alice and Bob hold the token; the issuer holds HKDT for coupons."""
    p = funded
    send(p.token.functions.mint(p.alice, 10), p.agent)
    send(p.token.functions.mint(p.bob, 5), p.agent)
    send(p.payment.functions.mint(p.issuer, 100_000 * HKD), p.admin)
    return p


def fund_distribution(p, distribution_id, amount, **kw):
    authorization = p.distribution_authorization(distribution_id, amount, **kw)
    return p.settlement.functions.fundDistribution(p.token.address, distribution_id, amount, *authorization)


def test_the_issuer_funds_a_distribution_by_its_own_authorisation(holders):
    p = holders
    receipt = send(fund_distribution(p, 1, 5_000 * HKD), p.settler)
    (event,) = p.settlement.events.DistributionFunded().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {
        "distributionId": 1,
        "token": p.token.address,
        "issuer": p.issuer,
        "amount": 5_000 * HKD,
    }
    assert p.settlement.functions.distributionOf(1).call() == [p.token.address, 5_000 * HKD]
    assert cash(p, p.issuer) == 95_000 * HKD
    assert cash(p, p.settlement.address) == 5_000 * HKD


def test_fund_distribution_refuses_other_payers_amounts_and_offerings(holders, unchanged):
    p = holders
    send(p.payment.functions.mint(p.payer, 100_000 * HKD), p.admin)
    s = p.settlement.functions
    fake = p.new_token("Fake", "FAKE")
    signed_for_5k = p.distribution_authorization(1, 5_000 * HKD)
    with unchanged():
        assert_reverts(
            fund_distribution(p, 1, HKD, signer="payer"), p.settler, "InvalidSignature", contract=p.payment
        )
        assert_reverts(
            s.fundDistribution(p.token.address, 1, 6_000 * HKD, *signed_for_5k),
            p.settler,
            "InvalidSignature",
            contract=p.payment,
        )
        assert_reverts(
            s.fundDistribution(fake.address, 1, 5_000 * HKD, *signed_for_5k),
            p.settler,
            "UnknownOffering",
            fake.address,
        )
        for amount in (0, 2**96):
            assert_reverts(fund_distribution(p, 1, amount), p.settler, "InvalidAmount")
    assert s.distributionOf(1).call() == [ZERO_ADDRESS, 0]
    send(s.fundDistribution(p.token.address, 1, 5_000 * HKD, *signed_for_5k), p.settler)
    with unchanged():
        assert_reverts(fund_distribution(p, 1, HKD), p.settler, "DistributionExists", 1)
        assert_reverts(
            s.fundDistribution(p.token.address, 2, 5_000 * HKD, *signed_for_5k),
            p.settler,
            "InvalidSignature",
            contract=p.payment,
        )


def test_a_payout_pays_current_holders_from_the_escrow_once(holders, unchanged):
    p = holders
    s = p.settlement.functions
    send(fund_distribution(p, 1, 1_000 * HKD), p.settler)
    receipt = send(s.payout(7, 1, [p.alice, p.bob], [300 * HKD, 200 * HKD]), p.settler)
    (event,) = p.settlement.events.DistributionPaid().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {"payoutId": 7, "distributionId": 1, "holders": 2, "total": 500 * HKD}
    assert (cash(p, p.alice), cash(p, p.bob)) == (START + 300 * HKD, START + 200 * HKD)
    assert s.distributionOf(1).call() == [p.token.address, 500 * HKD]
    assert cash(p, p.settlement.address) == 500 * HKD
    assert s.isPaid(7).call()
    assert not s.isPaid(8).call()
    with unchanged():
        assert_reverts(s.payout(7, 1, [p.alice], [HKD]), p.settler, "AlreadyPaid", 7)


def test_a_payout_refuses_non_holders_overspending_and_unknown_distributions(holders, unchanged):
    p = holders
    s = p.settlement.functions
    send(fund_distribution(p, 1, 1_000 * HKD), p.settler)
    with unchanged():
        assert_reverts(s.payout(1, 1, [p.alice, p.carol], [HKD, HKD]), p.settler, "NotAHolder", p.carol)
        assert_reverts(s.payout(1, 1, [p.alice, p.outsider], [HKD, 0]), p.settler, "NotAHolder", p.outsider)
        assert_reverts(
            s.payout(1, 1, [p.alice, p.bob], [600 * HKD, 401 * HKD]),
            p.settler,
            "ExceedsFunding",
            1,
            1_000 * HKD,
            1_001 * HKD,
        )
        assert_reverts(s.payout(1, 2, [p.alice], [HKD]), p.settler, "UnknownDistribution", 2)
        assert_reverts(s.payout(1, 1, [p.alice, p.bob], [HKD]), p.settler, "LengthMismatch")
    assert not s.isPaid(1).call()
    assert s.distributionOf(1).call() == [p.token.address, 1_000 * HKD]


def test_closing_a_distribution_returns_the_remainder_to_the_issuer(holders, unchanged):
    p = holders
    s = p.settlement.functions
    send(fund_distribution(p, 1, 1_000 * HKD), p.settler)
    send(s.payout(1, 1, [p.alice], [300 * HKD]), p.settler)
    receipt = send(s.closeDistribution(1), p.settler)
    (event,) = p.settlement.events.DistributionClosed().process_receipt(receipt, errors=DISCARD)
    assert (event.args.distributionId, event.args.returned) == (1, 700 * HKD)
    assert cash(p, p.issuer) == 99_700 * HKD
    assert cash(p, p.settlement.address) == 0
    assert s.distributionOf(1).call() == [p.token.address, 0]
    with unchanged():
        assert_reverts(s.payout(2, 1, [p.alice], [1]), p.settler, "ExceedsFunding", 1, 0, 1)
        assert_reverts(fund_distribution(p, 1, HKD), p.settler, "DistributionExists", 1)
        assert_reverts(s.closeDistribution(9), p.settler, "UnknownDistribution", 9)


# ---------------------------------------------------------------- batch pre-checks (one call per batch)

CHECK_NO_ESCROW, CHECK_ALREADY_SETTLED, CHECK_ESCROW_SHORT = 32, 33, 34
CHECK_INVALID_UNITS, CHECK_UNKNOWN_OFFERING, CHECK_WINDOW_CLOSED = 35, 36, 37


def test_settle_checks_give_one_code_per_item_and_agree_with_settle(funded):
    p = funded
    s, token = p.settlement.functions, p.token.address
    for subscription_id, who, units in ((1, "alice", 10), (2, "dave", 10), (3, "bob", 5), (4, "carol", 4)):
        send(p.fund_call(who, subscription_id, units), p.settler)
    send(s.settle(token, 4, 4), p.settler)
    items = [(1, 10), (2, 10), (3, 6), (4, 4), (9, 1), (1, 0)]
    assert s.settleChecks(token, items).call() == [
        OK,
        INVESTOR_CLASS_REQUIRED,  # dave is retail: the token's own canMint code
        CHECK_ESCROW_SHORT,  # 6 units cost more than the 5 escrowed
        CHECK_ALREADY_SETTLED,
        CHECK_NO_ESCROW,
        CHECK_INVALID_UNITS,
    ]
    assert s.settleChecks(token, []).call() == []
    # What the checks pass, settles; the view changed nothing.
    send(s.settleBatch(token, [(1, 10), (3, 5)]), p.settler)
    assert s.settleChecks(token, [(1, 10), (3, 5)]).call() == [CHECK_ALREADY_SETTLED] * 2


def test_settle_checks_name_an_unknown_offering_and_a_closed_window(funded):
    p = funded
    s = p.settlement.functions
    fake = p.new_token("Fake", "FAKE")
    send(p.fund_call("alice", 1, 10), p.settler)
    assert s.settleChecks(fake.address, [(1, 10)]).call() == [CHECK_UNKNOWN_OFFERING]
    advance_time(p.w3, SETTLE_WINDOW)
    assert s.settleChecks(p.token.address, [(1, 10), (2, 1)]).call() == [CHECK_WINDOW_CLOSED] * 2
