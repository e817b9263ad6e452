"""PaymentToken (HKD stablecoin stand-in, EIP-2612 permit) and DocumentRegistry (each fingerprint once)."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from web3.logs import DISCARD

from .conftest import MAX_UINT, assert_reverts, now, send


def sign_permit(platform, owner, spender: str, value: int, deadline: int):
    """An EIP-2612 permit signature by `owner` (a local key)."""
    token = platform.payment
    data = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {
            "name": "HKD Stablecoin (test)",
            "version": "1",
            "chainId": platform.w3.eth.chain_id,
            "verifyingContract": token.address,
        },
        "message": {
            "owner": owner.address,
            "spender": spender,
            "value": value,
            "nonce": token.functions.nonces(owner.address).call(),
            "deadline": deadline,
        },
    }
    return owner.sign_message(encode_typed_data(full_message=data))


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
    owner = Account.create()
    signed = sign_permit(p, owner, p.settlement.address, MAX_UINT, now(p.w3) + 3_600)
    send(
        p.payment.functions.permit(
            owner.address,
            p.settlement.address,
            MAX_UINT,
            now(p.w3) + 3_600,
            signed.v,
            signed.r.to_bytes(32, "big"),
            signed.s.to_bytes(32, "big"),
        ),
        p.admin,
    )
    assert p.payment.functions.allowance(owner.address, p.settlement.address).call() == MAX_UINT
    assert p.payment.functions.nonces(owner.address).call() == 1


def test_document_is_registered_once(platform):
    p = platform
    fingerprint, kind = keccak(text="invoice|HK-INV-001|2026-11-01|1000000"), b"INVOICE".ljust(32, b"\0")
    assert not p.documents.functions.isRegistered(fingerprint).call()
    receipt = send(p.documents.functions.registerDocument(fingerprint, kind, 42), p.admin)
    (event,) = p.documents.events.DocumentRegistered().process_receipt(receipt, errors=DISCARD)
    assert (event.args.fingerprint, event.args.kind, event.args.referenceId) == (fingerprint, kind, 42)
    assert p.documents.functions.isRegistered(fingerprint).call()
    kind_, reference, registrant, registered_at = p.documents.functions.documentOf(fingerprint).call()
    assert (kind_, reference, registrant) == (kind, 42, p.admin)
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
