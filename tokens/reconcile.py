"""Every money movement on chain must match a write the platform recorded; anything else alerts operators.

Money moves through the Settlement contract (Funded, Settled, Refunded, DistributionFunded,
DistributionPaid, DistributionClosed) or as a Transfer out of a customer's wallet in any payment token
that is or was listed (one per currency: HKD, CNH, MOP, USD). Each
such event's transaction must be a recorded outbox row. An event without one means a key was used
outside the platform (stolen, or used by hand): an `OperatorAlert` is raised, once per event.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from eth_utils import event_abi_to_log_topic

from tokens import chain
from tokens.choices import CUSTOMER_WALLET_KINDS, ContractKind, ListingStatus
from tokens.models import (
    ChainTransaction,
    ChainTransactionAttempt,
    OperatorAlert,
    PaymentTokenListing,
    ReconciliationCursor,
    Wallet,
)
from tokens.selectors import payment_token_addresses_ever_listed, platform_contract

logger = logging.getLogger(__name__)

ALERT_UNMATCHED = "unmatched_money_movement"
SETTLEMENT_MONEY_EVENTS = (
    "Funded",
    "Settled",
    "Refunded",
    "DistributionFunded",
    "DistributionPaid",
    "DistributionClosed",
)
MAX_BLOCKS_PER_RUN = 5_000


def _topics(artifact: str, names: tuple[str, ...]) -> dict[bytes, str]:
    abi = chain.artifact(artifact)["abi"]
    return {
        event_abi_to_log_topic(item): item["name"]
        for item in abi
        if item.get("type") == "event" and item["name"] in names
    }


def _logs(address: str | list[str], topics: dict[bytes, str], start: int, end: int) -> list[Any]:
    addresses = [address] if isinstance(address, str) else address
    if not addresses:
        return []
    return list(
        chain.web3().eth.get_logs(
            {
                "address": [chain.to_checksum(a) for a in addresses],
                "fromBlock": start,
                "toBlock": end,
                "topics": [["0x" + topic.hex() for topic in topics]],
            }
        )
    )


def _address_topic(topic: bytes) -> str:
    return chain.to_checksum("0x" + bytes(topic)[-20:].hex())


def money_movements_reconcile() -> list[OperatorAlert]:
    """Read the chain since the last run; alert on each money movement without a recorded outbox row."""
    w3 = chain.web3()
    head = int(w3.eth.block_number)
    cursor, _ = ReconciliationCursor.objects.get_or_create(chain_id=chain.chain_id())
    start = cursor.last_block + 1
    end = min(head, start + MAX_BLOCKS_PER_RUN - 1)
    if start > end:
        return []
    settlement_topics = _topics("Settlement", SETTLEMENT_MONEY_EVENTS)
    transfer_topics = _topics("PaymentToken", ("Transfer",))
    customers = set(Wallet.objects.filter(kind__in=CUSTOMER_WALLET_KINDS).values_list("address", flat=True))
    movements: list[tuple[Any, str]] = [
        (log, settlement_topics[bytes(log["topics"][0])])
        for log in _logs(
            str(platform_contract(ContractKind.SETTLEMENT).address), settlement_topics, start, end
        )
    ]
    currency_of = {
        str(address): currency
        for currency, address in PaymentTokenListing.objects.filter(
            chain_id=chain.chain_id(), status__in=(ListingStatus.ACTIVE, ListingStatus.ALLOWING)
        ).values_list("currency", "contract__address")
    }
    for log in _logs(payment_token_addresses_ever_listed(), transfer_topics, start, end):
        payer = _address_topic(log["topics"][1])
        if payer in customers:
            currency = currency_of.get(chain.to_checksum(log["address"]), "Payment token")
            movements.append((log, f"{currency} transfer out of customer wallet {payer}"))
    hashes = {"0x" + bytes(log["transactionHash"]).hex().removeprefix("0x") for log, _ in movements}
    # A row still awaiting its confirmation task counts: the write was recorded before it was signed.
    recorded = set(ChainTransaction.objects.filter(tx_hash__in=hashes).values_list("tx_hash", flat=True))
    # A replaced signature may be the one mined before its row is confirmed: it was recorded too.
    recorded |= set(
        ChainTransactionAttempt.objects.filter(tx_hash__in=hashes).values_list("tx_hash", flat=True)
    )
    raised = []
    with transaction.atomic():
        for log, what in movements:
            tx_hash = "0x" + bytes(log["transactionHash"]).hex().removeprefix("0x")
            if tx_hash in recorded:
                continue
            alert, created = OperatorAlert.objects.get_or_create(
                tx_hash=tx_hash,
                log_index=int(log["logIndex"]),
                defaults={
                    "kind": ALERT_UNMATCHED,
                    "block_number": int(log["blockNumber"]),
                    "message": f"{what} in block {log['blockNumber']} matches no recorded platform write.",
                },
            )
            if created:
                logger.error("operator alert: %s (%s)", alert.message, tx_hash)
                raised.append(alert)
        cursor.last_block = end
        cursor.save(update_fields=["last_block", "updated_at"])
    return raised
