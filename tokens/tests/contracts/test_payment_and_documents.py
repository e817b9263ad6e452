"""PaymentToken (HKD stand-in: EIP-2612 permit, EIP-3009) and DocumentRegistry (each fingerprint financed
once; released on repayment, withdrawn when the financing never happened)."""

from __future__ import annotations

from itertools import count

import pytest
from eth_utils import keccak
from web3.logs import DISCARD

from .conftest import (
    HKD,
    MAX_UINT,
    advance_time,
    assert_reverts,
    local_key,
    now,
    send,
    sign_authorization,
    sign_typed,
)


def test_payment_token_metadata_and_roles(platform):
    token = platform.payment
    assert token.functions.name().call() == "HKD Stablecoin (test)"
    assert token.functions.symbol().call() == "HKDT"
    assert token.functions.decimals().call() == 6
    assert token.functions.hasRole(token.functions.MINTER_ROLE().call(), platform.admin).call()


def test_only_minters_mint_payment_tokens(platform):
    p = platform
    send(p.payment.functions.mint(p.alice, 5_000_000), p.admin)
    assert p.payment.functions.balanceOf(p.alice).call() == 5_000_000
    assert_reverts(p.payment.functions.mint(p.alice, 1), p.outsider, "AccessControlUnauthorizedAccount")


def test_permit_sets_allowance_without_a_transaction_from_the_owner(platform):
    p = platform
    owner = local_key("permit owner")
    deadline = now(p.w3) + 3_600
    message = {
        "owner": owner.address,
        "spender": p.spare,
        "value": MAX_UINT,
        "nonce": 0,
        "deadline": deadline,
    }
    v, r, s = sign_typed(p.payment, owner, "Permit", message)
    send(p.payment.functions.permit(owner.address, p.spare, MAX_UINT, deadline, v, r, s), p.admin)
    assert p.payment.functions.allowance(owner.address, p.spare).call() == MAX_UINT
    assert p.payment.functions.nonces(owner.address).call() == 1


# ---------------------------------------------------------------- EIP-3009


@pytest.fixture
def holder(platform):
    """Alice holds 1,000 HKDT; authorisations below are hers."""
    send(platform.payment.functions.mint(platform.alice, 1_000 * HKD), platform.admin)
    return platform


_NONCES = count()


def fresh_nonce() -> bytes:
    """A new EIP-3009 nonce (wallets pick random ones; fixed ones reproduce)."""
    return keccak(text=f"nonce {next(_NONCES)}")


def receive_call(p, value, nonce, valid_before, signature, valid_after=0, to=None):
    return p.payment.functions.receiveWithAuthorization(
        p.alice, to or p.spare, value, valid_after, valid_before, nonce, *signature
    )


def test_receive_with_authorization_moves_exactly_the_signed_amount_to_the_caller(holder):
    p = holder
    nonce, deadline = fresh_nonce(), now(p.w3) + 3_600
    signature = sign_authorization(p.payment, p.keys["alice"], p.spare, 250 * HKD, nonce, deadline)
    assert not p.payment.functions.authorizationState(p.alice, nonce).call()
    receipt = send(receive_call(p, 250 * HKD, nonce, deadline, signature), p.spare)
    assert p.payment.functions.balanceOf(p.alice).call() == 750 * HKD
    assert p.payment.functions.balanceOf(p.spare).call() == 250 * HKD
    assert p.payment.functions.authorizationState(p.alice, nonce).call()
    (used,) = p.payment.events.AuthorizationUsed().process_receipt(receipt, errors=DISCARD)
    assert (used.args.authorizer, used.args.nonce) == (p.alice, nonce)
    assert p.payment.functions.allowance(p.alice, p.spare).call() == 0


def test_unordered_nonces_let_authorisations_be_used_in_any_order(holder):
    p = holder
    deadline = now(p.w3) + 3_600
    first, second = fresh_nonce(), fresh_nonce()
    sig_first = sign_authorization(p.payment, p.keys["alice"], p.spare, 1 * HKD, first, deadline)
    sig_second = sign_authorization(p.payment, p.keys["alice"], p.spare, 2 * HKD, second, deadline)
    send(receive_call(p, 2 * HKD, second, deadline, sig_second), p.spare)
    send(receive_call(p, 1 * HKD, first, deadline, sig_first), p.spare)
    assert p.payment.functions.balanceOf(p.spare).call() == 3 * HKD


def test_transfer_with_authorization_may_be_submitted_by_anyone(holder):
    p = holder
    nonce, deadline = fresh_nonce(), now(p.w3) + 3_600
    signature = sign_authorization(
        p.payment, p.keys["alice"], p.bob, 5 * HKD, nonce, deadline, primary="TransferWithAuthorization"
    )
    call = p.payment.functions.transferWithAuthorization(
        p.alice, p.bob, 5 * HKD, 0, deadline, nonce, *signature
    )
    send(call, p.outsider)
    assert p.payment.functions.balanceOf(p.bob).call() == 5 * HKD
    assert p.payment.functions.authorizationState(p.alice, nonce).call()


def test_a_receive_authorisation_is_not_a_transfer_authorisation(holder, unchanged):
    p = holder
    nonce, deadline = fresh_nonce(), now(p.w3) + 3_600
    signature = sign_authorization(p.payment, p.keys["alice"], p.spare, 5 * HKD, nonce, deadline)
    call = p.payment.functions.transferWithAuthorization(
        p.alice, p.spare, 5 * HKD, 0, deadline, nonce, *signature
    )
    with unchanged():
        assert_reverts(call, p.outsider, "InvalidSignature")
    assert not p.payment.functions.authorizationState(p.alice, nonce).call()


def test_authorisations_are_refused_outside_their_window_by_others_and_once_used(holder, unchanged):
    p = holder
    key, nonce, later = p.keys["alice"], fresh_nonce(), now(p.w3) + 3_600
    expired = sign_authorization(p.payment, key, p.spare, HKD, nonce, now(p.w3))
    early = sign_authorization(p.payment, key, p.spare, HKD, nonce, later, valid_after=later - 60)
    good = sign_authorization(p.payment, key, p.spare, HKD, nonce, later)
    by_bob = sign_authorization(p.payment, p.keys["bob"], p.spare, HKD, nonce, later)
    with unchanged():
        assert_reverts(receive_call(p, HKD, nonce, now(p.w3), expired), p.spare, "AuthorizationExpired")
        assert_reverts(
            receive_call(p, HKD, nonce, later, early, valid_after=later - 60),
            p.spare,
            "AuthorizationNotYetValid",
        )
        assert_reverts(receive_call(p, HKD, nonce, later, by_bob), p.spare, "InvalidSignature")
        assert_reverts(receive_call(p, 2 * HKD, nonce, later, good), p.spare, "InvalidSignature")
        # only the payee may submit a receive authorisation (nobody can front-run the escrow's call)
        assert_reverts(receive_call(p, HKD, nonce, later, good), p.outsider, "CallerMustBePayee")
    assert not p.payment.functions.authorizationState(p.alice, nonce).call()
    send(receive_call(p, HKD, nonce, later, good), p.spare)
    with unchanged():
        assert_reverts(receive_call(p, HKD, nonce, later, good), p.spare, "AuthorizationAlreadyUsed")


def test_a_cancelled_authorisation_cannot_be_used(holder, unchanged):
    p = holder
    key, nonce, deadline = p.keys["alice"], fresh_nonce(), now(p.w3) + 3_600
    signature = sign_authorization(p.payment, key, p.spare, HKD, nonce, deadline)
    cancel = sign_typed(p.payment, key, "CancelAuthorization", {"authorizer": p.alice, "nonce": nonce})
    wrong = sign_typed(
        p.payment, p.keys["bob"], "CancelAuthorization", {"authorizer": p.alice, "nonce": nonce}
    )
    assert_reverts(
        p.payment.functions.cancelAuthorization(p.alice, nonce, *wrong), p.outsider, "InvalidSignature"
    )
    assert not p.payment.functions.authorizationState(p.alice, nonce).call()
    receipt = send(p.payment.functions.cancelAuthorization(p.alice, nonce, *cancel), p.outsider)
    (event,) = p.payment.events.AuthorizationCanceled().process_receipt(receipt, errors=DISCARD)
    assert (event.args.authorizer, event.args.nonce) == (p.alice, nonce)
    assert p.payment.functions.authorizationState(p.alice, nonce).call()
    with unchanged():
        assert_reverts(receive_call(p, HKD, nonce, deadline, signature), p.spare, "AuthorizationAlreadyUsed")
        assert_reverts(
            p.payment.functions.cancelAuthorization(p.alice, nonce, *cancel),
            p.outsider,
            "AuthorizationAlreadyUsed",
        )


def test_eip3009_type_hashes_are_the_standard_ones(platform):
    f = platform.payment.functions
    fields = "address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce"
    assert f.TRANSFER_WITH_AUTHORIZATION_TYPEHASH().call() == keccak(
        text=f"TransferWithAuthorization({fields})"
    )
    assert f.RECEIVE_WITH_AUTHORIZATION_TYPEHASH().call() == keccak(
        text=f"ReceiveWithAuthorization({fields})"
    )
    assert f.CANCEL_AUTHORIZATION_TYPEHASH().call() == keccak(
        text="CancelAuthorization(address authorizer,bytes32 nonce)"
    )


# ---------------------------------------------------------------- DocumentRegistry

NONE, FINANCED, RELEASED, WITHDRAWN = 0, 1, 2, 3


def test_document_is_registered_once(platform):
    p = platform
    fingerprint, kind = keccak(text="invoice|HK-INV-001|2026-11-01|1000000"), b"INVOICE".ljust(32, b"\0")
    assert not p.documents.functions.isRegistered(fingerprint).call()
    receipt = send(p.documents.functions.registerDocument(fingerprint, kind, 42), p.admin)
    (event,) = p.documents.events.DocumentRegistered().process_receipt(receipt, errors=DISCARD)
    assert (event.args.fingerprint, event.args.kind, event.args.referenceId) == (fingerprint, kind, 42)
    assert p.documents.functions.isRegistered(fingerprint).call()
    kind_, reference, registrant, registered_at, status = p.documents.functions.documentOf(fingerprint).call()
    assert (kind_, reference, registrant, status) == (kind, 42, p.admin, FINANCED)
    assert registered_at == now(p.w3)
    assert_reverts(
        p.documents.functions.registerDocument(fingerprint, kind, 43),
        p.admin,
        "AlreadyRegistered",
        fingerprint,
    )
    assert p.documents.functions.documentOf(fingerprint).call()[1] == 42


def test_document_registry_refuses_zero_fingerprint_and_non_registrars(platform):
    p = platform
    assert_reverts(
        p.documents.functions.registerDocument(b"\0" * 32, b"\0" * 32, 1), p.admin, "InvalidFingerprint"
    )
    assert_reverts(
        p.documents.functions.registerDocument(b"\1" * 32, b"\0" * 32, 1),
        p.outsider,
        "AccessControlUnauthorizedAccount",
    )


def test_repaid_document_is_released_for_good(platform):
    p = platform
    fingerprint, kind = keccak(text="released invoice"), b"INVOICE".ljust(32, b"\0")
    assert p.documents.functions.documentOf(fingerprint).call()[4] == NONE
    assert_reverts(
        p.documents.functions.releaseDocument(fingerprint), p.admin, "NotFinanced", fingerprint, NONE
    )
    send(p.documents.functions.registerDocument(fingerprint, kind, 7), p.admin)
    registered_at = p.documents.functions.documentOf(fingerprint).call()[3]
    advance_time(p.w3, 60)
    assert_reverts(
        p.documents.functions.releaseDocument(fingerprint), p.outsider, "AccessControlUnauthorizedAccount"
    )
    receipt = send(p.documents.functions.releaseDocument(fingerprint), p.admin)
    (event,) = p.documents.events.DocumentReleased().process_receipt(receipt, errors=DISCARD)
    assert (event.args.fingerprint, event.args.referenceId) == (fingerprint, 7)
    assert p.documents.functions.documentOf(fingerprint).call() == [kind, 7, p.admin, registered_at, RELEASED]
    assert p.documents.functions.isRegistered(fingerprint).call()
    # A repaid document is never financed again, and neither released nor withdrawn twice.
    assert_reverts(
        p.documents.functions.registerDocument(fingerprint, kind, 8),
        p.admin,
        "AlreadyRegistered",
        fingerprint,
    )
    assert_reverts(
        p.documents.functions.releaseDocument(fingerprint), p.admin, "NotFinanced", fingerprint, RELEASED
    )
    assert_reverts(
        p.documents.functions.withdrawDocument(fingerprint), p.admin, "NotFinanced", fingerprint, RELEASED
    )


def test_withdrawn_document_may_be_registered_again(platform):
    p = platform
    fingerprint, kind = keccak(text="withdrawn bill"), b"BILL_OF_LADING".ljust(32, b"\0")
    send(p.documents.functions.registerDocument(fingerprint, kind, 9), p.admin)
    assert_reverts(
        p.documents.functions.withdrawDocument(fingerprint), p.outsider, "AccessControlUnauthorizedAccount"
    )
    receipt = send(p.documents.functions.withdrawDocument(fingerprint), p.admin)
    (event,) = p.documents.events.DocumentWithdrawn().process_receipt(receipt, errors=DISCARD)
    assert (event.args.fingerprint, event.args.referenceId) == (fingerprint, 9)
    assert p.documents.functions.documentOf(fingerprint).call()[4] == WITHDRAWN
    assert not p.documents.functions.isRegistered(fingerprint).call()
    assert_reverts(
        p.documents.functions.withdrawDocument(fingerprint), p.admin, "NotFinanced", fingerprint, WITHDRAWN
    )
    advance_time(p.w3, 60)
    send(p.documents.functions.registerDocument(fingerprint, kind, 10), p.admin)
    kind_, reference, _, registered_at, status = p.documents.functions.documentOf(fingerprint).call()
    assert (kind_, reference, registered_at, status) == (kind, 10, now(p.w3), FINANCED)
    assert p.documents.functions.isRegistered(fingerprint).call()
