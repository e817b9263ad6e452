"""The drain, re-run at contract level: the settler key alone cannot move anybody's money anywhere.

Before escrow, the settler key could name any token, payer, issuer and amount, against investors'
unlimited allowances; three payouts signed with it moved HKD 14m to an arbitrary address. Now it can
only decide when and how many units settle; the money's destination is fixed on chain.
"""

from __future__ import annotations

from typing import Any

from .conftest import (
    HKD,
    PROFESSIONAL,
    SETTLE_WINDOW,
    UNIT_PRICE,
    Platform,
    assert_reverts,
    deploy,
    now,
    send,
    views,
)

START = 5_000_000 * HKD


def chain_state(p: Platform, other: Any) -> list[Any]:
    """Every balance, escrow, distribution and allowance the attacker is after, read from the chain."""
    wallets = [*p.investors, p.issuer, p.payer, p.outsider, p.settler, p.settlement.address]
    calls: list[Any] = [(p.payment, "balanceOf", (w,)) for w in wallets]
    calls += [(p.payment, "allowance", (w, p.settlement.address)) for w in wallets]
    calls += [(p.payment, "allowance", (w, p.settler)) for w in wallets]
    calls += [(tok, "balanceOf", (w,)) for tok in (p.token, other) for w in wallets]
    calls += [(tok, "totalSupply", ()) for tok in (p.token, other, p.payment)]
    calls += [(p.settlement, "escrowOf", (p.token.address, i)) for i in (1, 2, 3, 4)]
    calls += [(p.settlement, "distributionOf", (1,))]
    return views(p.w3, calls)


def test_the_settler_key_alone_cannot_move_investor_money(platform):
    p = platform
    s, token = p.settlement.functions, p.token.address
    send(p.token.functions.setTransferRules(PROFESSIONAL, 0, 0, 0), p.admin)
    for investor in (p.alice, p.bob, p.carol):
        send(p.payment.functions.mint(investor, START), p.admin)
    send(p.payment.functions.mint(p.issuer, START), p.admin)
    # Another genuine offering, of another issuer (the payer's company), to misdirect escrows into.
    other = p.new_token("Other Note", "OTH")
    send(
        s.registerOffering(other.address, p.payer, p.payment.address, 1, now(p.w3) + SETTLE_WINDOW),
        p.admin,
    )
    # Genuine business first: alice's escrow is open, bob's settled (he holds units), carol's refunded,
    # a coupon is funded by the issuer, and alice has signed a further subscription not yet funded.
    send(p.fund_call("alice", 1, 10_000), p.settler)
    send(p.fund_call("bob", 2, 100), p.settler)
    send(s.settle(token, 2, 100), p.settler)
    carol_authorization = p.subscription_authorization("carol", 3, 1_000)
    send(s.fund(token, 3, p.carol, 1_000, *carol_authorization), p.settler)
    send(s.refund(token, 3), p.settler)
    alice_next = p.subscription_authorization("alice", 4, 10)
    coupon = p.distribution_authorization(1, 1_000 * HKD)
    send(s.fundDistribution(token, 1, 1_000 * HKD, *coupon), p.settler)

    # The attacker holds the settler key (SETTLER_ROLE only) and wants the money at `outsider`.
    attacker, loot = p.settler, p.outsider
    fake = deploy(
        p.w3,
        "SecurityToken",
        "Fake",
        "FAKE",
        p.registry.address,
        attacker,
        attacker,
        attacker,
        p.settlement.address,
        sender=attacker,
    )
    before = chain_state(p, other)
    escrowed = 10_000 * UNIT_PRICE
    attempts: list[tuple[Any, str, tuple[Any, ...], Any]] = [
        # payouts: of no distribution, to a non-holder, of more than funded (that is, escrowed money)
        (s.payout(100, 99, [loot], [START]), "UnknownDistribution", (99,), None),
        (s.payout(101, 1, [loot], [1_000 * HKD]), "NotAHolder", (loot,), None),
        (
            s.payout(102, 1, [p.bob], [1_000 * HKD + escrowed]),
            "ExceedsFunding",
            (1, 1_000 * HKD, 1_000 * HKD + escrowed),
            None,
        ),
        # settle with a fake token, or alice's escrow into another offering (another issuer)
        (s.settle(fake.address, 1, 10_000), "UnknownOffering", (fake.address,), None),
        (s.settleBatch(fake.address, [(1, 10_000)]), "UnknownOffering", (fake.address,), None),
        (s.settle(other.address, 1, 10_000), "NoEscrow", (1,), None),
        # an inflated amount: more units than alice escrowed
        (s.settle(token, 1, 10_001), "ExceedsEscrow", (1, escrowed, escrowed + UNIT_PRICE), None),
        # replayed authorisations: carol's (used, then refunded), bob's (settled), alice's on another id
        (s.fund(token, 3, p.carol, 1_000, *carol_authorization), "AuthorizationAlreadyUsed", (), p.payment),
        (s.fund(token, 5, p.carol, 1_000, *carol_authorization), "InvalidSignature", (), p.payment),
        (p.fund_call("bob", 2, 100), "AlreadySettled", (2,), None),
        # alice's next authorisation used for other units, for another investor's id, into another token
        (s.fund(token, 4, p.alice, 10_000, *alice_next), "InvalidSignature", (), p.payment),
        (s.fund(other.address, 4, p.alice, 10, *alice_next), "InvalidSignature", (), p.payment),
        (
            p.payment.functions.receiveWithAuthorization(
                p.alice,
                p.settlement.address,
                10 * UNIT_PRICE,
                0,
                alice_next[0],
                p.settlement.functions.authorizationNonce(token, 4, 10).call(),
                *alice_next[1:],
            ),
            "CallerMustBePayee",
            (),
            None,
        ),
        # the registrar's and the admin's powers
        (
            s.registerOffering(fake.address, loot, p.payment.address, 1, now(p.w3) + 1_000),
            "AccessControlUnauthorizedAccount",
            (),
            None,
        ),
        (s.setPaymentTokenAllowed(fake.address, True), "AccessControlUnauthorizedAccount", (), None),
        (s.grantRole(s.REGISTRAR_ROLE().call(), attacker), "AccessControlUnauthorizedAccount", (), None),
        (s.grantRole(s.DEFAULT_ADMIN_ROLE().call(), attacker), "AccessControlUnauthorizedAccount", (), None),
        # and plainly taking investors' HKDT: no allowance exists to spend
        (
            p.payment.functions.transferFrom(p.alice, loot, HKD),
            "ERC20InsufficientAllowance",
            (attacker, 0, HKD),
            None,
        ),
    ]
    for call, error, args, contract in attempts:
        assert_reverts(call, attacker, error, *args, contract=contract)
        assert chain_state(p, other) == before, f"{error} attempt changed the chain"
    wallets = [*p.investors, p.issuer, p.payer, p.outsider]
    allowances = views(p.w3, [(p.payment, "allowance", (w, p.settlement.address)) for w in wallets])
    assert allowances == [0] * len(wallets)
    assert p.settlement.functions.escrowOf(token, 1).call() == [p.alice, escrowed]
