"""Reads of the chain side: wallets, platform contracts, the outbox, balances on chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext
from web3.exceptions import Web3Exception

from config.errors import Conflict
from tokens import chain
from tokens.choices import (
    PLATFORM_CONTRACT_KINDS,
    PLATFORM_WALLET_KINDS,
    ChainTxStatus,
    ContractKind,
    ContractStatus,
    ListingStatus,
    PaymentCurrency,
    TokenOperationKind,
    TokenOperationStatus,
    WalletKind,
)
from tokens.models import (
    ChainTransaction,
    Contract,
    OperatorAlert,
    PaymentLeg,
    PaymentTokenListing,
    TokenHolding,
    TokenOperation,
    Wallet,
)


def platform_wallet(kind: WalletKind) -> Wallet:
    """The wallet of one platform role (each role signs with its own key)."""
    wallet = Wallet.objects.filter(kind=kind).first()
    if wallet is None:
        raise Conflict(
            gettext("The platform is not connected to the chain yet: run `manage.py chain_bootstrap`.")
        )
    return wallet


def platform_contract(kind: ContractKind) -> Contract:
    """The deployed platform contract of `kind` on the configured chain."""
    found = Contract.objects.filter(
        kind=kind, chain_id=chain.chain_id(), status=ContractStatus.DEPLOYED
    ).first()
    if found is None or not found.address:
        raise Conflict(
            gettext("The %(label)s is not deployed yet: run `manage.py chain_bootstrap`.")
            % {"label": kind.label}
        )
    return found


def platform_ready() -> bool:
    """Whether every platform role's wallet and every platform contract are in place."""
    try:
        for role in PLATFORM_WALLET_KINDS:
            platform_wallet(role)
        for kind in (ContractKind.IDENTITY_REGISTRY, ContractKind.SETTLEMENT):
            platform_contract(kind)
        payment_token("HKD")
    except Conflict:
        return False
    return True


def payment_token(currency: str = "HKD") -> Contract:
    """The stablecoin that offerings in `currency` settle and are serviced in: the active listing of the
    allowlist for `currency` on the configured chain.

    The one place that maps a currency to its payment token (a CNY offering settles in the CNH
    stablecoin listed for CNY). Refuses, naming the currency, when none is listed.
    """
    listing = (
        PaymentTokenListing.objects.select_related("contract")
        .filter(chain_id=chain.chain_id(), currency=currency, status=ListingStatus.ACTIVE)
        .first()
    )
    if listing is None:
        name = PaymentCurrency(currency).label if currency in PaymentCurrency.values else currency
        raise Conflict(
            gettext(
                "No stablecoin is accepted for %(currency)s (%(name)s) yet: staff list "
                "one on the payment tokens page before offerings in this currency can "
                "settle."
            )
            % {"currency": currency, "name": name}
        )
    return listing.contract


def payment_currency_of(token_address: str) -> str | None:
    """The currency whose listed stablecoin (active or not) is at `token_address`, or None."""
    return (
        PaymentTokenListing.objects.filter(
            chain_id=chain.chain_id(), contract__address=chain.to_checksum(token_address)
        )
        .order_by("-pk")
        .values_list("currency", flat=True)
        .first()
    )


def payment_tokens_listed() -> dict[str, str]:
    """Every currency's active stablecoin address on the configured chain: {currency: address}."""
    rows = (
        PaymentTokenListing.objects.filter(chain_id=chain.chain_id(), status=ListingStatus.ACTIVE)
        .order_by("currency")
        .values_list("currency", "contract__address")
    )
    return {currency: str(address) for currency, address in rows}


def payment_token_addresses_ever_listed() -> list[str]:
    """Every stablecoin address that is or was allowed on this chain (money may still sit in them)."""
    rows = (
        PaymentTokenListing.objects.filter(
            chain_id=chain.chain_id(), status__in=(ListingStatus.ACTIVE, ListingStatus.ALLOWING)
        )
        .order_by("contract__address")
        .values_list("contract__address", flat=True)
        .distinct()
    )
    return [str(address) for address in rows]


def payment_token_listings() -> QuerySet[PaymentTokenListing]:
    """Every listing, live ones first by currency, for the staff page and API."""
    return PaymentTokenListing.objects.select_related("contract", "proposed_by", "decided_by").order_by(
        "currency", "-pk"
    )


def payment_legs() -> QuerySet[PaymentLeg]:
    """Travel-rule records of payment legs, newest first (compliance only)."""
    return PaymentLeg.objects.select_related("chain_transaction").order_by("-pk")


def payment_balance(address: str, currency: str = "HKD") -> Decimal:
    """The balance of `address` in the payment token of `currency`, read from the chain."""
    token = payment_token(currency)
    raw = chain.call("PaymentToken", str(token.address), "balanceOf", chain.to_checksum(address))
    return Decimal(raw).scaleb(-settings.PAYMENT_TOKEN_DECIMALS)


def payment_balances(address: str) -> dict[str, Decimal]:
    """The balance of `address` in every listed payment token, by currency (one batched chain request)."""
    listed = payment_tokens_listed()
    holder = chain.to_checksum(address)
    raw = chain.call_many([("PaymentToken", token, "balanceOf", (holder,)) for token in listed.values()])
    return {
        currency: Decimal(int(value)).scaleb(-settings.PAYMENT_TOKEN_DECIMALS)
        for currency, value in zip(listed, raw, strict=True)
    }


def payment_balances_or_none(address: str) -> dict[str, Decimal] | None:
    """`payment_balances`, or None when the chain cannot answer (pages say so, not fail)."""
    try:
        return payment_balances(address)
    except CHAIN_READ_ERRORS:
        return None


def payment_token_domain(currency: str = "HKD") -> dict[str, Any]:
    """The payment token's EIP-712 domain (ERC-5267), for customers' authorisations; read once per token."""
    token = payment_token(currency)
    return dict(_eip712_domain(chain.chain_id(), str(token.address)))


@lru_cache(maxsize=8)
def _eip712_domain(chain_id: int, address: str) -> tuple[tuple[str, Any], ...]:
    _, name, version, domain_chain_id, verifying_contract, _, _ = chain.call(
        "PaymentToken", address, "eip712Domain"
    )
    return (
        ("name", name),
        ("version", version),
        ("chainId", domain_chain_id),
        ("verifyingContract", verifying_contract),
    )


def token_balance(token: Contract, address: str) -> int:
    """Units of a security token held by `address`, read from the chain."""
    return int(chain.call("SecurityToken", str(token.address), "balanceOf", chain.to_checksum(address)))


def chain_transactions_recent(limit: int = 100) -> QuerySet[ChainTransaction]:
    """The newest outbox rows, for the operator's chain status page."""
    return ChainTransaction.objects.select_related("signer").order_by("-pk")[:limit]


def chain_transaction_counts() -> dict[str, int]:
    """How many outbox rows are in each status."""
    return {status.value: ChainTransaction.objects.filter(status=status).count() for status in ChainTxStatus}


# What a page may meet when it reads the chain: the node is down or slow, or the platform is not bootstrapped.
CHAIN_READ_ERRORS = (chain.ChainUnavailable, Conflict, Web3Exception)


def payment_balance_or_none(address: str, currency: str = "HKD") -> Decimal | None:
    """The balance of `address` in `currency`'s payment token, or None when the chain cannot answer
    (pages say so, not fail)."""
    try:
        return payment_balance(address, currency)
    except CHAIN_READ_ERRORS:
        return None


def token_balance_or_none(token: Contract, address: str) -> int | None:
    """Units of `token` held by `address`, or None when the chain cannot answer."""
    if not token.address:
        return None
    try:
        return token_balance(token, address)
    except CHAIN_READ_ERRORS:
        return None


@dataclass(frozen=True)
class ChainOverview:
    """What the operator's chain status page shows. `recent` (outbox rows, newest first) and `alerts`
    (open operator alerts, newest first) are query sets the page shows a page at a time."""

    counts: dict[str, int]
    recent: Any
    contracts: list[Contract]
    platform_wallets: list[Wallet]
    alerts: Any
    block_number: int | None


def chain_overview() -> ChainOverview:
    """Outbox counts and rows, open alerts, platform contracts and the chain head (None if down)."""
    try:
        block_number: int | None = chain.block_number()
    except CHAIN_READ_ERRORS:
        block_number = None
    return ChainOverview(
        counts=chain_transaction_counts(),
        recent=ChainTransaction.objects.select_related("signer", "contract").order_by("-pk"),
        contracts=list(Contract.objects.filter(kind__in=PLATFORM_CONTRACT_KINDS).order_by("kind", "-pk")),
        platform_wallets=list(Wallet.objects.filter(kind__in=PLATFORM_WALLET_KINDS).order_by("kind")),
        alerts=OperatorAlert.objects.filter(acknowledged_at__isnull=True).order_by("-pk"),
        block_number=block_number,
    )


# --- staff token operations ---------------------------------------------------------------------------


def token_operations_visible_to(user: Any) -> QuerySet[TokenOperation]:
    """Token operations, newest first: every one for staff, none for anyone else."""
    from accounts.choices import STAFF_ROLES

    if getattr(user, "role", None) not in STAFF_ROLES:
        return TokenOperation.objects.none()
    return (
        TokenOperation.objects.select_related(
            "token__offering__application", "requested_by", "approved_by", "investor"
        )
        .prefetch_related("transactions")
        .order_by("-pk")
    )


@dataclass(frozen=True)
class OperationNotice:
    """What the investor reads on a holding about a staff action that touched it: what, when, why."""

    kind: str
    what: str
    why: str
    at: datetime
    in_progress: bool
    tx_hash: str | None


def _notice_words(operation: TokenOperation, address: str) -> str:
    """What happened to the holding (or will, once the safety delay has passed), from the investor's side."""
    units = f"{operation.amount:,} unit{'s' if operation.amount != 1 else ''}" if operation.amount else ""
    receiving = operation.counterparty == address
    # kind -> (done, under way)
    words = {
        TokenOperationKind.FREEZE: (
            "Your wallet was frozen on this token: its units cannot be transferred.",
            "Your wallet is being frozen on this token: its units will not be transferable.",
        ),
        TokenOperationKind.UNFREEZE: (
            "Your wallet was unfrozen on this token: its units can move again.",
            "Your wallet is being unfrozen on this token.",
        ),
        TokenOperationKind.PARTIAL_FREEZE: (
            f"{units} of your holding were frozen: they cannot be transferred.",
            f"{units} of your holding are being frozen.",
        ),
        TokenOperationKind.PARTIAL_UNFREEZE: (
            f"{units} of your frozen holding were released.",
            f"{units} of your frozen holding are being released.",
        ),
        TokenOperationKind.PAUSE: (
            "The platform paused all transfers of this token.",
            "The platform is pausing all transfers of this token.",
        ),
        TokenOperationKind.RESUME: (
            "The platform resumed transfers of this token.",
            "The platform is resuming transfers of this token.",
        ),
        TokenOperationKind.RECOVERY: (
            f"Your units moved from your lost wallet {operation.wallet} to your new wallet "
            f"{operation.counterparty}; the lost wallet is frozen.",
            f"Your units are moving from your lost wallet {operation.wallet} to a new wallet; "
            "the lost wallet will be frozen.",
        ),
        TokenOperationKind.FORCED_TRANSFER: (
            f"{units} were transferred into your wallet by the platform."
            if receiving
            else f"{units} were transferred out of your wallet by the platform to {operation.counterparty}.",
            f"{units} are being transferred into your wallet by the platform."
            if receiving
            else f"{units} are being transferred out of your wallet by the platform "
            f"to {operation.counterparty}.",
        ),
    }[TokenOperationKind(operation.kind)]
    if operation.status == TokenOperationStatus.SUBMITTED:
        return f"{words[1]} Approved; it takes effect after the platform's safety delay."
    return words[0]


def token_operation_notices(user: Any, address: str) -> dict[str, list[OperationNotice]]:
    """The staff actions that touched the investor's holdings, per token address, newest first (one query).

    Only what happened or is under way (sent to the chain), never a request still awaiting approval.
    """
    from django.db.models import Q

    rows = (
        TokenOperation.objects.filter(
            status__in=[TokenOperationStatus.SUBMITTED, TokenOperationStatus.EXECUTED]
        )
        .filter(
            Q(investor=user)
            | Q(counterparty=address, kind=TokenOperationKind.FORCED_TRANSFER)
            | Q(
                kind__in=[TokenOperationKind.PAUSE, TokenOperationKind.RESUME],
                token__address__in=TokenHolding.objects.filter(wallet=address).values("token_address"),
            )
        )
        .select_related("token")
        .prefetch_related("transactions")
        .order_by("-pk")
    )
    notices: dict[str, list[OperationNotice]] = {}
    for operation in rows:
        why = operation.reason
        if operation.legal_basis:
            why = f"{operation.get_legal_basis_display()} ({operation.legal_reference}): {why}"
        mined = [
            tx for tx in operation.transactions.all() if tx.tx_hash and tx.status == ChainTxStatus.CONFIRMED
        ]
        notice = OperationNotice(
            kind=operation.kind,
            what=_notice_words(operation, address),
            why=why,
            at=operation.executed_at or operation.decided_at or operation.created_at,
            in_progress=operation.status == TokenOperationStatus.SUBMITTED,
            tx_hash=mined[-1].tx_hash if mined else None,
        )
        tokens = operation.details.get("tokens", []) if operation.token is None else [operation.token.address]
        for token in tokens:
            notices.setdefault(str(token), []).append(notice)
    return notices
