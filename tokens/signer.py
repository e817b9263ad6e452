"""The only module that touches private keys: it creates keys and signs, and only what was recorded.

Every signature is checked against a recorded intent before a key is used:
- a chain transaction is signed only from its outbox row (`sign_recorded_transaction`): the row's intent
  names the platform role allowed to sign it, the contract kind it may call and the functions it may
  call; the row's own target and calldata are signed, never a dict from the caller. A stuck row is
  signed again only with its own nonce and gas limit at a higher price (`sign_replacement`), and a
  nonce-gap filler only as a 0-value transfer of a platform key to itself (`allow_empty_self_transfer`);
- a customer's payment authorisation (EIP-3009) is signed only for a recorded purpose (a subscription,
  a distribution) that names the payer's wallet, the payee contract and the exact amount
  (`sign_payment_authorisation`; an issuer's funding of a payment to holders,
  `sign_distribution_authorisation`, also checks the distribution and amount the nonce binds).

Keys are kept by a key backend (`SIGNER_BACKEND`). The local backend encrypts keys at rest with Fernet:
platform keys under PLATFORM_WALLET_KEYS, customers' custodial keys under CUSTOMER_WALLET_KEYS, each
newest first so keys can be rotated. A KMS, HSM or Vault transit backend can replace it (see
docs/operations.md): it only has to create keys and sign digests. A decrypted key lives only inside a
function call of the local backend; nothing returns or logs it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.views.decorators.debug import sensitive_variables
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_account.datastructures import SignedTransaction
from eth_account.messages import encode_typed_data
from eth_utils import function_signature_to_4byte_selector, keccak

from tokens.choices import (
    CUSTOMER_WALLET_KINDS,
    PLATFORM_WALLET_KINDS,
    ChainTxStatus,
    ContractKind,
    WalletKind,
)
from tokens.models import ChainTransaction, Wallet

logger = logging.getLogger(__name__)


class SigningRefused(Exception):
    """A signing request that does not match its recorded intent: a bug or an attack, never signed."""


# --- key backends ---------------------------------------------------------------------------------


class KeyBackend(Protocol):
    """Where keys live. The local backend keeps them encrypted in the database; others may not."""

    def create(self, *, kind: WalletKind) -> tuple[str, str]:
        """A new key for a wallet of `kind`: (checksummed address, key reference stored on the wallet)."""

    def sign_transaction(self, wallet: Wallet, transaction: dict[str, Any]) -> SignedTransaction:
        """Sign a complete transaction dict with the wallet's key."""

    def sign_typed_data(self, wallet: Wallet, typed_data: dict[str, Any]) -> tuple[int, bytes, bytes]:
        """Sign EIP-712 typed data with the wallet's key: (v, r, s)."""

    def rotate(self, wallet: Wallet) -> str:
        """The wallet's key reference re-encrypted (or re-wrapped) under the newest key."""


@lru_cache(maxsize=8)
def _cipher(setting: str, keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(f"Set {setting} to encrypt wallet keys at rest.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(f"{setting} must be url-safe base64 Fernet keys.") from None


def _key_setting(kind: str) -> str:
    return "CUSTOMER_WALLET_KEYS" if kind in CUSTOMER_WALLET_KINDS else "PLATFORM_WALLET_KEYS"


class LocalKeyBackend:
    """Keys made here, stored Fernet-encrypted on the wallet row (platform and customer keys apart)."""

    def _cipher_for(self, kind: str) -> MultiFernet:
        setting = _key_setting(kind)
        return _cipher(setting, tuple(getattr(settings, setting)))

    def create(self, *, kind: WalletKind) -> tuple[str, str]:
        account = Account.create()
        return account.address, self._cipher_for(kind).encrypt(bytes(account.key)).decode()

    @sensitive_variables("key")
    def _account(self, wallet: Wallet) -> Any:
        try:
            key = self._cipher_for(wallet.kind).decrypt(wallet.encrypted_key.encode())
        except InvalidToken:
            raise ImproperlyConfigured(
                f"Wallet {wallet.address} cannot be decrypted with {_key_setting(wallet.kind)}."
            ) from None
        account = Account.from_key(key)
        if account.address != wallet.address:
            raise ImproperlyConfigured(f"Wallet {wallet.address} holds a key of another address.")
        return account

    def sign_transaction(self, wallet: Wallet, transaction: dict[str, Any]) -> SignedTransaction:
        return self._account(wallet).sign_transaction(transaction)

    def sign_typed_data(self, wallet: Wallet, typed_data: dict[str, Any]) -> tuple[int, bytes, bytes]:
        signed = self._account(wallet).sign_message(encode_typed_data(full_message=typed_data))
        return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")

    def rotate(self, wallet: Wallet) -> str:
        return self._cipher_for(wallet.kind).rotate(wallet.encrypted_key.encode()).decode()


def backend() -> KeyBackend:
    """The configured key backend (SIGNER_BACKEND, a dotted path)."""
    return _backend(settings.SIGNER_BACKEND)


@lru_cache(maxsize=4)
def _backend(path: str) -> KeyBackend:
    return import_string(path)()  # type: ignore[no-any-return]


def new_wallet_key(*, kind: WalletKind) -> tuple[str, str]:
    """A fresh key for a wallet of `kind`: (checksummed address, key reference)."""
    return backend().create(kind=kind)


def reencrypt(wallet: Wallet) -> str:
    """The wallet's key reference under the newest key (for key rotation)."""
    return backend().rotate(wallet)


# --- what each recorded intent may sign ------------------------------------------------------------


@dataclass(frozen=True)
class SigningPolicy:
    """Who signs transactions of one intent, and what they may call (no target kinds: a deployment)."""

    signer: WalletKind
    targets: frozenset[ContractKind]
    selectors: frozenset[bytes]


_POLICIES: dict[str, SigningPolicy] = {}
# Intents that may only send nothing to the signer itself (a nonce-gap filler), from any platform role.
_SELF_TRANSFERS: set[str] = set()


def allow(
    intent: str, *, signer: WalletKind, targets: Iterable[ContractKind], functions: Iterable[str]
) -> None:
    """Declare that `signer` may sign `intent`: deploying (no targets) or calling `functions` on `targets`.

    Functions are given as Solidity signatures, e.g. "settleBatch(address,(uint256,uint256)[])".
    """
    if signer in CUSTOMER_WALLET_KINDS:
        raise ImproperlyConfigured("Customer wallets never sign transactions; they authorise payments.")
    _POLICIES[intent] = SigningPolicy(
        signer=signer,
        targets=frozenset(targets),
        selectors=frozenset(function_signature_to_4byte_selector(f) for f in functions),
    )


def allow_empty_self_transfer(intent: str) -> None:
    """Declare that any platform role may sign `intent`, a 0-value transfer to itself with no data (it
    only uses up a nonce: the outbox fills a nonce gap with it)."""
    _SELF_TRANSFERS.add(intent)


def policy_for(intent: str) -> SigningPolicy:
    """The signing policy of `intent` (refused when none was declared)."""
    found = _POLICIES.get(intent)
    if found is None:
        raise SigningRefused(f"No signing policy is declared for the intent {intent!r}.")
    return found


def _refuse(row: ChainTransaction, why: str) -> SigningRefused:
    logger.error("signing refused for chain transaction %s (%s): %s", row.pk, row.intent, why)
    return SigningRefused(why)


def check_recorded_transaction(row: ChainTransaction) -> SigningPolicy:
    """The row's policy, after checking signer, target and function against it (raises SigningRefused)."""
    wallet = row.signer
    if row.intent in _SELF_TRANSFERS:
        return _check_empty_self_transfer(row, wallet)
    policy = policy_for(row.intent)
    if wallet.kind != policy.signer:
        raise _refuse(row, f"{row.intent} is signed by the {policy.signer.label} key, not {wallet.kind}.")
    data = bytes.fromhex(row.data.removeprefix("0x"))
    if not policy.targets:
        if row.to_address:
            raise _refuse(row, f"{row.intent} deploys a contract; it cannot call {row.to_address}.")
        return policy
    contract = row.contract
    if contract is None or contract.kind not in policy.targets or contract.address != row.to_address:
        raise _refuse(row, f"{row.intent} may not call {row.to_address or 'that contract'}.")
    if data[:4] not in policy.selectors:
        raise _refuse(row, f"{row.intent} may not call function 0x{data[:4].hex()}.")
    return policy


def _check_empty_self_transfer(row: ChainTransaction, wallet: Wallet) -> SigningPolicy:
    if wallet.kind not in PLATFORM_WALLET_KINDS:
        raise _refuse(row, f"{row.intent} is signed by a platform key, not {wallet.kind}.")
    if row.to_address.lower() != wallet.address.lower() or row.contract_id is not None:
        raise _refuse(row, f"{row.intent} may only send to the signer itself.")
    if row.data not in ("", "0x") or int(row.value_wei) != 0:
        raise _refuse(row, f"{row.intent} carries no data and no value.")
    return SigningPolicy(signer=WalletKind(wallet.kind), targets=frozenset(), selectors=frozenset())


@sensitive_variables("transaction")
def sign_recorded_transaction(*, tx_id: int, nonce: int, gas: int, gas_price: int) -> SignedTransaction:
    """Sign the outbox row `tx_id` (pending) as recorded, with the nonce and fees the outbox allocated.

    A row recorded with its nonce (a gap filler) is signed with that nonce only.
    """
    row = ChainTransaction.objects.select_related("signer", "contract").get(pk=tx_id)
    if row.status != ChainTxStatus.PENDING:
        raise _refuse(row, f"Only a pending row is signed; this one is {row.status}.")
    if row.nonce is not None and row.nonce != nonce:
        raise _refuse(row, f"This row was recorded for nonce {row.nonce}, not {nonce}.")
    return _sign_row(row, nonce=nonce, gas=gas, gas_price=gas_price)


def sign_replacement(*, tx_id: int, gas_price: int) -> SignedTransaction:
    """Sign the sent outbox row `tx_id` again, as recorded, with its nonce and gas limit at a higher price.

    Only one transaction per nonce can be mined, so the replacement and the signature it replaces can
    never both take effect.
    """
    row = ChainTransaction.objects.select_related("signer", "contract").get(pk=tx_id)
    if row.status != ChainTxStatus.SENT or row.nonce is None or row.gas_limit is None:
        raise _refuse(row, f"Only a sent row is signed again; this one is {row.status}.")
    if row.gas_price is not None and gas_price <= row.gas_price:
        raise _refuse(row, f"A replacement pays more than {row.gas_price} wei per gas, not {gas_price}.")
    return _sign_row(row, nonce=row.nonce, gas=row.gas_limit, gas_price=gas_price)


@sensitive_variables("transaction")
def _sign_row(row: ChainTransaction, *, nonce: int, gas: int, gas_price: int) -> SignedTransaction:
    check_recorded_transaction(row)
    transaction: dict[str, Any] = {
        "from": row.signer.address,
        "data": row.data,
        "value": int(row.value_wei),
        "nonce": nonce,
        "gas": gas,
        "gasPrice": gas_price,
        "chainId": row.chain_id,
    }
    if row.to_address:
        transaction["to"] = row.to_address
    return backend().sign_transaction(row.signer, transaction)


# --- customers' payment authorisations (EIP-3009) ------------------------------------------------


@dataclass(frozen=True)
class PaymentAuthorisation:
    """What a customer agrees to pay, as the record of its purpose states it."""

    payer: Wallet
    payee: str  # the Settlement contract: the only payee a customer authorisation may name
    value: int  # payment-token base units
    nonce: bytes  # binds the purpose (token, subscription or distribution, units) on chain
    valid_before: int  # unix seconds


class AuthorisationPurpose(Protocol):
    """A recorded row (subscription, distribution) that states the payment its payer agreed to."""

    pk: Any

    def payment_authorisation(self) -> PaymentAuthorisation:
        """The authorisation this record stands for."""


RECEIVE_WITH_AUTHORIZATION_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "ReceiveWithAuthorization": [
        {"name": "from", "type": "address"},
        {"name": "to", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "validAfter", "type": "uint256"},
        {"name": "validBefore", "type": "uint256"},
        {"name": "nonce", "type": "bytes32"},
    ],
}


def subscription_nonce(*, settlement: str, token: str, subscription_id: int, units: int) -> bytes:
    """The EIP-3009 nonce binding an escrow deposit to (token, subscription, units), as Settlement has it."""
    values = [settlement, token, subscription_id, units]
    return keccak(abi_encode(["address", "address", "uint256", "uint256"], values))


def distribution_id_for(*, token: str, sequence: int) -> int:
    """The Settlement distribution id of payment `sequence` of `token`'s offering: unique per token and
    payment, the same on every run (a second funding of it is refused on chain)."""
    return int.from_bytes(keccak(abi_encode(["address", "uint256"], [token, sequence])), "big")


def distribution_nonce(*, settlement: str, token: str, distribution_id: int, amount: int) -> bytes:
    """The EIP-3009 nonce binding an issuer's funding to (token, distribution, amount), as on chain."""
    values = [settlement, "distribution", token, distribution_id, amount]
    return keccak(abi_encode(["address", "string", "address", "uint256", "uint256"], values))


def transfer_nonce(
    *, settlement: str, token: str, transfer_id: int, seller: str, buyer: str, units: int, price: int
) -> bytes:
    """The nonce both parties of a transfer sign, as Settlement's `transferNonce` has it."""
    types = ["address", "string", "address", "uint256", "address", "address", "uint256", "uint256"]
    return keccak(
        abi_encode(types, [settlement, "transfer", token, transfer_id, seller, buyer, units, price])
    )


def _sign_receive(authorisation: PaymentAuthorisation, domain: dict[str, Any]) -> tuple[int, bytes, bytes]:
    wallet = authorisation.payer
    typed_data = {
        "types": RECEIVE_WITH_AUTHORIZATION_TYPES,
        "primaryType": "ReceiveWithAuthorization",
        "domain": domain,
        "message": {
            "from": wallet.address,
            "to": authorisation.payee,
            "value": authorisation.value,
            "validAfter": 0,
            "validBefore": authorisation.valid_before,
            "nonce": authorisation.nonce,
        },
    }
    return backend().sign_typed_data(wallet, typed_data)


def sign_payment_authorisation(
    *, purpose: AuthorisationPurpose, domain: dict[str, Any], settlement_address: str
) -> tuple[int, bytes, bytes]:
    """The payer's signature of the authorisation its recorded purpose states (re-read from the database)."""
    recorded = type(purpose)._default_manager.get(pk=purpose.pk)  # type: ignore[attr-defined]
    authorisation = recorded.payment_authorisation()
    wallet = authorisation.payer
    if wallet.kind not in CUSTOMER_WALLET_KINDS:
        raise SigningRefused("Payment authorisations are signed by customers' wallets only.")
    if authorisation.payee != settlement_address or authorisation.value <= 0:
        raise SigningRefused("A payment authorisation must pay a positive amount to the Settlement contract.")
    return _sign_receive(authorisation, domain)


def sign_distribution_authorisation(
    *, purpose: AuthorisationPurpose, domain: dict[str, Any], settlement_address: str
) -> tuple[int, bytes, bytes]:
    """The issuer's signature funding one recorded payment as a Settlement distribution
    (`Settlement.fundDistribution`), for exactly the amount recorded on the payment, re-read from the
    database: the payer must be the offering's issuer wallet, the nonce must bind that token, that
    distribution and that amount."""
    recorded = (
        type(purpose)
        ._default_manager.select_related(  # type: ignore[attr-defined]
            "offering__token", "offering__application__company__wallet"
        )
        .get(pk=purpose.pk)
    )
    authorisation = recorded.payment_authorisation()
    wallet = authorisation.payer
    if wallet.kind != WalletKind.ISSUER:
        raise SigningRefused("A distribution is funded by its issuer's wallet only.")
    if authorisation.payee != settlement_address or authorisation.value <= 0:
        raise SigningRefused("A distribution must pay a positive amount to the Settlement contract.")
    if authorisation.value != int(recorded.funded_base_units):
        raise SigningRefused("The authorisation is not for the recorded funding amount.")
    token = recorded.offering.token.address
    expected = distribution_nonce(
        settlement=settlement_address,
        token=token,
        distribution_id=recorded.distribution_id,
        amount=authorisation.value,
    )
    if authorisation.nonce != expected:
        raise SigningRefused("The authorisation does not name the recorded distribution.")
    return _sign_receive(authorisation, domain)


# --- a holder's authorisation of one transfer of units (EIP-712, verified by the security token) -----


@dataclass(frozen=True)
class UnitAuthorisation:
    """What a holder agrees to deliver, as the recorded transfer states it."""

    holder: Wallet
    to: str
    value: int  # whole units
    executor: str  # the Settlement contract: the only caller the token accepts it from
    nonce: bytes  # binds the transfer (token, id, both wallets, units, price) on chain
    valid_before: int  # unix seconds


class UnitAuthorisationPurpose(Protocol):
    """A recorded transfer that states the units its holder agreed to deliver."""

    pk: Any

    def unit_authorisation(self) -> UnitAuthorisation:
        """The authorisation this record stands for."""


TRANSFER_WITH_AUTHORISATION_TYPES = {
    "EIP712Domain": RECEIVE_WITH_AUTHORIZATION_TYPES["EIP712Domain"],
    "TransferWithAuthorisation": [
        {"name": "from", "type": "address"},
        {"name": "to", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "executor", "type": "address"},
        {"name": "validBefore", "type": "uint256"},
        {"name": "nonce", "type": "bytes32"},
    ],
}


def sign_unit_authorisation(
    *, purpose: UnitAuthorisationPurpose, domain: dict[str, Any], settlement_address: str
) -> tuple[int, bytes, bytes]:
    """The holder's signature of the transfer its recorded purpose states (re-read from the database)."""
    recorded = type(purpose)._default_manager.get(pk=purpose.pk)  # type: ignore[attr-defined]
    authorisation = recorded.unit_authorisation()
    wallet = authorisation.holder
    if wallet.kind not in CUSTOMER_WALLET_KINDS:
        raise SigningRefused("Transfer authorisations are signed by customers' wallets only.")
    if authorisation.executor != settlement_address or authorisation.value <= 0:
        raise SigningRefused(
            "A transfer authorisation moves whole units through the Settlement contract only."
        )
    if domain.get("verifyingContract") != recorded.offering.token.address:
        raise SigningRefused("A transfer authorisation is signed for the offering's own token only.")
    typed_data = {
        "types": TRANSFER_WITH_AUTHORISATION_TYPES,
        "primaryType": "TransferWithAuthorisation",
        "domain": domain,
        "message": {
            "from": wallet.address,
            "to": authorisation.to,
            "value": authorisation.value,
            "executor": authorisation.executor,
            "validBefore": authorisation.valid_before,
            "nonce": authorisation.nonce,
        },
    }
    return backend().sign_typed_data(wallet, typed_data)


# --- the platform's attestations (EIP-712 statements anyone can verify with the attester address) --------

ATTESTATION_DOMAIN_NAME = "Bay Area Capital Connect"
ATTESTATION_DOMAIN_VERSION = "1"
EIP712_DOMAIN_TYPE = RECEIVE_WITH_AUTHORIZATION_TYPES["EIP712Domain"]
# The only statements the attester key signs, by primary type. `uid` makes each issue its own digest,
# so revoking one attestation leaves a later re-issue of the same fact valid.
ATTESTATION_TYPES: dict[str, list[dict[str, str]]] = {
    "CompanyVerified": [
        {"name": "uid", "type": "bytes32"},
        {"name": "company", "type": "string"},
        {"name": "registrationNumber", "type": "string"},
        {"name": "jurisdiction", "type": "string"},
        {"name": "kybPassedOn", "type": "string"},
        {"name": "documentFingerprints", "type": "bytes32[]"},
        {"name": "issuedAt", "type": "uint64"},
        {"name": "validUntil", "type": "uint64"},
    ],
    "ProfessionalInvestor": [
        {"name": "uid", "type": "bytes32"},
        {"name": "wallet", "type": "address"},
        {"name": "professionalUntil", "type": "string"},
        {"name": "issuedAt", "type": "uint64"},
        {"name": "validUntil", "type": "uint64"},
    ],
}


def attestation_types(primary_type: str) -> dict[str, list[dict[str, str]]]:
    """The full EIP-712 `types` of one attestation kind (EIP712Domain included, as a download carries it)."""
    return {"EIP712Domain": EIP712_DOMAIN_TYPE, primary_type: ATTESTATION_TYPES[primary_type]}


def attestation_domain(*, chain_id: int, registry_address: str) -> dict[str, Any]:
    """The EIP-712 domain of the attestations: the AttestationRegistry is the verifying contract."""
    return {
        "name": ATTESTATION_DOMAIN_NAME,
        "version": ATTESTATION_DOMAIN_VERSION,
        "chainId": chain_id,
        "verifyingContract": registry_address,
    }


def attestation_digest(typed_data: dict[str, Any]) -> bytes:
    """The EIP-712 digest of typed data (what is signed, and what the registry revokes)."""
    signable = encode_typed_data(full_message=typed_data)
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def sign_attestation(typed_data: dict[str, Any]) -> str:
    """The attester key's signature (0x + r s v hex) of one platform attestation.

    Refused unless the typed data is exactly one of the attestation kinds under the platform's domain on
    the configured chain: the attester key signs nothing else (no payment, no transaction, no permit).
    """
    from tokens import chain
    from tokens.selectors import platform_contract, platform_wallet

    primary = typed_data.get("primaryType")
    if primary not in ATTESTATION_TYPES or set(typed_data) != {"types", "primaryType", "domain", "message"}:
        raise SigningRefused(f"The attester key signs platform attestations only, not {primary!r}.")
    if typed_data["types"] != attestation_types(primary):
        raise SigningRefused(f"The types of {primary} are not the platform's.")
    registry = platform_contract(ContractKind.ATTESTATION_REGISTRY)
    expected = attestation_domain(chain_id=chain.chain_id(), registry_address=str(registry.address))
    if not registry.address or typed_data["domain"] != expected:
        raise SigningRefused("An attestation is signed under the platform's own domain only.")
    names = {field["name"] for field in ATTESTATION_TYPES[primary]}
    if set(typed_data["message"]) != names:
        raise SigningRefused(f"The message does not have exactly the fields of {primary}.")
    wallet = platform_wallet(WalletKind.ATTESTER)
    v, r, s = backend().sign_typed_data(wallet, typed_data)
    return "0x" + r.hex() + s.hex() + f"{v:02x}"


def attester_address() -> str:
    """The address of the platform's attester key (the one the AttestationRegistry publishes)."""
    from tokens.selectors import platform_wallet

    return platform_wallet(WalletKind.ATTESTER).address
