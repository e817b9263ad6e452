"""Writes of the chain side: wallets, deployments and the platform's contract calls (all via the outbox)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from web3 import Web3

from config.errors import Conflict
from tokens import chain, outbox, signer
from tokens.choices import ARTIFACT_BY_KIND, ChainTxStatus, ContractKind, ContractStatus, WalletKind
from tokens.models import ChainTransaction, Contract, Wallet
from tokens.selectors import platform_contract, platform_wallet

logger = logging.getLogger(__name__)

MAX_UINT256 = 2**256 - 1
DEV_CHAIN_OPERATOR_BALANCE_WEI = 10_000 * 10**18

# Roles (keccak of the name, as OpenZeppelin AccessControl defines them).
REGISTRAR_ROLE = Web3.keccak(text="REGISTRAR_ROLE")
MINTER_ROLE = Web3.keccak(text="MINTER_ROLE")
SETTLER_ROLE = Web3.keccak(text="SETTLER_ROLE")

INTENT_DEPLOY_PLATFORM = "deploy_platform_contract"
INTENT_GRANT_ROLE = "grant_role"
INTENT_MINT_PAYMENT = "mint_payment_token"


@transaction.atomic
def wallet_create(*, kind: WalletKind, label: str, owner: Any = None) -> Wallet:
    """A new custodial or platform wallet; its key is generated and encrypted by the signer."""
    address, encrypted = signer.new_encrypted_key()
    return Wallet.objects.create(
        kind=kind, label=label, owner=owner, address=address, encrypted_key=encrypted
    )


@transaction.atomic
def contract_deploy(*, kind: ContractKind, label: str, args: list[Any], intent: str, key: str) -> Contract:
    """Record a deployment of `kind` (constructor `args`) signed by the platform wallet."""
    deployed = Contract.objects.create(kind=kind, chain_id=chain.chain_id(), label=label)
    outbox.chain_transaction_enqueue(
        intent=intent,
        idempotency_key=key,
        signer_wallet=platform_wallet(),
        data=chain.encode_deploy(ARTIFACT_BY_KIND[kind], *args),
        to_address=None,
        contract=deployed,
        reference=f"deploy {label}",
    )
    return deployed


@transaction.atomic
def contract_call(
    *,
    target: Contract,
    function: str,
    args: list[Any],
    intent: str,
    key: str,
    reference: str = "",
    subject_address: str = "",
) -> ChainTransaction:
    """Record a call of `function(*args)` on a deployed contract, signed by the platform wallet."""
    if not target.address:
        raise Conflict(f"{target.label} is not deployed yet.")
    return outbox.chain_transaction_enqueue(
        intent=intent,
        idempotency_key=key,
        signer_wallet=platform_wallet(),
        data=chain.encode_call(ARTIFACT_BY_KIND[ContractKind(target.kind)], function, *args),
        to_address=target.address,
        contract=target,
        reference=reference or f"{function} on {target.label}",
        subject_address=subject_address,
    )


def contract_mark_deployed(tx: ChainTransaction, receipt: dict[str, Any]) -> Contract:
    """Record the address of a confirmed deployment."""
    if tx.contract_id is None:
        raise Conflict(f"Chain transaction {tx.pk} deploys no recorded contract.")
    deployed = Contract.objects.select_for_update().get(pk=tx.contract_id)
    deployed.address = chain.to_checksum(receipt["contractAddress"])
    deployed.status = ContractStatus.DEPLOYED
    deployed.save(update_fields=["address", "status", "updated_at"])
    return deployed


def contract_mark_failed(tx: ChainTransaction) -> None:
    """A deployment that the chain refused."""
    if tx.contract_id is not None:
        Contract.objects.filter(pk=tx.contract_id).update(status=ContractStatus.FAILED)


def _ignore(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """Nothing to apply: the chain state is the result."""


def register() -> None:
    """Declare the handlers of the chain side's own intents."""
    outbox.register_intent(
        INTENT_DEPLOY_PLATFORM, confirmed=contract_mark_deployed, failed=contract_mark_failed
    )
    outbox.register_intent(INTENT_GRANT_ROLE, confirmed=_ignore)
    outbox.register_intent(INTENT_MINT_PAYMENT, confirmed=_ignore)


def payment_token_mint(*, to_address: str, amount_base_units: int, key: str) -> ChainTransaction:
    """Mint test HKD to a wallet (the demo faucet; a licensed stablecoin would arrive by transfer)."""
    return contract_call(
        target=platform_contract(ContractKind.PAYMENT_TOKEN),
        function="mint",
        args=[chain.to_checksum(to_address), amount_base_units],
        intent=INTENT_MINT_PAYMENT,
        key=key,
        reference=f"mint test HKD to {to_address}",
        subject_address=to_address,
    )


PERMIT_TYPES = {
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
}


def settlement_payment_permit(
    *, wallet: Wallet, intent: str, reference: str, key_suffix: str = ""
) -> ChainTransaction:
    """Submit an EIP-2612 permit, signed by `wallet`, letting the Settlement contract collect its HKD.

    The platform sends it (the custodial wallet needs no gas). The domain is read from the token
    (ERC-5267), so a licensed stablecoin with its own name and version works unchanged.
    """
    payment = platform_contract(ContractKind.PAYMENT_TOKEN)
    settlement = platform_contract(ContractKind.SETTLEMENT)
    _, name, version, chain_id, verifying_contract, _, _ = chain.call(
        "PaymentToken", str(payment.address), "eip712Domain"
    )
    nonce = chain.call("PaymentToken", str(payment.address), "nonces", wallet.address)
    deadline = MAX_UINT256
    message = {
        "owner": wallet.address,
        "spender": settlement.address,
        "value": MAX_UINT256,
        "nonce": nonce,
        "deadline": deadline,
    }
    v, r, s = signer.sign_typed_data(
        wallet,
        {
            "types": PERMIT_TYPES,
            "primaryType": "Permit",
            "domain": {
                "name": name,
                "version": version,
                "chainId": chain_id,
                "verifyingContract": verifying_contract,
            },
            "message": message,
        },
    )
    return contract_call(
        target=payment,
        function="permit",
        args=[wallet.address, settlement.address, MAX_UINT256, deadline, v, r, s],
        intent=intent,
        key=f"permit:settlement:{wallet.address}:{nonce}{key_suffix}",
        reference=reference,
        subject_address=wallet.address,
    )


def drive(tx: ChainTransaction, *, timeout: float = 60.0) -> ChainTransaction:
    """Send and confirm one row in this process (for set-up commands, not for request handling)."""
    deadline = time.monotonic() + timeout
    outbox.chain_transaction_send(tx_id=tx.pk)
    while True:
        try:
            outbox.chain_transaction_confirm(tx_id=tx.pk)
        except outbox.NotYetConfirmed:
            if time.monotonic() > deadline:
                raise
            continue
        tx.refresh_from_db()
        if tx.status == ChainTxStatus.FAILED:
            raise Conflict(f"{tx.reference} failed on chain: {tx.error}")
        return tx


def platform_bootstrap() -> dict[str, str]:
    """Create the operator wallet and deploy the platform contracts; safe to run again. Returns addresses."""
    if not Wallet.objects.filter(kind=WalletKind.PLATFORM).exists():
        wallet_create(kind=WalletKind.PLATFORM, label="Platform operator")
    operator = platform_wallet()
    w3 = chain.web3()
    if (
        settings.CHAIN_IS_DEVELOPMENT
        and w3.eth.get_balance(chain.to_checksum(operator.address)) < DEV_CHAIN_OPERATOR_BALANCE_WEI // 2
    ):
        w3.provider.make_request("anvil_setBalance", [operator.address, hex(DEV_CHAIN_OPERATOR_BALANCE_WEI)])  # type: ignore[arg-type]
    plan: list[tuple[ContractKind, str, list[Any]]] = [
        (ContractKind.IDENTITY_REGISTRY, "Identity registry", [operator.address]),
        (ContractKind.PAYMENT_TOKEN, "HKD payment token (test)", [operator.address]),
        (ContractKind.DOCUMENT_REGISTRY, "Document registry", [operator.address]),
    ]
    for kind, label, args in plan:
        _deploy_platform_once(kind, label, args)
    payment = platform_contract(ContractKind.PAYMENT_TOKEN)
    _deploy_platform_once(ContractKind.SETTLEMENT, "Settlement", [operator.address, payment.address])
    grants = [
        (ContractKind.IDENTITY_REGISTRY, REGISTRAR_ROLE),
        (ContractKind.PAYMENT_TOKEN, MINTER_ROLE),
        (ContractKind.SETTLEMENT, SETTLER_ROLE),
        (ContractKind.DOCUMENT_REGISTRY, REGISTRAR_ROLE),
    ]
    for kind, role in grants:
        target = platform_contract(kind)
        artifact_name = ARTIFACT_BY_KIND[kind]
        if not chain.call(artifact_name, str(target.address), "hasRole", role, operator.address):
            drive(
                contract_call(
                    target=target,
                    function="grantRole",
                    args=[role, operator.address],
                    intent=INTENT_GRANT_ROLE,
                    key=f"grant:{target.address}:{role.hex()}:{operator.address}",
                )
            )
    return {kind.value: str(platform_contract(kind).address) for kind, _ in grants} | {
        "operator": operator.address
    }


def _deploy_platform_once(kind: ContractKind, label: str, args: list[Any]) -> None:
    live = Contract.objects.filter(kind=kind, chain_id=chain.chain_id()).exclude(status=ContractStatus.FAILED)
    if live.filter(status=ContractStatus.DEPLOYED).exists():
        return
    pending = live.first()
    if pending is None:
        pending = contract_deploy(
            kind=kind,
            label=label,
            args=args,
            intent=INTENT_DEPLOY_PLATFORM,
            key=f"deploy:{kind}:{chain.chain_id()}",
        )
    drive(ChainTransaction.objects.get(contract=pending, intent=INTENT_DEPLOY_PLATFORM))
