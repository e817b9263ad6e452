"""The transaction outbox: every chain write of the platform goes through here.

1. `chain_transaction_enqueue` records the intent in the caller's database transaction.
2. `chain_transaction_send` (Celery, queue `chain`) allocates a nonce under a row lock on the
   signer's wallet, signs, stores nonce + hash + raw bytes and commits, and only then broadcasts.
3. `chain_transaction_confirm` waits for the receipt and applies the result through the handler
   registered for the intent.
A worker killed anywhere leaves a row the next run can finish: a signed row is re-broadcast with the
same bytes (same hash, same nonce), never signed again, and contracts refuse repeated business keys.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from hexbytes import HexBytes
from web3.exceptions import ContractCustomError, ContractLogicError, TransactionNotFound, Web3RPCError

from config.errors import Conflict
from config.tasks import enqueue_on_commit
from tokens import chain
from tokens import signer as signer_module
from tokens.choices import CHAIN_TX_TRANSITIONS, ChainTxStatus, ContractKind, WalletKind
from tokens.models import ChainTransaction, Contract, Wallet
from tokens.selectors import platform_wallet

logger = logging.getLogger(__name__)

GAS_HEADROOM_NUMERATOR, GAS_HEADROOM_DENOMINATOR = 6, 5  # estimate * 1.2
_REVERTS = (ContractCustomError, ContractLogicError)
_ALREADY_SENT_MARKERS = ("already known", "nonce too low", "known transaction", "already imported")


class NotYetConfirmed(Exception):
    """The transaction is not mined (or not deep enough) yet: the task retries later."""


@dataclass(frozen=True)
class IntentHandler:
    """What to do when a transaction of one intent is confirmed or fails."""

    confirmed: Callable[[ChainTransaction, dict[str, Any]], object]
    failed: Callable[[ChainTransaction], object] | None = None


_HANDLERS: dict[str, IntentHandler] = {}


def register_intent(
    intent: str,
    *,
    signer: WalletKind,
    targets: tuple[ContractKind, ...] = (),
    functions: tuple[str, ...] = (),
    confirmed: Callable[[ChainTransaction, dict[str, Any]], object],
    failed: Callable[[ChainTransaction], object] | None = None,
) -> None:
    """Declare who signs `intent`, what it may call (see `signer.allow`), and the services that apply it."""
    signer_module.allow(intent, signer=signer, targets=targets, functions=functions)
    _HANDLERS[intent] = IntentHandler(confirmed=confirmed, failed=failed)


def handler_for(intent: str) -> IntentHandler:
    """The services that apply transactions of `intent`."""
    return _HANDLERS[intent]


def chain_transaction_enqueue(
    *,
    intent: str,
    idempotency_key: str,
    data: str,
    to_address: str | None,
    contract: Contract | None = None,
    reference: str = "",
    subject_address: str = "",
    not_before: datetime | None = None,
) -> ChainTransaction:
    """Record a chain write in the caller's transaction; it is sent after commit. Same key, same row.

    The intent's signing policy names the platform role whose key signs it.
    """
    from tokens.tasks import chain_transaction_send  # tasks import this module

    if intent not in _HANDLERS:
        raise ValueError(f"No handler is registered for the intent {intent!r}.")
    existing = ChainTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    row = ChainTransaction.objects.create(
        intent=intent,
        idempotency_key=idempotency_key,
        reference=reference,
        signer=platform_wallet(signer_module.policy_for(intent).signer),
        chain_id=chain.chain_id(),
        to_address=to_address or "",
        data=data,
        contract=contract,
        subject_address=subject_address,
        not_before=not_before,
    )
    signer_module.check_recorded_transaction(row)
    enqueue_on_commit(chain_transaction_send, tx_id=row.pk)
    return row


def _move(row: ChainTransaction, to: ChainTxStatus, **fields: Any) -> None:
    if to not in CHAIN_TX_TRANSITIONS[ChainTxStatus(row.status)]:
        raise Conflict(f"Chain transaction {row.pk} cannot go from {row.status} to {to}.")
    row.status = to
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()


def _fail(row: ChainTransaction, reason: str) -> None:
    _move(row, ChainTxStatus.FAILED, error=reason)
    handler = _HANDLERS[row.intent]
    if handler.failed is not None:
        handler.failed(row)
    logger.warning("chain transaction %s (%s) failed: %s", row.pk, row.intent, reason)


def _sign(row: ChainTransaction) -> bool:
    """Sign a pending row under the signer's nonce lock; False when the chain refuses it (row failed)."""
    try:
        signer_module.check_recorded_transaction(row)
    except signer_module.SigningRefused as exc:  # a forged or corrupted row: never signed, never retried
        _fail(row, f"Signing refused: {exc}")
        return False
    w3 = chain.web3()
    wallet = Wallet.objects.select_for_update().get(pk=row.signer_id)
    call: dict[str, Any] = {"from": wallet.address, "data": row.data, "value": int(row.value_wei)}
    if row.to_address:
        call["to"] = row.to_address
    try:
        estimate = w3.eth.estimate_gas(call, "pending")  # type: ignore[arg-type]
    except _REVERTS as exc:
        _fail(row, chain.describe_revert(exc))
        return False
    nonce = max(wallet.next_nonce, w3.eth.get_transaction_count(chain.to_checksum(wallet.address), "pending"))
    gas_limit = estimate * GAS_HEADROOM_NUMERATOR // GAS_HEADROOM_DENOMINATOR
    signed = signer_module.sign_recorded_transaction(
        tx_id=row.pk, nonce=nonce, gas=gas_limit, gas_price=w3.eth.gas_price
    )
    wallet.next_nonce = nonce + 1
    wallet.save(update_fields=["next_nonce"])
    _move(
        row,
        ChainTxStatus.SENT,
        nonce=nonce,
        gas_limit=gas_limit,
        tx_hash="0x" + signed.hash.hex().removeprefix("0x"),
        raw_tx="0x" + signed.raw_transaction.hex().removeprefix("0x"),
        sent_at=timezone.now(),
        attempts=row.attempts + 1,
    )
    return True


def _broadcast(row: ChainTransaction) -> None:
    """Send the stored bytes; a node that already has them (or mined them) is not an error."""
    try:
        chain.web3().eth.send_raw_transaction(HexBytes(row.raw_tx))
    except (Web3RPCError, ValueError) as exc:
        if not any(marker in str(exc).lower() for marker in _ALREADY_SENT_MARKERS):
            raise


def chain_transaction_send(*, tx_id: int) -> bool:
    """Sign (once) and broadcast a recorded write; True when it is out and awaits confirmation."""
    with transaction.atomic():
        row = ChainTransaction.objects.select_for_update().get(pk=tx_id)
        if row.status == ChainTxStatus.PENDING and row.not_before and row.not_before > timezone.now():
            return False  # an admin operation still in its timelock delay: the sweep sends it when due
        if row.status == ChainTxStatus.PENDING and not _sign(row):
            return False
        if row.status != ChainTxStatus.SENT:
            return False
    _broadcast(row)
    return True


def chain_transaction_confirm(*, tx_id: int) -> ChainTxStatus:
    """Apply the receipt of a sent write; raise NotYetConfirmed while it is not final."""
    row = ChainTransaction.objects.get(pk=tx_id)
    if row.status != ChainTxStatus.SENT:
        return ChainTxStatus(row.status)
    w3 = chain.web3()
    assert row.tx_hash is not None  # a sent row always has one (database constraint)
    try:
        receipt = w3.eth.wait_for_transaction_receipt(
            HexBytes(row.tx_hash), timeout=settings.CHAIN_RECEIPT_POLL_SECONDS, poll_latency=0.05
        )
    except Exception as exc:  # web3 raises TimeExhausted or TransactionNotFound while it is unmined
        if not w3.eth.get_transaction_count(chain.to_checksum(row.signer.address), "pending") > (
            row.nonce or 0
        ):
            _broadcast(row)  # the node lost it (or the crash came before the broadcast): same bytes again
        # A poller is alive: the sweep only re-drives rows nobody touched lately.
        ChainTransaction.objects.filter(pk=row.pk).update(updated_at=timezone.now())
        raise NotYetConfirmed(str(row.tx_hash)) from exc
    depth = w3.eth.block_number - receipt["blockNumber"] + 1
    if depth < settings.CHAIN_CONFIRMATIONS:
        raise NotYetConfirmed(f"{row.tx_hash} has {depth} of {settings.CHAIN_CONFIRMATIONS} confirmations")
    with transaction.atomic():
        row = ChainTransaction.objects.select_for_update().get(pk=tx_id)
        if row.status != ChainTxStatus.SENT:
            return ChainTxStatus(row.status)
        fields = {"block_number": receipt["blockNumber"], "gas_used": receipt["gasUsed"]}
        if receipt["status"] == 1:
            _move(row, ChainTxStatus.CONFIRMED, confirmed_at=timezone.now(), **fields)
            _HANDLERS[row.intent].confirmed(row, dict(receipt))
        else:
            for name, value in fields.items():
                setattr(row, name, value)
            _fail(row, _replay_revert(row, receipt["blockNumber"]))
        return ChainTxStatus(row.status)


def _replay_revert(row: ChainTransaction, block: int) -> str:
    """Why a mined transaction reverted, by replaying it as a call at its block."""
    call: dict[str, Any] = {"from": row.signer.address, "data": row.data, "gas": row.gas_limit}
    if row.to_address:
        call["to"] = row.to_address
    try:
        chain.web3().eth.call(call, block)  # type: ignore[arg-type]
    except _REVERTS as exc:
        return chain.describe_revert(exc)
    except TransactionNotFound:
        pass
    return "reverted on chain (no reason given)"


def stale_transactions(*, older_than_seconds: int) -> list[tuple[int, ChainTxStatus]]:
    """Rows a crashed or lost task left behind: (id, status) of pending or sent rows not touched lately."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    rows = (
        ChainTransaction.objects.filter(
            status__in=[ChainTxStatus.PENDING, ChainTxStatus.SENT], updated_at__lte=cutoff
        )
        .exclude(not_before__gt=timezone.now())
        .order_by("pk")
    )
    return [(pk, ChainTxStatus(status)) for pk, status in rows.values_list("pk", "status")]
