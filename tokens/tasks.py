"""Celery tasks of the chain queue: thin, keyword-only, safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from requests.exceptions import RequestException

from tokens import outbox, reconcile
from tokens.chain import ChainUnavailable
from tokens.choices import ChainTxStatus

TRANSIENT = (RequestException, ConnectionError, TimeoutError, ChainUnavailable)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=1,
    retry_backoff_max=60,
    max_retries=30,
)
def chain_transaction_send(*, tx_id: int) -> None:
    """Sign and broadcast one outbox row, then schedule its confirmation."""
    if outbox.chain_transaction_send(tx_id=tx_id):
        chain_transaction_confirm.apply_async(kwargs={"tx_id": tx_id})


@shared_task(
    acks_late=True,
    autoretry_for=(*TRANSIENT, outbox.NotYetConfirmed),
    retry_backoff=1,
    retry_backoff_max=30,
    max_retries=200,
)
def chain_transaction_confirm(*, tx_id: int) -> None:
    """Wait for one sent row's receipt and apply it."""
    outbox.chain_transaction_confirm(tx_id=tx_id)


@shared_task(acks_late=True)
def chain_outbox_sweep(*, older_than_seconds: int = 30) -> int:
    """Re-drive rows that a crashed or lost task left pending or sent, then look for nonce gaps."""
    stale = outbox.stale_transactions(older_than_seconds=older_than_seconds)
    for tx_id, status in stale:
        task = chain_transaction_send if status == ChainTxStatus.PENDING else chain_transaction_confirm
        task.apply_async(kwargs={"tx_id": tx_id})
    chain_nonce_gaps_fill.apply_async()
    return len(stale)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=1, retry_backoff_max=30, max_retries=10)
def chain_nonce_gaps_fill() -> int:
    """Send what holds each signer's next nonce again (or a filler), and confirm it; returns how many."""
    sent = outbox.nonce_gaps_fill()
    for tx_id in sent:
        chain_transaction_confirm.apply_async(kwargs={"tx_id": tx_id})
    return len(sent)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=5, retry_backoff_max=120, max_retries=5)
def chain_money_reconcile() -> int:
    """Match the chain's money movements against the outbox; returns how many alerts were raised."""
    return len(reconcile.money_movements_reconcile())


@worker_ready.connect
def _resume_outbox_after_restart(**_: Any) -> None:
    """A worker that starts picks up whatever a killed one left behind, at once."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        chain_outbox_sweep.apply_async(kwargs={"older_than_seconds": 0})
