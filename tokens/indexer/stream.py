"""The event indexer: the platform's contracts' events, read from a stored block cursor into
`ChainEvent` rows and `TokenHolding`s, surviving restarts and re-organisations.

It indexes up to the chain head (not head minus a confirmation depth) and handles re-organisations:
each run first checks that the chain still has the cursor's block hash at the cursor's height; if not,
it walks back through the hashes of the recent blocks it read (`IndexedBlock`) to the highest one the
chain still has (the common ancestor), removes the events above it, takes their effect off the holdings
and reads forward again. A re-organisation deeper than the blocks kept rebuilds the index from the start.

No chain call runs inside a database transaction. A range's events, the holdings they change and the
cursor move commit together, and the cursor moves only by a conditional update from the (number, hash)
the run started at: a restart resumes at the last committed range, and two runs at once never both
apply one (the second one's update finds the cursor moved and rolls back).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from web3.exceptions import BlockNotFound

from tokens import chain
from tokens.chain import RPC_TRANSPORT_ERRORS, ChainUnavailable
from tokens.choices import ContractKind, ContractStatus
from tokens.indexer import events
from tokens.indexer.events import PAYMENT_TRANSFER, ZERO_ADDRESS
from tokens.models import ChainEvent, Contract, IndexedBlock, IndexerCursor, TokenHolding

logger = logging.getLogger(__name__)

STREAM = "platform"
WALLET_BATCH = 500  # wallets per `IN (...)` when reading holdings (SQLite's variable limit in the demo)


class _CursorMoved(Exception):
    """Another run moved the cursor first: this run's range is not applied."""


@dataclass(frozen=True)
class IndexRun:
    """What one run did: the blocks it read, the events it stored, and any re-organisation it undid."""

    from_block: int
    to_block: int
    head: int
    events: int
    rolled_back_to: int | None = None


def _rpc(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except RPC_TRANSPORT_ERRORS as exc:
        raise ChainUnavailable() from exc


def _block_hash(number: int) -> str | None:
    """The chain's hash at `number`, or None when the chain is not that high (any more)."""
    if number < 0:
        return ""
    try:
        block = _rpc(chain.web3().eth.get_block, number)
    except BlockNotFound:
        return None
    return events.hex_of(block["hash"]) if block else None


def _cursor() -> IndexerCursor:
    cursor, _ = IndexerCursor.objects.get_or_create(
        stream=STREAM,
        defaults={"chain_id": chain.chain_id(), "block_number": settings.INDEXER_START_BLOCK - 1},
    )
    return cursor


def _read_addresses(chain_id: int) -> tuple[list[str], str | None, frozenset[str]]:
    """Every deployed security token, the Settlement and the IdentityRegistry; and Settlement's and every
    payment token's addresses (one per currency: distribution payouts are paid in each offering's own).

    A token is read once the platform knows its address (its deployment confirmed); it emits nothing the
    indexer reads before then: minting needs its offering registered through the timelock after that.
    """
    rows = list(
        Contract.objects.filter(
            chain_id=chain_id,
            status=ContractStatus.DEPLOYED,
            kind__in=[
                ContractKind.SECURITY_TOKEN,
                ContractKind.SETTLEMENT,
                ContractKind.IDENTITY_REGISTRY,
                ContractKind.PAYMENT_TOKEN,
            ],
        ).values_list("kind", "address")
    )
    by_kind = {
        kind: str(chain.to_checksum(str(address)))
        for kind, address in rows
        if kind != ContractKind.SECURITY_TOKEN
    }
    read = [str(chain.to_checksum(str(a))) for k, a in rows if k != ContractKind.PAYMENT_TOKEN]
    payment_tokens = frozenset(
        str(chain.to_checksum(str(a))) for k, a in rows if k == ContractKind.PAYMENT_TOKEN
    )
    return read, by_kind.get(ContractKind.SETTLEMENT), payment_tokens


def _payout_transfers(
    chain_id: int, tx_hashes: Iterable[str], settlement: str | None, payment_tokens: frozenset[str]
) -> list[ChainEvent]:
    """Each distribution payout's per-holder payment-token transfers, from its receipt (one per payout)."""
    if not settlement or not payment_tokens:
        return []
    topic, spec = events.payment_transfer_spec()
    rows = []
    for tx_hash in tx_hashes:
        receipt = _rpc(chain.web3().eth.get_transaction_receipt, tx_hash)
        for log in receipt["logs"]:
            if (
                chain.to_checksum(log["address"]) in payment_tokens
                and bytes(log["topics"][0]) == topic
                and events.decode(spec, log)["from"] == settlement
            ):
                rows.append(
                    events.event_row(
                        chain_id=chain_id, spec=spec, log=log, names_in_tx=set(), name=PAYMENT_TRANSFER
                    )
                )
    return rows


# --- holdings -------------------------------------------------------------------------------------

Pair = tuple[str, str]  # (token address, wallet)


@dataclass
class _Change:
    units: int = 0
    frozen_units: int = 0
    frozen: bool | None = None


def _changes(rows: Iterable[ChainEvent]) -> dict[Pair, _Change]:
    """Each (token, wallet)'s change of units, frozen units and frozen flag from events in order."""
    changes: dict[Pair, _Change] = defaultdict(_Change)
    for row in rows:
        if not row.token_address or row.contract_address != row.token_address:
            continue  # Settlement's events name a token but do not move it (its mint Transfer does)
        units = int(row.units or 0)
        if row.name == "Transfer":
            if row.from_address != ZERO_ADDRESS:
                changes[(row.token_address, row.from_address)].units -= units
            if row.to_address != ZERO_ADDRESS:
                changes[(row.token_address, row.to_address)].units += units
        elif row.name == "TokensFrozen":
            changes[(row.token_address, row.to_address)].frozen_units += units
        elif row.name == "TokensUnfrozen":
            changes[(row.token_address, row.to_address)].frozen_units -= units
        elif row.name == "AddressFrozen":
            changes[(row.token_address, row.to_address)].frozen = bool(row.args.get("frozen"))
    return changes


def _apply(chain_id: int, changes: dict[Pair, _Change], block: int) -> None:
    """Add the changes to the holdings: one read per 500 wallets, one bulk update, one bulk insert."""
    if not changes:
        return
    wallets = sorted({wallet for _, wallet in changes})
    tokens = sorted({token for token, _ in changes})
    existing: dict[Pair, TokenHolding] = {}
    for i in range(0, len(wallets), WALLET_BATCH):
        for holding in TokenHolding.objects.filter(
            chain_id=chain_id, token_address__in=tokens, wallet__in=wallets[i : i + WALLET_BATCH]
        ):
            existing[(holding.token_address, holding.wallet)] = holding
    created: list[TokenHolding] = []
    updated: list[TokenHolding] = []
    for (token, wallet), change in changes.items():
        found = existing.get((token, wallet))
        if found is None:
            holding = TokenHolding(chain_id=chain_id, token_address=token, wallet=wallet, block_number=block)
            created.append(holding)
        else:
            holding = found
            updated.append(holding)
        holding.units += change.units
        holding.frozen_units += change.frozen_units
        if change.frozen is not None:
            holding.frozen = change.frozen
        holding.block_number = block
    TokenHolding.objects.bulk_create(created, batch_size=2000)
    TokenHolding.objects.bulk_update(
        updated, ["units", "frozen_units", "frozen", "block_number"], batch_size=2000
    )


# --- one range forward, or back to the common ancestor ------------------------------------------------


def _move_cursor(cursor: IndexerCursor, *, number: int, block_hash: str, head: int) -> None:
    moved = IndexerCursor.objects.filter(
        pk=cursor.pk, block_number=cursor.block_number, block_hash=cursor.block_hash
    ).update(block_number=number, block_hash=block_hash, head_number=head, updated_at=timezone.now())
    if not moved:
        raise _CursorMoved()
    cursor.block_number, cursor.block_hash, cursor.head_number = number, block_hash, head


def _forward(cursor: IndexerCursor, *, head: int) -> int | None:
    """Read the next range; the number of events stored, or None when the chain moved under the read."""
    chain_id = cursor.chain_id
    start = cursor.block_number + 1
    end = min(head, start + settings.INDEXER_BLOCK_RANGE - 1)
    addresses, settlement, payment_tokens = _read_addresses(chain_id)
    end_hash = _block_hash(end)
    logs: list[Any] = []
    if addresses:
        logs = list(
            _rpc(
                chain.web3().eth.get_logs,
                {"fromBlock": start, "toBlock": end, "address": addresses, "topics": [events.topic_hexes()]},
            )
        )
    if not end_hash or _block_hash(end) != end_hash:
        return None  # re-organised while reading: the next run reads it again
    table = events.specs()
    in_tx = events.names_by_tx(logs)
    rows = [
        events.event_row(
            chain_id=chain_id,
            spec=table[bytes(log["topics"][0])],
            log=log,
            names_in_tx=in_tx[events.hex_of(log["transactionHash"])],
        )
        for log in logs
    ]
    payouts = sorted({row.tx_hash for row in rows if row.name == "DistributionPaid"})
    rows += _payout_transfers(chain_id, payouts, settlement, payment_tokens)
    rows.sort(key=lambda row: (row.block_number, row.log_index))
    blocks = {row.block_number: row.block_hash for row in rows} | {end: end_hash}
    with transaction.atomic():
        _move_cursor(cursor, number=end, block_hash=end_hash, head=head)
        ChainEvent.objects.bulk_create(rows, batch_size=2000)
        _apply(chain_id, _changes(rows), end)
        IndexedBlock.objects.bulk_create(
            [IndexedBlock(cursor=cursor, number=n, hash=h) for n, h in blocks.items()], ignore_conflicts=True
        )
        IndexedBlock.objects.filter(cursor=cursor, number__lt=end - settings.INDEXER_KEEP_BLOCKS).delete()
    return len(rows)


def _common_ancestor(cursor: IndexerCursor) -> tuple[int, str]:
    """The highest block read whose hash the chain still has; before the start when none is."""
    for number, stored in (
        IndexedBlock.objects.filter(cursor=cursor, number__lt=cursor.block_number)
        .order_by("-number")
        .values_list("number", "hash")
    ):
        if _block_hash(number) == stored:
            return number, stored
    return settings.INDEXER_START_BLOCK - 1, ""


def _reversed_changes(chain_id: int, above: int) -> dict[Pair, _Change]:
    """The holdings change that undoes every token event above block `above` (aggregated in SQL)."""
    gone = ChainEvent.objects.filter(chain_id=chain_id, block_number__gt=above).exclude(token_address="")
    own = gone.filter(name__in=["Transfer", "TokensFrozen", "TokensUnfrozen"])
    changes: dict[Pair, _Change] = defaultdict(_Change)
    sums = (
        own.exclude(from_address=ZERO_ADDRESS)
        .exclude(from_address="")
        .values_list("token_address", "from_address", "name")
        .annotate(total=Sum("units"))
    )
    for token, wallet, name, total in sums:
        if name == "Transfer":
            changes[(token, wallet)].units += int(total)
    sums = (
        own.exclude(to_address=ZERO_ADDRESS)
        .values_list("token_address", "to_address", "name")
        .annotate(total=Sum("units"))
    )
    for token, wallet, name, total in sums:
        change = changes[(token, wallet)]
        if name == "Transfer":
            change.units -= int(total)
        elif name == "TokensFrozen":
            change.frozen_units -= int(total)
        else:
            change.frozen_units += int(total)
    frozen_pairs = set(gone.filter(name="AddressFrozen").values_list("token_address", "to_address"))
    for token, wallet in frozen_pairs:
        last = (
            ChainEvent.objects.filter(
                chain_id=chain_id,
                block_number__lte=above,
                name="AddressFrozen",
                token_address=token,
                to_address=wallet,
            )
            .order_by("-block_number", "-log_index")
            .values_list("args", flat=True)
            .first()
        )
        changes[(token, wallet)].frozen = bool(last and last.get("frozen"))
    return changes


def _roll_back(cursor: IndexerCursor, *, head: int) -> int:
    """Undo everything above the common ancestor; returns the ancestor's number."""
    number, block_hash = _common_ancestor(cursor)
    chain_id = cursor.chain_id
    with transaction.atomic():
        _move_cursor(cursor, number=number, block_hash=block_hash, head=head)
        _apply(chain_id, _reversed_changes(chain_id, number), number if number >= 0 else 0)
        ChainEvent.objects.filter(chain_id=chain_id, block_number__gt=number).delete()
        IndexedBlock.objects.filter(cursor=cursor, number__gt=number).delete()
    logger.warning("chain re-organised: index rolled back to block %s and read again", number)
    return number


def chain_index(*, max_chunks: int | None = None) -> IndexRun:
    """Read the platform's events from the cursor to the head (at most `max_chunks` ranges of
    INDEXER_BLOCK_RANGE blocks), first undoing a re-organisation if the chain has one.

    Raises ChainUnavailable when the node does not answer (nothing half-applied).
    """
    cursor = _cursor()
    if cursor.chain_id != chain.chain_id():
        raise RuntimeError(f"The index is of chain {cursor.chain_id}, the node is {chain.chain_id()}.")
    head = chain.block_number()
    first = cursor.block_number + 1
    rolled_back_to = None
    stored = 0
    try:
        if cursor.block_hash and _block_hash(cursor.block_number) != cursor.block_hash:
            rolled_back_to = _roll_back(cursor, head=head)
            first = rolled_back_to + 1
        for _ in range(max_chunks or settings.INDEXER_MAX_CHUNKS):
            if cursor.block_number >= head:
                IndexerCursor.objects.filter(pk=cursor.pk).update(head_number=head, updated_at=timezone.now())
                break
            count = _forward(cursor, head=head)
            if count is None:
                break
            stored += count
    except _CursorMoved:
        logger.info("another indexer run moved the cursor; this one stops")
    return IndexRun(
        from_block=first,
        to_block=cursor.block_number,
        head=head,
        events=stored,
        rolled_back_to=rolled_back_to,
    )


def chain_index_to_head() -> IndexRun:
    """Run the indexer until it has read up to the head (the demo's start, the settlement benchmark)."""
    while True:
        run = chain_index()
        if run.to_block >= run.head:
            return run
