"""An investor's transaction history: one list, newest first, of what the chain says happened to their
wallets (the event indexer's `ChainEvent`s: escrow payments, settlements, refunds, distributions,
redemptions, transfers in and out, freezes, forced transfers and recoveries, identity changes) and what
the books say they asked for (their subscriptions, including those the chain never saw: a payment
still moving or refused).

Each entry has its date, offering, units, amount with the currency and transaction hash. A chain event's
date is when the platform saw its transaction confirmed (the outbox row of that hash: every chain write
of the platform goes through the outbox, customers never send transactions); an event of a transaction
the platform did not send has no date and sorts after the dated ones. A subscription's date is when it
was asked for.

The list is one SQL `UNION` of the two sources (a few columns each), ordered and sliced in the
database; a page then reads its events, subscriptions and offerings once each, so a page costs the same
however long the history grows. Caller-scoped: the rows are those of the investor's own wallets (every
custodial wallet they own, so a recovered wallet's past stays in their history) and subscriptions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    CharField,
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from financing.models import Offering, PaymentHolder, Subscription
from tokens.choices import WalletKind
from tokens.indexer.selectors import DIRECTED_KINDS, HISTORY_LABELS
from tokens.models import ChainEvent, ChainTransaction, Wallet

# A chain event whose transaction the platform did not send sorts as if it happened at this moment.
UNDATED = datetime(1970, 1, 1, tzinfo=UTC)

BOOK_LABELS = {"subscription_requested": _("Subscription requested")}
TRANSACTION_LABELS = {
    **HISTORY_LABELS,
    **BOOK_LABELS,
    "recovery": _("Wallet recovery: units moved from your lost wallet to your new one"),
    "distribution_paid": _("Payment received (distribution)"),
    "redeemed": _("Units redeemed"),
}
TRANSACTION_KINDS = sorted(TRANSACTION_LABELS)

NOTHING = "-"  # matches no address, hash or distribution id

# How many entries the portfolio shows (the rest: the transactions page and API).
TRANSACTIONS_LATEST = 10


@dataclass(frozen=True)
class TransactionEntry:
    """One entry of an investor's history, in words."""

    kind: str
    label: str
    at: datetime | None
    offering: Offering | None
    units: int | None
    amount: Decimal | None
    refund: Decimal | None
    tx_hash: str
    block_number: int | None
    source: str  # "chain" or "books"
    subscription_id: int | None = None
    status: str = ""
    status_label: str = ""

    @property
    def currency(self) -> str | None:
        """The currency of `amount` and `refund`: the offering's."""
        return self.offering.currency if self.offering is not None else None

    @property
    def offering_id(self) -> int | None:
        return self.offering.pk if self.offering is not None else None

    @property
    def title(self) -> str:
        return self.offering.application.title if self.offering is not None else ""


def investor_wallets(user: User) -> QuerySet[Wallet]:
    """The custodial wallets `user` owns as an investor (today's and any replaced by a recovery)."""
    return Wallet.objects.filter(owner=user, kind=WalletKind.INVESTOR)


def investor_transactions(user: User) -> QuerySet[Any]:
    """The investor's history rows, newest first: `source`, `ref` (the event's or subscription's id),
    `at`, and the sort columns. One query per slice, one for the count; nothing of anyone else's."""
    wallets = investor_wallets(user).values("address")
    confirmed = ChainTransaction.objects.filter(tx_hash=OuterRef("tx_hash")).values("confirmed_at")[:1]
    chain_rows = (
        ChainEvent.objects.filter(Q(from_address__in=wallets) | Q(to_address__in=wallets))
        .exclude(kind="")
        .annotate(
            h_source=Value("chain", output_field=CharField()),
            h_ref=F("pk"),
            h_at=Subquery(confirmed, output_field=DateTimeField()),
            h_sort=Coalesce(Subquery(confirmed, output_field=DateTimeField()), Value(UNDATED)),
            h_block=F("block_number"),
            h_pos=F("log_index"),
        )
        .values("h_source", "h_ref", "h_at", "h_sort", "h_block", "h_pos")
        .order_by()  # the union is ordered as a whole (SQLite allows no ORDER BY in its parts)
    )
    book_rows = (
        Subscription.objects.filter(investor=user)
        .annotate(
            h_source=Value("books", output_field=CharField()),
            h_ref=F("pk"),
            h_at=F("created_at"),
            h_sort=F("created_at"),
            h_block=Value(0, output_field=BigIntegerField()),
            h_pos=Value(0, output_field=BigIntegerField()),
        )
        .values("h_source", "h_ref", "h_at", "h_sort", "h_block", "h_pos")
        .order_by()
    )
    return chain_rows.union(book_rows, all=True).order_by("-h_sort", "-h_block", "-h_pos", "-h_ref")


def _money(base_units: Decimal | int | None) -> Decimal | None:
    return None if base_units is None else Decimal(int(base_units)).scaleb(-settings.PAYMENT_TOKEN_DECIMALS)


def _distribution_tokens(events: Iterable[ChainEvent]) -> dict[str, str]:
    """The security token each distribution payout's transaction paid for (tx hash -> token address): the
    payout's `DistributionPaid` names the distribution, whose `DistributionFunded` names the token."""
    payouts = {e.tx_hash for e in events if e.kind == "distribution_paid" and not e.token_address}
    # A JSON value comes back as text from PostgreSQL and as a number from SQLite: compare as text.
    paid = {
        tx: str(d)
        for tx, d in ChainEvent.objects.filter(
            name="DistributionPaid", tx_hash__in=payouts or [NOTHING]
        ).values_list("tx_hash", "args__distributionId")
    }
    funded = {
        str(d): token
        for d, token in ChainEvent.objects.filter(
            name="DistributionFunded", args__distributionId__in=list(paid.values()) or [NOTHING]
        ).values_list("args__distributionId", "token_address")
    }
    return {tx: funded[d] for tx, d in paid.items() if d in funded}


def _payouts_received(events: Iterable[ChainEvent], own: set[str]) -> dict[tuple[str, str], PaymentHolder]:
    """The books' record of each payout transfer to the investor's wallets ((tx hash, wallet) -> their
    share of which payment), so that the entry says "Coupon 1 received" rather than "distribution"."""
    hashes = {e.tx_hash for e in events if e.kind == "distribution_paid"}
    shares = PaymentHolder.objects.filter(
        wallet__in=own or [NOTHING], payout_transaction__tx_hash__in=hashes or [NOTHING]
    ).select_related("payment__offering__application", "payment__offering__token", "payout_transaction")
    return {(str(s.payout_transaction.tx_hash), s.wallet): s for s in shares if s.payout_transaction}


def _chain_kind(event: ChainEvent, own: set[str]) -> str:
    kind = event.kind
    if kind in DIRECTED_KINDS:
        mine_from, mine_to = event.from_address in own, event.to_address in own
        if mine_from and mine_to:
            return "recovery" if kind == "recovery" else "transfer_in"
        return f"{kind}_out" if mine_from else f"{kind}_in"
    return kind


def transaction_entries(user: User, rows: Iterable[Mapping[str, Any]]) -> list[TransactionEntry]:
    """A page of `investor_transactions` rows as entries: its events, subscriptions and offerings read
    once each (a fixed number of queries for any page)."""
    rows = list(rows)
    if not rows:
        return []
    # Each lookup runs once whatever the page holds (a sentinel stands for none), so that every page
    # of any history costs the same queries.
    event_ids = [row["h_ref"] for row in rows if row["h_source"] == "chain"]
    subscription_ids = [row["h_ref"] for row in rows if row["h_source"] == "books"]
    events = {e.pk: e for e in ChainEvent.objects.filter(pk__in=event_ids or [-1])}
    subscriptions = {
        s.pk: s
        for s in Subscription.objects.filter(investor=user, pk__in=subscription_ids or [-1]).select_related(
            "offering__application"
        )
    }
    paid_for = _distribution_tokens(events.values())
    tokens = {e.token_address for e in events.values() if e.token_address} | set(paid_for.values())
    offerings = {
        str(address): o
        for o in Offering.objects.filter(token__address__in=tokens or [NOTHING]).select_related(
            "application", "token"
        )
        if (address := o.token.address if o.token else None)
    }
    own = set(investor_wallets(user).values_list("address", flat=True))
    received = _payouts_received(events.values(), own)
    entries = []
    for row in rows:
        if row["h_source"] == "books":
            subscription = subscriptions.get(row["h_ref"])
            if subscription is None:  # pragma: no cover - the union read it a moment ago
                continue
            entries.append(
                TransactionEntry(
                    kind="subscription_requested",
                    label=str(TRANSACTION_LABELS["subscription_requested"]),
                    at=subscription.created_at,
                    offering=subscription.offering,
                    units=subscription.units,
                    amount=subscription.amount,
                    refund=None,
                    tx_hash="",
                    block_number=None,
                    source="books",
                    subscription_id=subscription.pk,
                    status=subscription.status,
                    status_label=subscription.get_status_display(),
                )
            )
            continue
        event = events.get(row["h_ref"])
        if event is None:  # pragma: no cover - a re-organisation removed it between the two reads
            continue
        kind = _chain_kind(event, own)
        token = event.token_address or paid_for.get(event.tx_hash, "")
        label = TRANSACTION_LABELS.get(kind, event.name)
        offering = offerings.get(token)
        share = received.get((event.tx_hash, event.to_address)) if kind == "distribution_paid" else None
        if share is not None:
            label = f"{share.payment.get_kind_display()} {share.payment.sequence} received"
            offering = share.payment.offering
        entries.append(
            TransactionEntry(
                kind=kind,
                label=str(label),
                at=row["h_at"],
                offering=offering,
                units=None if event.units is None else int(event.units),
                amount=_money(event.money),
                refund=_money(event.refund),
                tx_hash=event.tx_hash,
                block_number=event.block_number,
                source="chain",
                subscription_id=None if event.subscription_id is None else int(event.subscription_id),
            )
        )
    return entries


def latest_transactions(
    user: User, *, limit: int = TRANSACTIONS_LATEST
) -> tuple[list[TransactionEntry], bool]:
    """The newest `limit` entries, and whether there are more."""
    rows = list(investor_transactions(user)[: limit + 1])
    return transaction_entries(user, rows[:limit]), len(rows) > limit
