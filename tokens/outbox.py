"""The transaction outbox: every chain write of the platform goes through here.

1. `chain_transaction_enqueue` records the intent in the caller's database transaction.
2. `chain_transaction_send` (Celery, queue `chain`) asks the node for gas, gas price and the signer's
   pending count first; then a short transaction locks the row and the signer's wallet, takes the nonce,
   signs locally, stores nonce + hash + raw bytes and commits; only then it broadcasts. No chain call
   runs while a lock is held, so several batches of one signer are in flight with consecutive nonces.
3. `chain_transaction_confirm` waits for the receipt and applies the result through the handler
   registered for the intent. A row not mined within CHAIN_TX_REPLACE_AFTER_SECONDS (or refused as
   underpriced) is signed again with the same nonce at a higher fee; its earlier signatures are kept
   (`ChainTransactionAttempt`) and whichever is mined is recorded: one nonce, one mined transaction.
4. `nonce_gaps_fill` (after a refusal, and with every sweep) finds a signer's next nonce that nothing
   live holds and sends its row again, or a 0-value self-transfer when that row failed for good.
A worker killed anywhere leaves a row the next run can finish: a signed row is re-broadcast with the
same bytes (same hash, same nonce), only ever re-signed as a same-nonce replacement, and contracts
refuse repeated business keys.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext
from hexbytes import HexBytes
from web3.exceptions import (
    ContractCustomError,
    ContractLogicError,
    TimeExhausted,
    TransactionNotFound,
    Web3RPCError,
)

from config.errors import Conflict
from config.tasks import enqueue_on_commit
from tokens import chain
from tokens import signer as signer_module
from tokens.choices import CHAIN_TX_TRANSITIONS, ChainTxStatus, ContractKind, WalletKind
from tokens.models import ChainTransaction, ChainTransactionAttempt, Contract, Wallet
from tokens.selectors import platform_wallet

logger = logging.getLogger(__name__)

GAS_HEADROOM_NUMERATOR, GAS_HEADROOM_DENOMINATOR = 6, 5  # estimate * 1.2
_REVERTS = (ContractCustomError, ContractLogicError)
_ALREADY_SENT_MARKERS = ("already known", "nonce too low", "known transaction", "already imported")
_UNDERPRICED_MARKERS = ("underpriced", "fee too low", "gas price too low", "less than block base fee")
# Refusals that no re-send of the same bytes can overcome: the row fails and its nonce is filled.
_PERMANENT_MARKERS = (
    "exceeds block gas limit",
    "intrinsic gas too low",
    "intrinsic gas too high",  # anvil: the gas limit is above the block gas limit
    "invalid chain id",
    "invalid sender",
    "oversized data",
    "max initcode size",
)
# A replacement pays at least 12.5% more per gas (nodes demand 10% or more to replace a pooled one).
REPLACEMENT_BUMP_NUMERATOR, REPLACEMENT_BUMP_DENOMINATOR = 9, 8
INTENT_NONCE_GAP_FILL = "nonce_gap_fill"
# EIP-1559: a full block raises the next block's base fee by at most 1/8.
BASE_FEE_RISE_NUMERATOR, BASE_FEE_RISE_DENOMINATOR = 9, 8
# At most this many of a signer's sent rows are looked at when refilling the node's pool (one block's worth
# of small transactions; settlement batches are far fewer).
REFILL_MAX_ROWS = 1_500


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
        # A contract's own chain, else the node's (asked once per process): no node question here, in
        # the caller's transaction, for any call to a known contract.
        chain_id=contract.chain_id if contract is not None else chain.chain_id(),
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
        raise Conflict(
            gettext("Chain transaction %(pk)s cannot go from %(status)s to %(to)s.")
            % {"pk": row.pk, "status": row.status, "to": to}
        )
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


def _fail_if(tx_id: int, *, status: ChainTxStatus, tx_hash: str | None, reason: str) -> bool:
    """Fail the row if it is still as the caller saw it (status and hash); False if it moved on."""
    with transaction.atomic():
        row = ChainTransaction.objects.select_for_update().get(pk=tx_id)
        if row.status != status or row.tx_hash != tx_hash:
            return False
        _fail(row, reason)
        return True


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


# --- signing: ask the node first, then a short transaction that takes the nonce -----------------------


@dataclass(frozen=True)
class _Quote:
    """What the node said before any lock was taken: gas limit, gas price, the signer's pending count."""

    gas_limit: int
    gas_price: int
    node_nonce: int


def _quote(row: ChainTransaction) -> _Quote | str:
    """The node's figures for signing `row`, or why it must not be signed (refused by policy or chain)."""
    try:
        signer_module.check_recorded_transaction(row)
    except signer_module.SigningRefused as exc:  # a forged or corrupted row: never signed, never retried
        return f"Signing refused: {exc}"
    w3 = chain.web3()
    address = chain.to_checksum(row.signer.address)
    call: dict[str, Any] = {"from": address, "data": row.data, "value": int(row.value_wei)}
    if row.to_address:
        call["to"] = row.to_address
    try:
        estimate = w3.eth.estimate_gas(call, "pending")  # type: ignore[arg-type]
    except _REVERTS as exc:
        return chain.describe_revert(exc)
    node_nonce = int(w3.eth.get_transaction_count(address, "pending"))
    return _Quote(
        gas_limit=estimate * GAS_HEADROOM_NUMERATOR // GAS_HEADROOM_DENOMINATOR,
        gas_price=_price_behind_burst(row, int(w3.eth.gas_price), mined_nonce=_mined_nonce(row, node_nonce)),
        node_nonce=node_nonce,
    )


def _mined_nonce(row: ChainTransaction, node_nonce: int) -> int:
    """The signer's mined count; asked only when it has sent rows that may still wait in the node."""
    if not ChainTransaction.objects.filter(signer_id=row.signer_id, status=ChainTxStatus.SENT).exists():
        return node_nonce  # nothing of the signer is in flight: no question asked
    return int(chain.web3().eth.get_transaction_count(chain.to_checksum(row.signer.address), "latest"))


def _price_behind_burst(row: ChainTransaction, node_price: int, *, mined_nonce: int) -> int:
    """The node's price, plus what the base fee can rise before this transaction's block comes.

    A signer's transactions are mined in nonce order, so one signed behind many (a settlement's 200
    batches) waits for the blocks they fill. Every full block raises the base fee by 12.5% (EIP-1559);
    a legacy price at today's base fee plus tip falls under it after a handful of full blocks, and the
    node then drops that transaction and every later one of the signer at once (each has to be
    noticed and replaced, one by one). So the price covers a full-block rise for each block the
    signer's unmined gas fills, and the one it lands in: unchanged when nothing waits, never above
    CHAIN_MAX_GAS_PRICE_WEI.
    """
    ahead = ChainTransaction.objects.filter(
        signer_id=row.signer_id, status=ChainTxStatus.SENT, nonce__gte=mined_nonce
    ).aggregate(gas=Sum("gas_limit"))["gas"]
    if not ahead:
        return node_price
    blocks = int(ahead) // chain.block_gas_limit() + 1
    base_fee = int(chain.web3().eth.get_block("latest").get("baseFeePerGas") or 0)
    rise = base_fee * BASE_FEE_RISE_NUMERATOR**blocks // BASE_FEE_RISE_DENOMINATOR**blocks - base_fee
    return min(node_price + rise, max(node_price, settings.CHAIN_MAX_GAS_PRICE_WEI))


def _sign(tx_id: int, quote: _Quote) -> ChainTransaction:
    """Lock the row and its signer's wallet, take the nonce, sign (locally, no RPC), store, commit.

    The nonce is the larger of the wallet's next nonce and the node's pending count (the key may have
    been used elsewhere); a gap filler keeps the nonce it was recorded with. Locks are held for
    milliseconds, so several batches of one signer are signed back to back with consecutive nonces.
    """
    with transaction.atomic():
        row = ChainTransaction.objects.select_for_update().get(pk=tx_id)
        if row.status != ChainTxStatus.PENDING:
            return row  # a duplicate task signed it meanwhile
        wallet = None
        if row.nonce is not None:
            nonce = row.nonce
        else:
            wallet = Wallet.objects.select_for_update().get(pk=row.signer_id)
            nonce = max(wallet.next_nonce, quote.node_nonce)
        try:
            signed = signer_module.sign_recorded_transaction(
                tx_id=row.pk, nonce=nonce, gas=quote.gas_limit, gas_price=quote.gas_price
            )
        except signer_module.SigningRefused as exc:
            _fail(row, f"Signing refused: {exc}")
            return row
        if wallet is not None:
            wallet.next_nonce = nonce + 1
            wallet.save(update_fields=["next_nonce"])
        _move(
            row,
            ChainTxStatus.SENT,
            nonce=nonce,
            gas_limit=quote.gas_limit,
            gas_price=quote.gas_price,
            tx_hash=_hex(signed.hash),
            raw_tx=_hex(signed.raw_transaction),
            sent_at=timezone.now(),
            attempts=row.attempts + 1,
        )
    return row


# --- broadcasting ------------------------------------------------------------------------------------


class Broadcast(enum.Enum):
    """What the node did with a signed transaction."""

    ACCEPTED = "accepted"  # it has it, or had it (mined, or another signature of the same nonce)
    UNDERPRICED = "underpriced"  # refused for its fee: the confirmer replaces it at a higher one
    WAITING = "waiting"  # refused for now (signer's funds, a full pool): the confirmer sends it again
    REJECTED = "rejected"  # refused for good: the row failed and its nonce is a gap to fill


def _broadcast(row: ChainTransaction) -> Broadcast:
    """Send the stored bytes; a node that already has them (or mined them) is not an error."""
    try:
        chain.web3().eth.send_raw_transaction(HexBytes(row.raw_tx))
    except (Web3RPCError, ValueError) as exc:
        message = str(exc).lower()
        if any(marker in message for marker in _ALREADY_SENT_MARKERS):
            return Broadcast.ACCEPTED
        if any(marker in message for marker in _UNDERPRICED_MARKERS):
            logger.warning("chain transaction %s is underpriced: %s", row.pk, exc)
            return Broadcast.UNDERPRICED
        if any(marker in message for marker in _PERMANENT_MARKERS) and not _node_holds(row):
            reason = f"Rejected by the node: {exc}"
            if _fail_if(row.pk, status=ChainTxStatus.SENT, tx_hash=row.tx_hash, reason=reason):
                _fill_gaps_soon()
            return Broadcast.REJECTED
        logger.error("chain transaction %s was refused by the node (sent again later): %s", row.pk, exc)
        return Broadcast.WAITING
    return Broadcast.ACCEPTED


def _fill_gaps_soon() -> None:
    from tokens.tasks import chain_nonce_gaps_fill  # tasks import this module

    enqueue_on_commit(chain_nonce_gaps_fill)


def chain_transaction_send(*, tx_id: int) -> bool:
    """Sign (once) and broadcast a recorded write; True when it is out and awaits confirmation.

    Every question to the node (gas, price, the signer's pending count) is asked before any lock is
    taken; the short transaction that takes the nonce signs locally and commits; the broadcast follows.
    """
    row = ChainTransaction.objects.select_related("signer", "contract").get(pk=tx_id)
    if row.status == ChainTxStatus.PENDING:
        if row.not_before and row.not_before > timezone.now():
            return False  # an admin operation still in its timelock delay: the sweep sends it when due
        quote = _quote(row)
        if isinstance(quote, str):
            _fail_if(row.pk, status=ChainTxStatus.PENDING, tx_hash=None, reason=quote)
            return False
        row = _sign(row.pk, quote)
    if row.status != ChainTxStatus.SENT:
        return False
    return _broadcast(row) is not Broadcast.REJECTED


# --- confirming, replacing -------------------------------------------------------------------------


def _receipt(row: ChainTransaction, *, wait: bool) -> Any:
    """The receipt of whichever of the row's signatures was mined (at most one: they share a nonce)."""
    w3 = chain.web3()
    if row.attempts > 1:
        for earlier in row.replaced.order_by("-pk").values_list("tx_hash", flat=True):
            try:
                return w3.eth.get_transaction_receipt(HexBytes(earlier))
            except TransactionNotFound:
                continue
    assert row.tx_hash is not None  # a sent row always has one (database constraint)
    try:
        if wait:
            return w3.eth.wait_for_transaction_receipt(
                HexBytes(row.tx_hash), timeout=settings.CHAIN_RECEIPT_POLL_SECONDS, poll_latency=0.05
            )
        return w3.eth.get_transaction_receipt(HexBytes(row.tx_hash))
    except (TimeExhausted, TransactionNotFound):
        return None


def _while_unmined(row: ChainTransaction) -> Any:
    """Keep an unmined row going: re-broadcast what the node lost, replace what is stuck.

    Raises NotYetConfirmed while it waits; returns a receipt found after all, or None when the row's
    nonce was taken by another transaction (the row failed).
    """
    w3 = chain.web3()
    address = chain.to_checksum(row.signer.address)
    assert row.nonce is not None
    if w3.eth.get_transaction_count(address, "latest") > row.nonce:
        receipt = _receipt(row, wait=False)  # mined between the two questions
        if receipt is not None:
            return receipt
        reason = f"Nonce {row.nonce} was used by another transaction; no signature of this one was mined."
        _fail_if(row.pk, status=ChainTxStatus.SENT, tx_hash=row.tx_hash, reason=reason)
        return None
    assert row.sent_at is not None
    stuck = timezone.now() - row.sent_at >= timedelta(seconds=settings.CHAIN_TX_REPLACE_AFTER_SECONDS)
    if stuck or (
        w3.eth.get_transaction_count(address, "pending") <= row.nonce  # the node lost it, or never got it
        and _broadcast(row) is Broadcast.UNDERPRICED  # the same bytes again; too cheap now: replace
    ):
        _replace(row)
    # A poller is alive: the sweep only re-drives rows nobody touched lately.
    ChainTransaction.objects.filter(pk=row.pk).update(updated_at=timezone.now())
    raise NotYetConfirmed(str(row.tx_hash))


def _replace(row: ChainTransaction) -> None:
    """Sign the row again with the same nonce at a higher fee, keep the earlier signature, broadcast."""
    node_price = int(chain.web3().eth.gas_price)
    previous = int(row.gas_price) if row.gas_price is not None else node_price
    bumped = -(-previous * REPLACEMENT_BUMP_NUMERATOR // REPLACEMENT_BUMP_DENOMINATOR)  # rounded up
    price = max(bumped, node_price, previous + 1)
    if price > settings.CHAIN_MAX_GAS_PRICE_WEI:
        logger.error(
            "chain transaction %s is not mined, and replacing it would pay %s wei per gas, above "
            "CHAIN_MAX_GAS_PRICE_WEI: left as it is",
            row.pk,
            price,
        )
        return
    with transaction.atomic():
        locked = ChainTransaction.objects.select_for_update().get(pk=row.pk)
        if locked.status != ChainTxStatus.SENT or locked.tx_hash != row.tx_hash:
            return  # confirmed, failed or replaced meanwhile
        signed = signer_module.sign_replacement(tx_id=locked.pk, gas_price=price)
        assert locked.tx_hash is not None
        ChainTransactionAttempt.objects.create(
            chain_transaction=locked,
            tx_hash=locked.tx_hash,
            raw_tx=locked.raw_tx,
            gas_price=locked.gas_price,
            sent_at=locked.sent_at,
        )
        locked.tx_hash = _hex(signed.hash)
        locked.raw_tx = _hex(signed.raw_transaction)
        locked.gas_price = price
        locked.sent_at = timezone.now()
        locked.attempts += 1
        locked.save(update_fields=["tx_hash", "raw_tx", "gas_price", "sent_at", "attempts", "updated_at"])
    logger.warning(
        "chain transaction %s (nonce %s) replaced at %s wei per gas: %s", locked.pk, locked.nonce, price,
        locked.tx_hash,
    )  # fmt: skip
    _broadcast(locked)


def chain_transaction_confirm(*, tx_id: int) -> ChainTxStatus:
    """Apply the receipt of a sent write; raise NotYetConfirmed while it is not final."""
    row = ChainTransaction.objects.select_related("signer").get(pk=tx_id)
    if row.status != ChainTxStatus.SENT:
        return ChainTxStatus(row.status)
    receipt = _receipt(row, wait=True)
    if receipt is None:
        receipt = _while_unmined(row)
        if receipt is None:
            return ChainTxStatus.FAILED
    w3 = chain.web3()
    depth = w3.eth.block_number - receipt["blockNumber"] + 1
    if depth < settings.CHAIN_CONFIRMATIONS:
        raise NotYetConfirmed(f"{row.tx_hash} has {depth} of {settings.CHAIN_CONFIRMATIONS} confirmations")
    # Asked before the lock: why it reverted, by replaying it at its block.
    reason = "" if receipt["status"] == 1 else _replay_revert(row, receipt["blockNumber"])
    status = _apply_receipt(tx_id, receipt, reason)
    # Its nonce is used: the node has room for the signer's next ones (no lock held from here).
    assert row.nonce is not None  # a sent row always has one (database constraint)
    signer_pool_refill(row.signer, after_nonce=row.nonce)
    return status


def _apply_receipt(tx_id: int, receipt: Any, reason: str) -> ChainTxStatus:
    mined = _hex(receipt["transactionHash"])
    with transaction.atomic():
        row = ChainTransaction.objects.select_for_update().get(pk=tx_id)
        if row.status != ChainTxStatus.SENT:
            return ChainTxStatus(row.status)
        if mined != row.tx_hash:
            _keep_mined_signature(row, mined)
        fields = {"block_number": receipt["blockNumber"], "gas_used": receipt["gasUsed"]}
        if receipt["status"] == 1:
            _move(row, ChainTxStatus.CONFIRMED, confirmed_at=timezone.now(), **fields)
            _HANDLERS[row.intent].confirmed(row, dict(receipt))
        else:
            for name, value in fields.items():
                setattr(row, name, value)
            _fail(row, reason)
        return ChainTxStatus(row.status)


def signer_pool_refill(wallet: Wallet, *, after_nonce: int) -> int:
    """Hand the node again the signer's sent transactions it let go of, up to one block's gas ahead.

    A node keeps only part of one sender's future: anvil drops every transaction of the sender behind
    the first one that did not fit in the block it built (its nonce is then "too high" for that block),
    and geth keeps a limited number per account. Those rows are signed and sent; left to their own
    confirmers, each notices only on its retry (backing off to 30 s), and blocks go by with room. So
    after each receipt the signer's next sent rows, in nonce order and as many as one block holds
    beyond what the node has, are broadcast again with their stored bytes (same hash, same nonce;
    nothing is re-signed) in one JSON-RPC batch. Returns how many the node took. Best effort: a node
    that does not answer is left to the confirmers.
    """
    waiting = ChainTransaction.objects.filter(signer=wallet, status=ChainTxStatus.SENT, nonce__gt=after_nonce)
    if not waiting.exists():
        return 0  # nothing behind it: no question to the node
    w3 = chain.web3()
    address = chain.to_checksum(wallet.address)
    try:
        mined = int(w3.eth.get_transaction_count(address, "latest"))
        held = int(w3.eth.get_transaction_count(address, "pending"))
        room = chain.block_gas_limit()
    except (*chain.RPC_TRANSPORT_ERRORS, chain.ChainUnavailable, Web3RPCError) as exc:
        logger.warning("could not ask the node what it holds of %s: %s", wallet, exc)
        return 0
    rows = (
        ChainTransaction.objects.filter(signer=wallet, status=ChainTxStatus.SENT, nonce__gte=mined)
        .order_by("nonce")
        .values_list("nonce", "gas_limit", "raw_tx")[:REFILL_MAX_ROWS]
    )
    again: list[str] = []
    expected = mined
    for nonce, gas, raw_tx in rows:
        room -= int(gas or 0)
        if nonce != expected or room < 0:
            break  # a gap (the gap filler's work), or the block is full: the rest waits for the next
        expected += 1
        if nonce >= held:
            again.append(raw_tx)
    if not again:
        return 0
    try:
        answers = w3.provider.make_batch_request([("eth_sendRawTransaction", [raw]) for raw in again])  # type: ignore[attr-defined]
    except (*chain.RPC_TRANSPORT_ERRORS, Web3RPCError, ValueError) as exc:
        logger.warning("could not hand %s transactions of %s to the node again: %s", len(again), wallet, exc)
        return 0
    if not isinstance(answers, list):
        logger.warning("the node refused the batch of %s transactions of %s: %s", len(again), wallet, answers)
        return 0
    return sum(1 for answer in answers if "error" not in answer)


def _keep_mined_signature(row: ChainTransaction, mined: str) -> None:
    """An earlier signature was mined, not the replacement: the row records the mined one."""
    attempt = row.replaced.get(tx_hash=mined)
    assert row.tx_hash is not None
    attempt.tx_hash, row.tx_hash = row.tx_hash, attempt.tx_hash
    attempt.raw_tx, row.raw_tx = row.raw_tx, attempt.raw_tx
    attempt.gas_price, row.gas_price = row.gas_price, attempt.gas_price
    attempt.save(update_fields=["tx_hash", "raw_tx", "gas_price"])


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


# --- nonce gaps --------------------------------------------------------------------------------------


def nonce_gaps_fill() -> list[int]:
    """Unblock every signer whose next nonce nothing live holds; the ids of the rows sent to do it.

    A transaction the node refused after its nonce was taken (or one the node dropped) leaves that
    nonce unused, and every later transaction of the signer waits behind it. The row that owns the
    nonce is sent again; if it failed for good, a 0-value transfer from the signer to itself (its own
    intent, checked by the signer, visible in the outbox) takes the nonce instead.
    """
    signer_ids = (
        ChainTransaction.objects.filter(status=ChainTxStatus.SENT)
        .order_by()
        .values_list("signer_id", flat=True)
        .distinct()
    )
    sent = []
    for wallet in Wallet.objects.filter(pk__in=list(signer_ids)):
        tx_id = _fill_gap(wallet)
        if tx_id is not None:
            sent.append(tx_id)
    return sent


def _fill_gap(wallet: Wallet) -> int | None:
    next_mined = int(chain.web3().eth.get_transaction_count(chain.to_checksum(wallet.address), "latest"))
    live = ChainTransaction.objects.filter(signer=wallet, nonce__gte=next_mined).exclude(
        status=ChainTxStatus.FAILED
    )
    if not live.filter(status=ChainTxStatus.SENT).exists():
        return None  # nothing waits behind it (the next allocation takes it or goes past it)
    owner = live.filter(nonce=next_mined).first()
    if owner is not None and owner.status == ChainTxStatus.SENT and _node_holds(owner):
        return None  # waiting to be mined: the confirmer replaces it if it stays stuck
    if owner is None:
        owner = _gap_filler(wallet, next_mined)
        logger.warning("nonce %s of %s is a gap: chain transaction %s fills it", next_mined, wallet, owner.pk)
    if owner.status == ChainTxStatus.CONFIRMED:
        return None
    return owner.pk if chain_transaction_send(tx_id=owner.pk) else None


def _node_holds(row: ChainTransaction) -> bool:
    """Whether the node has (or mined) any signature of the row: then nothing refused it for good."""
    hashes = [row.tx_hash]
    if row.attempts > 1:
        hashes += list(row.replaced.values_list("tx_hash", flat=True))
    for tx_hash in hashes:
        try:
            chain.web3().eth.get_transaction(HexBytes(str(tx_hash)))
            return True
        except TransactionNotFound:
            continue
    return False


def _gap_filler(wallet: Wallet, nonce: int) -> ChainTransaction:
    """The pending 0-value self-transfer recorded for `nonce` (a new one if earlier fillers failed)."""
    prefix = f"nonce-gap:{wallet.address}:{nonce}:"
    earlier = ChainTransaction.objects.filter(idempotency_key__startswith=prefix)
    live = earlier.exclude(status=ChainTxStatus.FAILED).first()
    if live is not None:
        return live
    chain_id = chain.chain_id()
    try:
        with transaction.atomic():
            return ChainTransaction.objects.create(
                intent=INTENT_NONCE_GAP_FILL,
                idempotency_key=f"{prefix}{earlier.count() + 1}",
                reference=f"fills nonce {nonce} of {wallet.label}, left unused by a refused transaction",
                subject_address=wallet.address,
                signer=wallet,
                chain_id=chain_id,
                to_address=wallet.address,
                data="0x",
                nonce=nonce,
            )
    except IntegrityError:  # another sweep recorded it first (or took the nonce): use theirs
        taken = ChainTransaction.objects.filter(signer=wallet, nonce=nonce)
        return taken.exclude(status=ChainTxStatus.FAILED).get()


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


def _nothing_to_apply(row: ChainTransaction, receipt: dict[str, Any]) -> None:
    """A gap filler changes nothing but the signer's nonce."""


signer_module.allow_empty_self_transfer(INTENT_NONCE_GAP_FILL)
_HANDLERS[INTENT_NONCE_GAP_FILL] = IntentHandler(confirmed=_nothing_to_apply)
