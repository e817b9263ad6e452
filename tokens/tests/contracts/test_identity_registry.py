"""IdentityRegistry: registration, update, revocation, expiry, batch writes and the registrar role."""

from __future__ import annotations

from web3.logs import DISCARD

from .conftest import (
    CN,
    FAR_FUTURE,
    HK,
    INSTITUTIONAL,
    MO,
    PROFESSIONAL,
    RETAIL,
    advance_time,
    assert_reverts,
    now,
    send,
)

ZERO = "0x" + "00" * 20


def test_register_then_read_identity(platform):
    p = platform
    receipt = send(
        p.registry.functions.registerIdentity(p.spare, MO, PROFESSIONAL | INSTITUTIONAL, FAR_FUTURE), p.admin
    )
    (event,) = p.registry.events.IdentityRegistered().process_receipt(receipt, errors=DISCARD)
    assert (event.args.wallet, event.args.country, event.args.classes, event.args.expiry) == (
        p.spare,
        MO,
        PROFESSIONAL | INSTITUTIONAL,
        FAR_FUTURE,
    )
    assert p.registry.functions.isVerified(p.spare).call()
    assert p.registry.functions.identityOf(p.spare).call() == [MO, PROFESSIONAL | INSTITUTIONAL, FAR_FUTURE]
    packed = MO | (PROFESSIONAL | INSTITUTIONAL) << 16 | FAR_FUTURE << 24
    assert p.registry.functions.packedIdentityOf(p.spare).call() == packed
    assert p.registry.functions.identitiesOfTransfer(p.spare, p.outsider).call() == [packed, 0]
    assert p.registry.functions.identitiesOfTransfer(p.outsider, p.spare).call() == [0, packed]
    wallets = [p.spare, p.outsider, p.spare]
    assert p.registry.functions.packedIdentities(wallets).call() == [packed, 0, packed]
    assert p.registry.functions.packedIdentities([]).call() == []


def test_unregistered_wallet_is_not_verified(platform):
    assert not platform.registry.functions.isVerified(platform.outsider).call()
    assert platform.registry.functions.identityOf(platform.outsider).call() == [0, 0, 0]


def test_registering_twice_is_refused(platform):
    assert_reverts(
        platform.registry.functions.registerIdentity(platform.alice, HK, PROFESSIONAL, FAR_FUTURE),
        platform.admin,
        "AlreadyRegistered",
        platform.alice,
    )


def test_invalid_identities_are_refused(platform):
    r, p = platform.registry, platform
    assert_reverts(
        r.functions.registerIdentity(ZERO, HK, PROFESSIONAL, FAR_FUTURE), p.admin, "InvalidWallet", ZERO
    )
    assert_reverts(
        r.functions.registerIdentity(p.spare, 0, PROFESSIONAL, FAR_FUTURE), p.admin, "InvalidCountry", 0
    )
    assert_reverts(r.functions.registerIdentity(p.spare, HK, PROFESSIONAL, 0), p.admin, "InvalidExpiry", 0)


def test_identity_expires(platform):
    p = platform
    send(p.registry.functions.registerIdentity(p.spare, HK, PROFESSIONAL, now(p.w3) + 60), p.admin)
    assert p.registry.functions.isVerified(p.spare).call()
    advance_time(p.w3, 120)
    assert not p.registry.functions.isVerified(p.spare).call()
    assert p.registry.functions.identityOf(p.spare).call()[0] == HK  # still registered, just expired


def test_update_changes_identity_and_needs_registration(platform):
    p = platform
    receipt = send(p.registry.functions.updateIdentity(p.alice, CN, RETAIL, FAR_FUTURE - 1), p.admin)
    assert p.registry.events.IdentityUpdated().process_receipt(receipt, errors=DISCARD)[0].args.country == CN
    assert p.registry.functions.identityOf(p.alice).call() == [CN, RETAIL, FAR_FUTURE - 1]
    assert_reverts(
        p.registry.functions.updateIdentity(p.spare, CN, RETAIL, FAR_FUTURE),
        p.admin,
        "NotRegistered",
        p.spare,
    )
    assert_reverts(p.registry.functions.updateIdentity(p.alice, CN, RETAIL, 0), p.admin, "InvalidExpiry", 0)


def test_revoke_removes_identity(platform):
    p = platform
    receipt = send(p.registry.functions.revokeIdentity(p.alice), p.admin)
    assert (
        p.registry.events.IdentityRevoked().process_receipt(receipt, errors=DISCARD)[0].args.wallet == p.alice
    )
    assert not p.registry.functions.isVerified(p.alice).call()
    assert p.registry.functions.identityOf(p.alice).call() == [0, 0, 0]
    assert_reverts(p.registry.functions.revokeIdentity(p.alice), p.admin, "NotRegistered", p.alice)
    send(
        p.registry.functions.registerIdentity(p.alice, HK, PROFESSIONAL, FAR_FUTURE), p.admin
    )  # may come back


def test_batch_register_is_all_or_nothing(platform):
    p = platform
    wallets = [p.spare, p.outsider]
    send(p.registry.functions.batchRegisterIdentity(wallets, [HK, MO], [1, 2], [FAR_FUTURE] * 2), p.admin)
    assert [p.registry.functions.isVerified(w).call() for w in wallets] == [True, True]
    fresh = [p.agent, p.alice]  # alice is already registered: the whole batch fails
    assert_reverts(
        p.registry.functions.batchRegisterIdentity(fresh, [HK, HK], [1, 1], [FAR_FUTURE] * 2),
        p.admin,
        "AlreadyRegistered",
        p.alice,
    )
    assert not p.registry.functions.isVerified(p.agent).call()
    assert_reverts(
        p.registry.functions.batchRegisterIdentity([p.agent], [HK, HK], [1], [FAR_FUTURE]),
        p.admin,
        "LengthMismatch",
    )


def test_only_registrars_write(platform):
    p = platform
    r = p.registry
    for call in (
        r.functions.registerIdentity(p.spare, HK, PROFESSIONAL, FAR_FUTURE),
        r.functions.batchRegisterIdentity([p.spare], [HK], [PROFESSIONAL], [FAR_FUTURE]),
        r.functions.updateIdentity(p.alice, HK, PROFESSIONAL, FAR_FUTURE),
        r.functions.revokeIdentity(p.alice),
    ):
        assert_reverts(call, p.outsider, "AccessControlUnauthorizedAccount")
    send(r.functions.grantRole(r.functions.REGISTRAR_ROLE().call(), p.outsider), p.admin)
    send(r.functions.registerIdentity(p.spare, HK, PROFESSIONAL, FAR_FUTURE), p.outsider)
