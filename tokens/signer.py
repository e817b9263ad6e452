"""The only module that touches private keys: it creates, encrypts, decrypts and signs.

Keys are encrypted at rest with Fernet under WALLET_ENCRYPTION_KEYS (newest first, so keys can be
rotated). A decrypted key lives only inside a function call here; nothing returns or logs it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from eth_account import Account
from eth_account.datastructures import SignedTransaction
from eth_account.messages import encode_typed_data

from tokens.models import Wallet


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("Set WALLET_ENCRYPTION_KEYS to encrypt wallet keys at rest.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured("WALLET_ENCRYPTION_KEYS must be url-safe base64 Fernet keys.") from None


def _current_cipher() -> MultiFernet:
    return _cipher(tuple(settings.WALLET_ENCRYPTION_KEYS))


def new_encrypted_key() -> tuple[str, str]:
    """A fresh key pair: (checksummed address, encrypted private key)."""
    account = Account.create()
    token = _current_cipher().encrypt(bytes(account.key)).decode()
    return account.address, token


def _account(wallet: Wallet) -> Any:
    try:
        key = _current_cipher().decrypt(wallet.encrypted_key.encode())
    except InvalidToken:
        raise ImproperlyConfigured(
            f"Wallet {wallet.address} cannot be decrypted with the configured keys."
        ) from None
    account = Account.from_key(key)
    if account.address != wallet.address:
        raise ImproperlyConfigured(f"Wallet {wallet.address} holds a key of another address.")
    return account


def sign_transaction(wallet: Wallet, transaction: dict[str, Any]) -> SignedTransaction:
    """Sign a transaction dict (nonce, gas, fees, chainId already set) with the wallet's key."""
    return _account(wallet).sign_transaction(transaction)


def sign_typed_data(wallet: Wallet, typed_data: dict[str, Any]) -> tuple[int, bytes, bytes]:
    """Sign EIP-712 typed data (e.g. an EIP-2612 permit); returns (v, r, s)."""
    signed = _account(wallet).sign_message(encode_typed_data(full_message=typed_data))
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def reencrypt(wallet: Wallet) -> str:
    """The wallet's key encrypted under the newest key (for key rotation)."""
    return _current_cipher().rotate(wallet.encrypted_key.encode()).decode()
