"""The signer keeps keys apart per class, never shows them, and signs only what was recorded."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from tokens import chain, outbox, signer
from tokens.choices import PLATFORM_WALLET_KINDS, ChainTxStatus, ContractKind, WalletKind
from tokens.models import ChainTransaction, Wallet
from tokens.selectors import platform_contract, platform_wallet
from tokens.services import INTENT_MINT_PAYMENT, payment_token_mint, wallet_create


@pytest.fixture
def customer(platform):
    return wallet_create(kind=WalletKind.INVESTOR, label="customer")


def _sign(wallet: Wallet) -> object:
    return signer.backend().sign_transaction(
        wallet, {"to": wallet.address, "value": 0, "gas": 21000, "gasPrice": 1, "nonce": 0, "chainId": 31337}
    )


def test_each_platform_role_has_its_own_key(platform):
    roles = [role for role in WalletKind if role in PLATFORM_WALLET_KINDS]
    assert len(roles) == 6  # admin, registrar, settler, agent, faucet, attester
    assert len({platform_wallet(role).address for role in roles}) == len(roles)


def test_customer_keys_are_encrypted_under_other_keys_than_platform_keys(platform, customer, settings):
    settings.PLATFORM_WALLET_KEYS = [Fernet.generate_key().decode()]  # platform keys rotated away
    assert _sign(customer)  # a customer's key does not depend on the platform's encryption keys
    with pytest.raises(ImproperlyConfigured, match="PLATFORM_WALLET_KEYS"):
        _sign(platform_wallet(WalletKind.SETTLER))

    settings.CUSTOMER_WALLET_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="CUSTOMER_WALLET_KEYS"):
        _sign(customer)


def test_rotating_encryption_keys_keeps_wallets_usable(platform, customer, settings):
    settings.CUSTOMER_WALLET_KEYS = [Fernet.generate_key().decode(), *settings.CUSTOMER_WALLET_KEYS]
    customer.encrypted_key = signer.reencrypt(customer)
    settings.CUSTOMER_WALLET_KEYS = settings.CUSTOMER_WALLET_KEYS[:1]  # the old key is gone
    assert _sign(customer)


def test_wallet_keys_are_encrypted_at_rest_and_never_logged(platform, customer, caplog):
    caplog.set_level(logging.DEBUG)
    raw_key = bytes(signer.LocalKeyBackend()._account(customer).key).hex()
    assert raw_key not in customer.encrypted_key
    payment_token_mint(to_address=customer.address, amount_base_units=3, key="mint:logs")
    assert raw_key not in caplog.text
    assert raw_key not in repr(customer)


def _recorded(intent: str, *, signer_kind: WalletKind, target: ContractKind, data: str) -> ChainTransaction:
    contract = platform_contract(target)
    return ChainTransaction.objects.create(
        intent=intent,
        idempotency_key=f"forged:{intent}:{signer_kind}:{data[:10]}",
        signer=platform_wallet(signer_kind),
        chain_id=chain.chain_id(),
        to_address=str(contract.address),
        data=data,
        contract=contract,
    )


@pytest.mark.parametrize(
    ("signer_kind", "target", "function", "args"),
    [
        # The settler key may not mint test HKD, even through the faucet's intent.
        (WalletKind.SETTLER, ContractKind.PAYMENT_TOKEN, "mint", ["0x" + "11" * 20, 10**12]),
        # The faucet key may mint, but not grant itself a role under the mint intent.
        (WalletKind.FAUCET, ContractKind.PAYMENT_TOKEN, "grantRole", [b"\0" * 32, "0x" + "11" * 20]),
        # ...nor point the mint intent at another contract.
        (WalletKind.FAUCET, ContractKind.IDENTITY_REGISTRY, "revokeIdentity", ["0x" + "11" * 20]),
    ],
)
def test_a_row_that_breaks_its_intents_policy_is_never_signed(platform, signer_kind, target, function, args):
    data = chain.encode_call(
        "PaymentToken" if target == ContractKind.PAYMENT_TOKEN else "IdentityRegistry", function, *args
    )
    row = _recorded(INTENT_MINT_PAYMENT, signer_kind=signer_kind, target=target, data=data)
    wallet = Wallet.objects.get(pk=row.signer_id)

    assert outbox.chain_transaction_send(tx_id=row.pk) is False

    row.refresh_from_db()
    assert row.status == ChainTxStatus.FAILED
    assert row.error.startswith("Signing refused")
    assert row.tx_hash is None
    assert Wallet.objects.get(pk=wallet.pk).next_nonce == wallet.next_nonce


def test_recording_a_write_checks_its_policy_at_once(platform):
    from tokens.services import contract_call

    with pytest.raises(signer.SigningRefused):
        contract_call(
            target=platform_contract(ContractKind.IDENTITY_REGISTRY),
            function="revokeIdentity",
            args=["0x" + "11" * 20],
            intent=INTENT_MINT_PAYMENT,
            key="mint-intent:registry",
        )
    assert not ChainTransaction.objects.filter(idempotency_key="mint-intent:registry").exists()


def test_a_customer_wallet_never_signs_transactions():
    with pytest.raises(ImproperlyConfigured):
        signer.allow("customer_pays_gas", signer=WalletKind.INVESTOR, targets=(), functions=())


def test_signing_uses_the_native_secp256k1_backend():
    from eth_account import Account
    from eth_keys.backends import CoinCurveECCBackend

    # eth-keys gives every key coincurve's backend when it is importable (and ECC_BACKEND_CLASS is unset).
    assert isinstance(Account.from_key(b"\x11" * 32)._key_obj.backend, CoinCurveECCBackend)
