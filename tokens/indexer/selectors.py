"""Reads of the index for pages and APIs: a wallet's holdings, its transaction history, and how fresh
the index is. No chain call: these are database reads (one query each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokens.indexer.stream import STREAM
from tokens.models import ChainEvent, IndexerCursor, TokenHolding


@dataclass(frozen=True)
class Freshness:
    """How far the index has read: "as of block N", and whether it is behind the chain."""

    block: int | None
    head: int | None
    updated_at: datetime | None
    catching_up: bool

    @property
    def blocks_behind(self) -> int:
        """Blocks between the last read and the head the indexer last saw."""
        if self.block is None or self.head is None:
            return 0
        return max(self.head - self.block, 0)


def index_freshness() -> Freshness:
    """The indexer's cursor: its block, the head it last saw, and whether it is catching up (never ran,
    stopped short of the head, or has not run for INDEXER_LAG_SECONDS)."""
    cursor = IndexerCursor.objects.filter(stream=STREAM).first()
    if cursor is None or cursor.block_number < 0:
        return Freshness(block=None, head=None, updated_at=None, catching_up=True)
    stale = cursor.updated_at < timezone.now() - timedelta(seconds=settings.INDEXER_LAG_SECONDS)
    return Freshness(
        block=cursor.block_number,
        head=cursor.head_number,
        updated_at=cursor.updated_at,
        catching_up=stale or cursor.block_number < cursor.head_number,
    )


def holdings_of(wallet: str) -> QuerySet[TokenHolding]:
    """The security tokens `wallet` holds (units above zero, or frozen), as indexed."""
    return TokenHolding.objects.filter(wallet=wallet).filter(Q(units__gt=0) | Q(frozen=True)).order_by("pk")


HISTORY_LABELS = {
    "subscription_funded": _("Subscription funded (payment into escrow)"),
    "settled": _("Settled: units minted, payment to the issuer"),
    "refunded": _("Refunded from escrow"),
    "distribution_paid": _("Distribution paid"),
    "distribution_funded": _("Distribution funded"),
    "transfer_in": _("Transfer in"),
    "transfer_out": _("Transfer out"),
    "forced_transfer_in": _("Units moved to you by the platform (forced transfer)"),
    "forced_transfer_out": _("Units moved out by the platform (forced transfer)"),
    "recovery_in": _("Units recovered from your lost wallet"),
    "recovery_out": _("Units moved to your new wallet (wallet recovery)"),
    "minted": _("Units minted"),
    "redeemed": _("Units redeemed"),
    "frozen": _("Wallet frozen on the token"),
    "unfrozen": _("Wallet unfrozen on the token"),
    "units_frozen": _("Units frozen"),
    "units_unfrozen": _("Units unfrozen"),
    "identity_registered": _("On-chain identity registered"),
    "identity_updated": _("On-chain identity updated"),
    "identity_revoked": _("On-chain identity revoked"),
}


# Kinds that move units between two wallets: in or out as seen from the wallet whose history it is.
DIRECTED_KINDS = ("transfer", "forced_transfer", "recovery")


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a wallet's history, in words, with its transaction."""

    kind: str
    label: str
    token_address: str
    units: int | None
    money_base_units: int | None
    refund_base_units: int | None
    tx_hash: str
    block_number: int
    log_index: int

    @property
    def money_hkd(self) -> Decimal | None:
        """The HKD stablecoin moved, in HKD."""
        return _hkd(self.money_base_units)

    @property
    def refund_hkd(self) -> Decimal | None:
        """The HKD refunded at settlement, in HKD."""
        return _hkd(self.refund_base_units)


def _hkd(base_units: int | None) -> Decimal | None:
    return None if base_units is None else Decimal(base_units).scaleb(-settings.PAYMENT_TOKEN_DECIMALS)


def wallet_events(wallet: str) -> QuerySet[ChainEvent]:
    """The events in `wallet`'s history, newest first."""
    return (
        ChainEvent.objects.filter(Q(from_address=wallet) | Q(to_address=wallet))
        .exclude(kind="")
        .order_by("-block_number", "-log_index")
    )


def history_entries(wallet: str, rows: QuerySet[ChainEvent] | list[ChainEvent]) -> list[HistoryEntry]:
    """Events as `wallet`'s history entries (a transfer is in or out as seen from `wallet`)."""
    entries = []
    for row in rows:
        kind = row.kind
        if kind in DIRECTED_KINDS:
            kind = f"{kind}_out" if row.from_address == wallet else f"{kind}_in"
        entries.append(
            HistoryEntry(
                kind=kind,
                label=str(HISTORY_LABELS.get(kind, row.name)),
                token_address=row.token_address,
                units=None if row.units is None else int(row.units),
                money_base_units=None if row.money is None else int(row.money),
                refund_base_units=None if row.refund is None else int(row.refund),
                tx_hash=row.tx_hash,
                block_number=row.block_number,
                log_index=row.log_index,
            )
        )
    return entries
