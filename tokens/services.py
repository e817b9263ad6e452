"""Writes of the chain side: wallets, deployments, the platform's contract calls and admin operations.

Every write goes through the outbox; each intent's signing policy names the platform role whose key
signs it. Admin operations (registering an offering, forced transfers, role grants after bootstrap)
are proposed to the platform timelock by one key and executed by another after the delay.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from eth_utils import keccak
from web3 import Web3

from config.errors import Conflict
from tokens import chain, outbox
from tokens import signer as signer_module
from tokens.choices import (
    ARTIFACT_BY_KIND,
    PLATFORM_WALLET_KINDS,
    TEST_STABLECOINS,
    ChainTxStatus,
    ContractKind,
    ContractStatus,
    PaymentCurrency,
    WalletKind,
)
from tokens.models import ChainTransaction, Contract, Wallet
from tokens.selectors import payment_token, platform_contract, platform_wallet

logger = logging.getLogger(__name__)

DEV_CHAIN_GAS_BALANCE_WEI = 10_000 * 10**18
ZERO_BYTES32 = bytes(32)

# Roles (keccak of the name, as OpenZeppelin AccessControl defines them).
DEFAULT_ADMIN_ROLE = ZERO_BYTES32
REGISTRAR_ROLE = Web3.keccak(text="REGISTRAR_ROLE")
MINTER_ROLE = Web3.keccak(text="MINTER_ROLE")
SETTLER_ROLE = Web3.keccak(text="SETTLER_ROLE")
ROLE_NAMES = {
    DEFAULT_ADMIN_ROLE: "admin",
    REGISTRAR_ROLE: "registrar",
    MINTER_ROLE: "minter",
    SETTLER_ROLE: "settler",
}

INTENT_DEPLOY_PLATFORM = "deploy_platform_contract"
INTENT_GRANT_ROLE = "grant_role"
INTENT_HAND_OVER = "hand_over_admin"
INTENT_MINT_PAYMENT = "mint_payment_token"


@transaction.atomic
def wallet_create(*, kind: WalletKind, label: str, owner: Any = None) -> Wallet:
    """A new custodial or platform wallet; its key is created by the signer's key backend."""
    address, encrypted = signer_module.new_wallet_key(kind=kind)
    return Wallet.objects.create(
        kind=kind, label=label, owner=owner, address=address, encrypted_key=encrypted
    )


@transaction.atomic
def contract_deploy(*, kind: ContractKind, label: str, args: list[Any], intent: str, key: str) -> Contract:
    """Record a deployment of `kind` (constructor `args`), signed by the admin key."""
    deployed = Contract.objects.create(kind=kind, chain_id=chain.chain_id(), label=label)
    outbox.chain_transaction_enqueue(
        intent=intent,
        idempotency_key=key,
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
    not_before: datetime | None = None,
) -> ChainTransaction:
    """Record a call of `function(*args)` on a deployed contract, signed by the key the intent names."""
    if not target.address:
        raise Conflict(gettext("%(label)s is not deployed yet.") % {"label": target.label})
    return outbox.chain_transaction_enqueue(
        intent=intent,
        idempotency_key=key,
        data=chain.encode_call(ARTIFACT_BY_KIND[ContractKind(target.kind)], function, *args),
        to_address=target.address,
        contract=target,
        reference=reference or f"{function} on {target.label}",
        subject_address=subject_address,
        not_before=not_before,
    )


def contract_mark_deployed(tx: ChainTransaction, receipt: dict[str, Any]) -> Contract:
    """Record the address of a confirmed deployment."""
    if tx.contract_id is None:
        raise Conflict(gettext("Chain transaction %(pk)s deploys no recorded contract.") % {"pk": tx.pk})
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


PLATFORM_ADMINISTERED = (
    ContractKind.IDENTITY_REGISTRY,
    ContractKind.PAYMENT_TOKEN,
    ContractKind.SETTLEMENT,
    ContractKind.DOCUMENT_REGISTRY,
    ContractKind.ATTESTATION_REGISTRY,
)


def register() -> None:
    """Declare who signs the chain side's own intents, what they may call, and their handlers."""
    admin = WalletKind.ADMIN
    outbox.register_intent(
        INTENT_DEPLOY_PLATFORM, signer=admin, confirmed=contract_mark_deployed, failed=contract_mark_failed
    )
    # Bootstrap only: the admin key wires the roles, then hands every admin role to the timelock.
    outbox.register_intent(
        INTENT_GRANT_ROLE,
        signer=admin,
        targets=PLATFORM_ADMINISTERED,
        functions=("grantRole(bytes32,address)", "setPaymentTokenAllowed(address,bool)"),
        confirmed=_ignore,
    )
    outbox.register_intent(
        INTENT_HAND_OVER,
        signer=admin,
        targets=PLATFORM_ADMINISTERED,
        functions=("renounceRole(bytes32,address)",),
        confirmed=_ignore,
    )
    outbox.register_intent(
        INTENT_MINT_PAYMENT,
        signer=WalletKind.FAUCET,
        targets=(ContractKind.PAYMENT_TOKEN,),
        functions=("mint(address,uint256)",),
        confirmed=_ignore,
    )
    outbox.register_intent(
        INTENT_PROPOSE,
        signer=WalletKind.REGISTRAR,
        targets=(ContractKind.TIMELOCK,),
        functions=(SCHEDULE_SIGNATURE,),
        confirmed=admin_operation_scheduled,
        failed=admin_operation_failed,
    )


# --- admin operations through the timelock --------------------------------------------------------

INTENT_PROPOSE = "propose_admin_operation"
SCHEDULE_SIGNATURE = "schedule(address,uint256,bytes,bytes32,bytes32,uint256)"
EXECUTE_SIGNATURE = "execute(address,uint256,bytes,bytes32,bytes32)"
# (contract kind, function) of an admin operation -> (key prefix, intent of its execution) pairs: one
# function may be executed for different purposes (a sanctions freeze, a staff freeze), told apart by
# the prefix of the proposal's key; the longest matching prefix wins, "" matches any key.
_ADMIN_OPERATIONS: dict[tuple[str, str], list[tuple[str, str]]] = {}


def register_admin_operation(
    *,
    target: ContractKind,
    function: str,
    intent: str,
    confirmed: Any,
    failed: Any = None,
    key_prefix: str = "",
) -> None:
    """Declare an admin operation: the registrar key proposes, the admin key executes after the delay.

    `key_prefix`: proposals whose key starts with it are executed under `intent` (default: any key).
    """
    purposes = _ADMIN_OPERATIONS.setdefault((target.value, function), [])
    purposes[:] = [(prefix, known) for prefix, known in purposes if prefix != key_prefix]
    purposes.append((key_prefix, intent))
    purposes.sort(key=lambda purpose: len(purpose[0]), reverse=True)
    outbox.register_intent(
        intent,
        signer=WalletKind.ADMIN,
        targets=(ContractKind.TIMELOCK,),
        functions=(EXECUTE_SIGNATURE,),
        confirmed=confirmed,
        failed=failed,
    )


def admin_operation_propose(
    *, target: Contract, function: str, args: list[Any], key: str, reference: str, subject_address: str = ""
) -> ChainTransaction:
    """Propose `function(*args)` on `target` to the timelock (executed by another key after the delay)."""
    purposes = _ADMIN_OPERATIONS.get((target.kind, function), [])
    if not any(key.startswith(prefix) for prefix, _ in purposes):
        raise ValueError(f"{function} on {target.kind} is not a declared admin operation.")
    if not target.address:
        raise Conflict(gettext("%(label)s is not deployed yet.") % {"label": target.label})
    data = chain.encode_call(ARTIFACT_BY_KIND[ContractKind(target.kind)], function, *args)
    return contract_call(
        target=platform_contract(ContractKind.TIMELOCK),
        function="schedule",
        args=[
            target.address,
            0,
            bytes.fromhex(data.removeprefix("0x")),
            ZERO_BYTES32,
            keccak(text=key),
            settings.CHAIN_ADMIN_DELAY_SECONDS,
        ],
        intent=INTENT_PROPOSE,
        key=f"propose:{key}",
        reference=f"propose: {reference}",
        subject_address=subject_address,
    )


def _execution_intent(proposal: ChainTransaction) -> tuple[str, dict[str, Any]]:
    """The intent that executes a proposal, and the proposal's decoded schedule arguments."""
    call = chain.decode_call("PlatformTimelock", proposal.data)
    target = Contract.objects.get(chain_id=proposal.chain_id, address=chain.to_checksum(call["target"]))
    function = chain.decode_function_name(ARTIFACT_BY_KIND[ContractKind(target.kind)], call["data"])
    key = proposal.idempotency_key.removeprefix("propose:")
    intent = next(
        intent for prefix, intent in _ADMIN_OPERATIONS[(target.kind, function)] if key.startswith(prefix)
    )
    return intent, call


def admin_operation_scheduled(tx: ChainTransaction, receipt: dict[str, Any]) -> ChainTransaction:
    """The proposal is on chain: record its execution, sent once the delay has passed."""
    intent, call = _execution_intent(tx)
    delay = int(call["delay"])
    return contract_call(
        target=platform_contract(ContractKind.TIMELOCK),
        function="execute",
        args=[call["target"], call["value"], call["data"], call["predecessor"], call["salt"]],
        intent=intent,
        key=f"execute:{tx.idempotency_key.removeprefix('propose:')}",
        reference=tx.reference.replace("propose: ", "", 1),
        subject_address=tx.subject_address,
        # The chain counts the delay from the proposal's block; one extra second covers clock skew.
        not_before=timezone.now() + timedelta(seconds=delay + 1) if delay else None,
    )


def admin_operation_failed(tx: ChainTransaction) -> None:
    """A proposal the chain refused fails its purpose as its execution would have."""
    failed = outbox.handler_for(_execution_intent(tx)[0]).failed
    if failed is not None:
        failed(tx)


def payment_token_mint(
    *, to_address: str, amount_base_units: int, key: str, currency: str = "HKD"
) -> ChainTransaction:
    """Mint the test stablecoin of `currency` to a wallet (the demo faucet; a licensed stablecoin would
    arrive by transfer). Only the platform's own test tokens mint: a listed outside token refuses."""
    token = payment_token(currency)
    if not ChainTransaction.objects.filter(contract=token, intent=INTENT_DEPLOY_PLATFORM).exists():
        raise Conflict(
            gettext(
                "The %(currency)s stablecoin is not one of the platform's test tokens: it cannot be minted."
            )
            % {"currency": currency}
        )
    return contract_call(
        target=token,
        function="mint",
        args=[chain.to_checksum(to_address), amount_base_units],
        intent=INTENT_MINT_PAYMENT,
        key=key,
        reference=f"mint test {currency} to {to_address}",
        subject_address=to_address,
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
            raise Conflict(
                gettext("%(reference)s failed on chain: %(error)s")
                % {"reference": tx.reference, "error": tx.error}
            )
        return tx


def platform_bootstrap() -> dict[str, str]:
    """One wallet per platform role, the platform contracts and one test stablecoin per currency, the
    roles wired, every stablecoin allowed and listed, and every admin role handed to the timelock; safe
    to run again. Returns the addresses."""
    from tokens.payment_tokens import payment_token_list_at_bootstrap

    for role in PLATFORM_WALLET_KINDS:
        if not Wallet.objects.filter(kind=role).exists():
            wallet_create(kind=role, label=f"Platform {role.label.split(' (')[0].lower()}")
    wallets = {role: platform_wallet(role) for role in PLATFORM_WALLET_KINDS}
    if settings.CHAIN_IS_DEVELOPMENT:
        _fund_gas_on_development_chain(wallets.values())
    admin = wallets[WalletKind.ADMIN].address
    plan: list[tuple[ContractKind, str, list[Any]]] = [
        (ContractKind.IDENTITY_REGISTRY, "Identity registry", [admin]),
        (ContractKind.DOCUMENT_REGISTRY, "Document registry", [admin]),
        # Publishes the attester key's address and records revoked attestations (signed by that key).
        (
            ContractKind.ATTESTATION_REGISTRY,
            "Attestation registry",
            [admin, wallets[WalletKind.ATTESTER].address],
        ),
        (ContractKind.SETTLEMENT, "Settlement", [admin]),
        (
            ContractKind.TIMELOCK,
            "Admin timelock",
            [
                settings.CHAIN_ADMIN_DELAY_SECONDS,
                [wallets[WalletKind.REGISTRAR].address, wallets[WalletKind.AGENT].address],
                [admin],
                "0x" + "0" * 40,  # no outside admin: the timelock administers itself
            ],
        ),
    ]
    for kind, label, args in plan:
        _deploy_platform_once(kind, label, args)
    stablecoins = {currency: _deploy_payment_token_once(currency, admin) for currency in TEST_STABLECOINS}
    timelock = str(platform_contract(ContractKind.TIMELOCK).address)
    platform = {
        kind: platform_contract(kind) for kind in PLATFORM_ADMINISTERED if kind != ContractKind.PAYMENT_TOKEN
    }
    administered = [*platform.values(), *stablecoins.values()]
    grants = [
        (platform[ContractKind.IDENTITY_REGISTRY], REGISTRAR_ROLE, wallets[WalletKind.REGISTRAR].address),
        (platform[ContractKind.DOCUMENT_REGISTRY], REGISTRAR_ROLE, wallets[WalletKind.REGISTRAR].address),
        (platform[ContractKind.SETTLEMENT], SETTLER_ROLE, wallets[WalletKind.SETTLER].address),
        (platform[ContractKind.SETTLEMENT], REGISTRAR_ROLE, timelock),
        *[(token, MINTER_ROLE, wallets[WalletKind.FAUCET].address) for token in stablecoins.values()],
    ] + [(target, DEFAULT_ADMIN_ROLE, timelock) for target in administered]
    for target, granted, holder in grants:
        if not _has_role(target, granted, holder):
            _platform_call(
                target,
                "grantRole",
                [granted, holder],
                INTENT_GRANT_ROLE,
                f"grant the {ROLE_NAMES[granted]} role to {_holder_name(holder, wallets, timelock)}",
            )
    settlement = platform[ContractKind.SETTLEMENT]
    for currency, token in stablecoins.items():
        if not chain.call("Settlement", str(settlement.address), "isPaymentTokenAllowed", token.address):
            _allow_payment_token(settlement, token, admin, f"allow the {currency} payment token")
        payment_token_list_at_bootstrap(currency=currency, token=token)
    # The admin key keeps no standing power: what the constructors gave it goes.
    renounce = [
        (platform[ContractKind.IDENTITY_REGISTRY], REGISTRAR_ROLE),
        (platform[ContractKind.DOCUMENT_REGISTRY], REGISTRAR_ROLE),
        (platform[ContractKind.SETTLEMENT], REGISTRAR_ROLE),
        *[(token, MINTER_ROLE) for token in stablecoins.values()],
    ] + [(target, DEFAULT_ADMIN_ROLE) for target in administered]
    for target, held in renounce:
        if _has_role(target, held, admin):
            _platform_call(
                target,
                "renounceRole",
                [held, admin],
                INTENT_HAND_OVER,
                f"the admin key gives up the {ROLE_NAMES[held]} role",
            )
    return (
        {kind.value: str(platform_contract(kind).address) for kind, _, _ in plan}
        | {
            f"payment_token_{currency.value.lower()}": str(token.address)
            for currency, token in stablecoins.items()
        }
        | {role.value: wallet.address for role, wallet in wallets.items()}
    )


def _deploy_payment_token_once(currency: PaymentCurrency, admin: str) -> Contract:
    """The platform's test stablecoin of `currency` (deployed once per chain, found by its deployment)."""
    name, symbol = TEST_STABLECOINS[currency]
    # The HKD token keeps the key it had when it was the only one, so existing platforms find it.
    suffix = "" if currency == PaymentCurrency.HKD else f"{currency.value}:"
    key = f"deploy:{ContractKind.PAYMENT_TOKEN}:{suffix}{chain.chain_id()}"
    row = ChainTransaction.objects.filter(idempotency_key=key).select_related("contract").first()
    if row is None:
        deployed = contract_deploy(
            kind=ContractKind.PAYMENT_TOKEN,
            label=name,
            args=[name, symbol, admin],
            intent=INTENT_DEPLOY_PLATFORM,
            key=key,
        )
        row = ChainTransaction.objects.get(contract=deployed, intent=INTENT_DEPLOY_PLATFORM)
    if row.status != ChainTxStatus.CONFIRMED:
        drive(row)
    assert row.contract_id is not None
    return Contract.objects.get(pk=row.contract_id)


def _allow_payment_token(settlement: Contract, token: Contract, admin: str, what: str) -> None:
    """Allow `token` on the Settlement contract: by the admin key while it still holds the registrar role
    (first set-up), else through the timelock like any admin operation (a platform set up earlier)."""
    if _has_role(settlement, REGISTRAR_ROLE, admin):
        _platform_call(settlement, "setPaymentTokenAllowed", [token.address, True], INTENT_GRANT_ROLE, what)
        return
    proposal = admin_operation_propose(
        target=settlement,
        function="setPaymentTokenAllowed",
        args=[token.address, True],
        key=f"bootstrap:allow:{token.address}",
        reference=what,
        subject_address=str(token.address),
    )
    drive(proposal)
    execution = ChainTransaction.objects.get(idempotency_key=f"execute:bootstrap:allow:{token.address}")
    if execution.not_before is not None:
        time.sleep(max(0.0, (execution.not_before - timezone.now()).total_seconds()))
    drive(execution)


def _fund_gas_on_development_chain(wallets: Any) -> None:
    """A development chain gives every platform key test ether (a real chain's operator funds them)."""
    w3 = chain.web3()
    for wallet in wallets:
        if w3.eth.get_balance(chain.to_checksum(wallet.address)) < DEV_CHAIN_GAS_BALANCE_WEI // 2:
            w3.provider.make_request("anvil_setBalance", [wallet.address, hex(DEV_CHAIN_GAS_BALANCE_WEI)])  # type: ignore[arg-type]


def _platform_call(target: Contract, function: str, args: list[Any], intent: str, what: str) -> None:
    key = f"bootstrap:{target.address}:{function}:" + ":".join(
        a.hex() if isinstance(a, bytes) else str(a) for a in args
    )
    reference = f"{what} on the {target.label}"
    drive(
        contract_call(
            target=target, function=function, args=args, intent=intent, key=key, reference=reference
        )
    )


def _holder_name(address: str, wallets: dict[WalletKind, Wallet], timelock: str) -> str:
    if address == timelock:
        return "the admin timelock"
    role = next(role for role, wallet in wallets.items() if wallet.address == address)
    return f"the {role.value} key"


def _has_role(target: Contract, role: bytes, holder: str) -> bool:
    return bool(
        chain.call(ARTIFACT_BY_KIND[ContractKind(target.kind)], str(target.address), "hasRole", role, holder)
    )


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
