"""The outbox signs once, survives crashes and dropped RPCs, and explains refusals."""

from __future__ import annotations

import pytest
import redis
import requests

from tokens import chain, outbox
from tokens.choices import ChainTxStatus, ContractKind, WalletKind
from tokens.models import ChainTransaction, Wallet
from tokens.selectors import platform_contract, platform_wallet
from tokens.services import payment_token_mint, wallet_create


@pytest.fixture
def receiver(platform):
    return wallet_create(kind=WalletKind.INVESTOR, label="receiver")


@pytest.fixture
def no_worker(settings):
    """Tasks go to the real broker, where no worker consumes them: the row waits in the outbox."""
    from config.celery import app

    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True
        redis.Redis.from_url(settings.REDIS_URL).flushdb()


def _payment_balance(address: str) -> int:
    return int(
        chain.call(
            "PaymentToken", platform_contract(ContractKind.PAYMENT_TOKEN).address, "balanceOf", address
        )
    )


def test_the_same_idempotency_key_records_one_transaction(receiver, no_worker):
    first = payment_token_mint(to_address=receiver.address, amount_base_units=5, key="mint:once")
    second = payment_token_mint(to_address=receiver.address, amount_base_units=5, key="mint:once")
    assert first.pk == second.pk
    assert ChainTransaction.objects.filter(idempotency_key="mint:once").count() == 1


def test_a_crash_after_signing_resends_the_same_bytes_and_mints_once(receiver, no_worker):
    row = payment_token_mint(to_address=receiver.address, amount_base_units=7_000_000, key="mint:crash")
    quote = outbox._quote(row)  # ask the node, sign and record, then "crash" before broadcasting
    assert isinstance(quote, outbox._Quote)
    outbox._sign(row.pk, quote)
    signed = ChainTransaction.objects.get(pk=row.pk)
    assert signed.status == ChainTxStatus.SENT
    faucet = platform_wallet(WalletKind.FAUCET).address
    assert chain.web3().eth.get_transaction_count(faucet, "pending") == signed.nonce

    with pytest.raises(outbox.NotYetConfirmed):  # the confirmer finds nothing and re-broadcasts
        outbox.chain_transaction_confirm(tx_id=row.pk)
    assert outbox.chain_transaction_confirm(tx_id=row.pk) == ChainTxStatus.CONFIRMED
    assert outbox.chain_transaction_send(tx_id=row.pk) is False  # a late duplicate task does nothing

    final = ChainTransaction.objects.get(pk=row.pk)
    assert final.tx_hash == signed.tx_hash
    assert final.nonce == signed.nonce
    assert _payment_balance(receiver.address) == 7_000_000


def test_a_dropped_rpc_leaves_the_row_pending_for_a_retry(receiver, settings, no_worker):
    row = payment_token_mint(to_address=receiver.address, amount_base_units=1, key="mint:rpc-down")
    live_url = settings.CHAIN_RPC_URL
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"  # nothing listens: connection refused
    try:
        with pytest.raises(requests.exceptions.ConnectionError):
            outbox.chain_transaction_send(tx_id=row.pk)
        assert ChainTransaction.objects.get(pk=row.pk).status == ChainTxStatus.PENDING
    finally:
        settings.CHAIN_RPC_URL = live_url
    assert outbox.chain_transaction_send(tx_id=row.pk) is True
    assert outbox.chain_transaction_confirm(tx_id=row.pk) == ChainTxStatus.CONFIRMED
    assert _payment_balance(receiver.address) == 1


def test_a_refused_call_fails_with_the_decoded_reason_and_spends_no_nonce(platform, receiver):
    from financing.services import INTENT_SETTLE_ALLOTMENT
    from tokens.services import contract_call

    settler = platform_wallet(WalletKind.SETTLER)
    nonce_before = settler.next_nonce
    # No offering is registered for this "token": the contract refuses to settle anything against it.
    row = contract_call(
        target=platform_contract(ContractKind.SETTLEMENT),
        function="settle",
        args=[receiver.address, 424242, 1],
        intent=INTENT_SETTLE_ALLOTMENT,
        key="settle:refused",
    )
    row.refresh_from_db()
    assert row.status == ChainTxStatus.FAILED
    assert row.error == f"UnknownOffering({receiver.address.lower()})"
    assert Wallet.objects.get(pk=settler.pk).next_nonce == nonce_before
