"""The index against the books: every holding, and the money leg of every settled allotment.

Holdings: for each (token, wallet) the indexed units must equal the books: the units of the wallet's
settled allotments of that token's offering, plus the transfers in and minus the transfers out and
redemptions the indexer saw (everything but the mints, which are the settlements). Money leg (in the
offering's own currency and payment token): each
settled allotment's `Settled` event must have paid the issuer exactly `Allotment.payment_base_units` and
refunded the investor exactly the rest of the subscription's escrow; a `Settled` event without a
settled allotment is a difference too.

Only what both sides have finished is compared: an allotment still pending, or settled in a block the
indexer has not read yet, leaves its (token, wallet) and its subscription to a later run. Each
difference raises one `OperatorAlert` (its key names the difference and both figures), so a run finds
it again without raising it twice. Bulk: six aggregate or column queries and dictionary comparisons.
`holdings_reconcile()` is the plain function a benchmark times.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum

from financing.choices import AllotmentStatus
from financing.models import Allotment, Offering
from tokens.choices import ChainTxStatus
from tokens.indexer.events import ZERO_ADDRESS
from tokens.indexer.stream import STREAM
from tokens.models import ChainEvent, ChainTransaction, IndexerCursor, OperatorAlert, TokenHolding

logger = logging.getLogger(__name__)

ALERT_HOLDING = "holding_differs"
ALERT_HKD = "hkd_leg_differs"


@dataclass(frozen=True)
class Difference:
    """One difference between the index and the books, in words, keyed so it is raised once."""

    kind: str
    key: str
    message: str


@dataclass
class ReconcileResult:
    """What a reconciliation compared and found."""

    block: int
    holdings_compared: int = 0
    settlements_compared: int = 0
    differences: list[Difference] = field(default_factory=list)
    raised: list[OperatorAlert] = field(default_factory=list)


Pair = tuple[str, str]


def _scale() -> Decimal:
    return Decimal(10) ** settings.PAYMENT_TOKEN_DECIMALS


def _hkd(base_units: int, currency: str = "HKD") -> str:
    """Base units of `currency`'s payment token as money: whole cents as such, anything finer in full
    (never rounded away)."""
    amount = Decimal(base_units) / _scale()
    places = 2 if amount == amount.quantize(Decimal("0.01")) else settings.PAYMENT_TOKEN_DECIMALS
    return f"{currency} {amount:,.{places}f}"


def _books(chain_id: int, block: int) -> tuple[dict[Pair, int], set[Pair], list[tuple]]:
    """Settled units per (token, wallet) up to `block`, the pairs with allotments in flight, and the
    settled allotments' (token, subscription id, payment, escrow amount) for the HKD leg."""
    rows = (
        Allotment.objects.filter(offering__token__chain_id=chain_id, offering__token__address__isnull=False)
        .exclude(status=AllotmentStatus.FAILED)
        .values_list(
            "offering__token__address",
            "subscription__investor__investor__wallet__address",
            "status",
            "chain_transaction__block_number",
            "subscription_id",
            "payment_base_units",
            "subscription__amount",
            "units",
            "offering__currency",
        )
    )
    settled: dict[Pair, int] = defaultdict(int)
    in_flight: set[Pair] = set()
    legs = []
    for token, wallet, status, mined, subscription_id, payment, escrow, units, currency in rows.iterator(
        chunk_size=5000
    ):
        pair = (str(token), str(wallet))
        if status == AllotmentStatus.SETTLED and mined is not None and mined <= block:
            settled[pair] += units
            legs.append((str(token), subscription_id, int(payment), int(escrow * _scale()), currency))
        else:
            in_flight.add(pair)
    return settled, in_flight, legs


def _moves(chain_id: int) -> tuple[dict[Pair, int], dict[Pair, int]]:
    """Units moved by token transfers other than mints: in (to a wallet) and out (incl. redemptions).

    A wallet recovery's transfer is left out: the books follow the investor (settled allotments count
    at the investor's current wallet), so the move from the lost wallet is already in them.
    """
    from tokens.operations import INTENT_RECOVER

    recoveries = ChainTransaction.objects.filter(
        intent=INTENT_RECOVER, status=ChainTxStatus.CONFIRMED, tx_hash__isnull=False
    ).values("tx_hash")
    transfers = (
        ChainEvent.objects.filter(chain_id=chain_id, name="Transfer")
        .exclude(token_address="")
        .exclude(tx_hash__in=recoveries)
    )
    inflow = {
        (token, wallet): int(total)
        for token, wallet, total in transfers.exclude(from_address=ZERO_ADDRESS)
        .exclude(to_address=ZERO_ADDRESS)
        .values_list("token_address", "to_address")
        .annotate(total=Sum("units"))
    }
    outflow = {
        (token, wallet): int(total)
        for token, wallet, total in transfers.exclude(from_address=ZERO_ADDRESS)
        .values_list("token_address", "from_address")
        .annotate(total=Sum("units"))
    }
    return inflow, outflow


def _titles(tokens: set[str]) -> dict[str, str]:
    if not tokens:
        return {}
    return {
        str(address): f"offering #{pk} '{title}'"
        for pk, title, address in Offering.objects.filter(token__address__in=tokens).values_list(
            "pk", "application__title", "token__address"
        )
    }


def _holding_differences(chain_id: int, block: int, result: ReconcileResult) -> tuple[set[Pair], list[tuple]]:
    settled, in_flight, legs = _books(chain_id, block)
    inflow, outflow = _moves(chain_id)
    held = {
        (token, wallet): units
        for token, wallet, units in TokenHolding.objects.filter(chain_id=chain_id).values_list(
            "token_address", "wallet", "units"
        )
    }
    pairs = (set(held) | set(settled) | set(inflow) | set(outflow)) - in_flight
    result.holdings_compared = len(pairs)
    found = []
    for pair in pairs:
        expected = settled.get(pair, 0) + inflow.get(pair, 0) - outflow.get(pair, 0)
        on_chain = held.get(pair, 0)
        if expected != on_chain:
            found.append((pair, on_chain, expected))
    titles = _titles({token for (token, _), _, _ in found})
    for (token, wallet), on_chain, expected in found:
        result.differences.append(
            Difference(
                kind=ALERT_HOLDING,
                key=f"{ALERT_HOLDING}:{chain_id}:{token}:{wallet}:{on_chain}:{expected}",
                message=(
                    f"Wallet {wallet} holds {on_chain:,} units of token {token} "
                    f"({titles.get(token, 'no offering')}) on chain, indexed to block {block}, but the books "
                    f"give {expected:,}: {settled.get((token, wallet), 0):,} from settled allotments, "
                    f"{inflow.get((token, wallet), 0):,} transferred in, "
                    f"{outflow.get((token, wallet), 0):,} transferred out or redeemed."
                ),
            )
        )
    return in_flight, legs


def _hkd_differences(chain_id: int, in_flight: set[Pair], legs: list[tuple], result: ReconcileResult) -> None:
    settled_events = {
        (token, int(subscription or 0)): (int(payment or 0), int(refund or 0), investor, tx_hash)
        for token, subscription, payment, refund, investor, tx_hash in ChainEvent.objects.filter(
            chain_id=chain_id, name="Settled"
        ).values_list("token_address", "subscription_id", "money", "refund", "to_address", "tx_hash")
    }
    booked = set()
    result.settlements_compared = len(legs)
    currency_of = dict(
        Offering.objects.filter(token__chain_id=chain_id, token__address__isnull=False).values_list(
            "token__address", "currency"
        )
    )
    for token, subscription_id, payment, escrow, currency in legs:
        booked.add((token, subscription_id))
        event = settled_events.get((token, subscription_id))
        refund = escrow - payment
        if event is None:
            paid_words, event_key = "no Settled event on chain", "none"
        elif event[:2] != (payment, refund):
            paid_words = (
                f"the chain paid the issuer {_hkd(event[0], currency)} and refunded "
                f"{_hkd(event[1], currency)} ({event[3]})"
            )
            event_key = f"{event[0]}:{event[1]}"
        else:
            continue
        result.differences.append(
            Difference(
                kind=ALERT_HKD,
                key=f"{ALERT_HKD}:{chain_id}:{token}:{subscription_id}:{event_key}:{payment}:{refund}",
                message=(
                    f"Subscription #{subscription_id} on token {token}: the books settled it paying the "
                    f"issuer {_hkd(payment, currency)} and refunding {_hkd(refund, currency)}, "
                    f"but {paid_words}."
                ),
            )
        )
    for (token, subscription_id), (payment, refund, investor, tx_hash) in settled_events.items():
        if (token, subscription_id) in booked or (token, investor) in in_flight:
            continue
        currency = currency_of.get(token, "HKD")
        result.differences.append(
            Difference(
                kind=ALERT_HKD,
                key=f"{ALERT_HKD}:{chain_id}:{token}:{subscription_id}:{payment}:{refund}:unbooked",
                message=(
                    f"Subscription #{subscription_id} on token {token} settled on chain ({tx_hash}), paying "
                    f"the issuer {_hkd(payment, currency)} and refunding {_hkd(refund, currency)}, but the "
                    "books have no settled "
                    "allotment for it."
                ),
            )
        )


def _raise(result: ReconcileResult) -> None:
    keys = [d.key for d in result.differences]
    known = set()
    for i in range(0, len(keys), 1000):
        known |= set(OperatorAlert.objects.filter(key__in=keys[i : i + 1000]).values_list("key", flat=True))
    new = [
        OperatorAlert(kind=d.kind, key=d.key, message=d.message, block_number=result.block)
        for d in result.differences
        if d.key not in known
    ]
    result.raised = OperatorAlert.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    for alert in new:
        logger.error("operator alert: %s", alert.message)


def holdings_reconcile() -> ReconcileResult:
    """Compare every indexed holding and every settled allotment's HKD leg with the books, up to the
    block the indexer has read; raise one OperatorAlert per new difference."""
    cursor = IndexerCursor.objects.filter(stream=STREAM).first()
    if cursor is None or cursor.block_number < 0:
        return ReconcileResult(block=-1)
    result = ReconcileResult(block=cursor.block_number)
    in_flight, legs = _holding_differences(cursor.chain_id, cursor.block_number, result)
    _hkd_differences(cursor.chain_id, in_flight, legs, result)
    _raise(result)
    return result
