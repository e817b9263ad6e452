"""The outbox never holds a lock across a chain call, replaces stuck transactions and fills nonce gaps.

Every fault here is a real one on anvil: blocks not mined, a base fee raised above a signed price, a
signer without funds, a block gas limit the transaction does not fit.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import redis
from django.db import connections
from django.utils import timezone
from web3.exceptions import TransactionNotFound

from tests.chain_guard import chain_calls_outside_transactions
from tokens import chain, outbox
from tokens.choices import ChainTxStatus, ContractKind, WalletKind
from tokens.models import ChainTransaction, ChainTransactionAttempt, Wallet
from tokens.selectors import platform_contract, platform_wallet
from tokens.services import payment_token_mint, wallet_create


@pytest.fixture
def receiver(platform):
    return wallet_create(kind=WalletKind.INVESTOR, label="receiver")


@pytest.fixture
def no_worker(settings):
    """Tasks go to the real broker, where no worker consumes them: the tests drive the outbox."""
    from config.celery import app

    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True
        redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture
def manual_mining(chain):
    chain.provider.make_request("evm_setAutomine", [False])
    try:
        yield chain
    finally:
        chain.provider.make_request("evm_setAutomine", [True])


def _balance(address: str) -> int:
    payment = platform_contract(ContractKind.PAYMENT_TOKEN).address
    return int(chain.call("PaymentToken", payment, "balanceOf", address))


def _mined_count(wallet: Wallet) -> int:
    return int(chain.web3().eth.get_transaction_count(chain.to_checksum(wallet.address), "latest"))


def _confirm(row: ChainTransaction, attempts: int = 20) -> ChainTxStatus:
    for _ in range(attempts):
        try:
            return outbox.chain_transaction_confirm(tx_id=row.pk)
        except outbox.NotYetConfirmed:
            continue
    raise AssertionError(f"{row} was not confirmed")


def _signed_not_sent(row: ChainTransaction) -> ChainTransaction:
    """Sign and record as the send task does, stopping before the broadcast."""
    quote = outbox._quote(row)
    assert isinstance(quote, outbox._Quote)
    return outbox._sign(row.pk, quote)


def test_no_chain_call_runs_inside_a_database_transaction(receiver, no_worker):
    row = payment_token_mint(to_address=receiver.address, amount_base_units=3, key="mint:no-lock")
    with chain_calls_outside_transactions() as calls:
        assert outbox.chain_transaction_send(tx_id=row.pk) is True
        assert _confirm(row) == ChainTxStatus.CONFIRMED

    assert sum(calls.values()) >= 4  # estimate, gas price, pending count, broadcast, receipt ...


def test_sends_queued_at_once_take_consecutive_nonces_and_all_confirm(receiver, no_worker):
    faucet = platform_wallet(WalletKind.FAUCET)
    first_nonce = _mined_count(faucet)
    rows = [
        payment_token_mint(to_address=receiver.address, amount_base_units=10 + i, key=f"mint:burst:{i}")
        for i in range(8)
    ]
    barrier = threading.Barrier(len(rows))
    errors: list[BaseException] = []

    def send(tx_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            assert outbox.chain_transaction_send(tx_id=tx_id) is True
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(row.pk,)) for row in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors

    nonces = sorted(
        ChainTransaction.objects.filter(pk__in=[r.pk for r in rows]).values_list("nonce", flat=True)
    )
    assert nonces == list(range(first_nonce, first_nonce + len(rows)))
    assert all(_confirm(row) == ChainTxStatus.CONFIRMED for row in rows)
    assert _mined_count(faucet) == first_nonce + len(rows)
    assert _balance(receiver.address) == sum(10 + i for i in range(8))


def test_a_transaction_not_mined_in_time_is_replaced_with_the_same_nonce_and_mined_once(
    receiver, no_worker, manual_mining, settings
):
    w3 = manual_mining
    row = payment_token_mint(to_address=receiver.address, amount_base_units=5_000_000, key="mint:stuck")
    assert outbox.chain_transaction_send(tx_id=row.pk) is True
    sent = ChainTransaction.objects.get(pk=row.pk)
    assert _mined_count(sent.signer) == sent.nonce  # no block comes: it sits in the node's pool

    with pytest.raises(outbox.NotYetConfirmed):  # not yet due: it waits
        outbox.chain_transaction_confirm(tx_id=row.pk)
    assert ChainTransaction.objects.get(pk=row.pk).tx_hash == sent.tx_hash

    ChainTransaction.objects.filter(pk=row.pk).update(
        sent_at=timezone.now() - timedelta(seconds=settings.CHAIN_TX_REPLACE_AFTER_SECONDS)
    )
    with pytest.raises(outbox.NotYetConfirmed):  # due: replaced at a higher fee
        outbox.chain_transaction_confirm(tx_id=row.pk)
    replaced = ChainTransaction.objects.get(pk=row.pk)
    assert replaced.tx_hash != sent.tx_hash
    assert replaced.nonce == sent.nonce
    assert replaced.gas_price >= sent.gas_price * 9 / 8
    assert replaced.attempts == 2
    assert list(replaced.replaced.values_list("tx_hash", flat=True)) == [sent.tx_hash]

    w3.provider.make_request("evm_mine", [])
    assert outbox.chain_transaction_confirm(tx_id=row.pk) == ChainTxStatus.CONFIRMED
    assert ChainTransaction.objects.get(pk=row.pk).tx_hash == replaced.tx_hash
    with pytest.raises(TransactionNotFound):
        w3.eth.get_transaction_receipt(sent.tx_hash)
    assert _balance(receiver.address) == 5_000_000  # minted once
    assert _mined_count(sent.signer) == sent.nonce + 1


def test_a_transaction_the_fee_rise_left_behind_is_replaced_at_the_nodes_price(
    receiver, no_worker, manual_mining
):
    w3 = manual_mining
    row = payment_token_mint(to_address=receiver.address, amount_base_units=6, key="mint:underpriced")
    assert outbox.chain_transaction_send(tx_id=row.pk) is True
    sent = ChainTransaction.objects.get(pk=row.pk)
    # The network's base fee rises above what it was signed for: blocks are mined without it.
    w3.provider.make_request("anvil_setNextBlockBaseFeePerGas", [hex(int(sent.gas_price) * 4)])
    w3.provider.make_request("evm_mine", [])
    assert _mined_count(sent.signer) == sent.nonce

    with pytest.raises(outbox.NotYetConfirmed):  # the node calls it underpriced: replaced at once
        outbox.chain_transaction_confirm(tx_id=row.pk)
    replaced = ChainTransaction.objects.get(pk=row.pk)
    assert replaced.nonce == sent.nonce
    assert replaced.gas_price >= w3.eth.gas_price

    w3.provider.make_request("evm_mine", [])
    assert outbox.chain_transaction_confirm(tx_id=row.pk) == ChainTxStatus.CONFIRMED
    assert _balance(receiver.address) == 6
    assert _mined_count(sent.signer) == sent.nonce + 1


def test_when_the_replaced_signature_is_the_one_mined_the_row_records_it(
    receiver, no_worker, manual_mining, settings
):
    w3 = manual_mining
    row = payment_token_mint(to_address=receiver.address, amount_base_units=4, key="mint:old-one-wins")
    assert outbox.chain_transaction_send(tx_id=row.pk) is True
    original = ChainTransaction.objects.get(pk=row.pk)
    ChainTransaction.objects.filter(pk=row.pk).update(
        sent_at=timezone.now() - timedelta(seconds=settings.CHAIN_TX_REPLACE_AFTER_SECONDS)
    )
    with pytest.raises(outbox.NotYetConfirmed):
        outbox.chain_transaction_confirm(tx_id=row.pk)
    replacement = ChainTransaction.objects.get(pk=row.pk)
    assert replacement.tx_hash != original.tx_hash

    # The node loses the replacement and mines the first signature (another node had it).
    w3.provider.make_request("anvil_dropTransaction", [replacement.tx_hash])
    w3.eth.send_raw_transaction(original.raw_tx)
    w3.provider.make_request("evm_mine", [])

    assert outbox.chain_transaction_confirm(tx_id=row.pk) == ChainTxStatus.CONFIRMED
    confirmed = ChainTransaction.objects.get(pk=row.pk)
    assert confirmed.tx_hash == original.tx_hash
    assert confirmed.raw_tx == original.raw_tx
    assert ChainTransactionAttempt.objects.get(chain_transaction=row).tx_hash == replacement.tx_hash
    assert _balance(receiver.address) == 4


def test_a_nonce_gap_from_a_refused_broadcast_is_filled_by_sending_its_row_again(receiver, no_worker, chain):
    faucet = platform_wallet(WalletKind.FAUCET)
    rows = [
        payment_token_mint(to_address=receiver.address, amount_base_units=100 + i, key=f"mint:gap:{i}")
        for i in range(3)
    ]
    first = _signed_not_sent(rows[0])
    funds = chain.eth.get_balance(faucet.address)
    chain.provider.make_request("anvil_setBalance", [faucet.address, "0x0"])
    assert outbox.chain_transaction_send(tx_id=first.pk) is True  # refused for now (no funds): kept
    chain.provider.make_request("anvil_setBalance", [faucet.address, hex(funds)])
    for row in rows[1:]:
        assert outbox.chain_transaction_send(tx_id=row.pk) is True
    assert _mined_count(faucet) == first.nonce  # the later ones wait behind the gap

    assert outbox.nonce_gaps_fill() == [first.pk]

    assert [_confirm(row) for row in rows] == [ChainTxStatus.CONFIRMED] * 3
    assert _mined_count(faucet) == first.nonce + 3
    assert _balance(receiver.address) == 100 + 101 + 102
    assert outbox.nonce_gaps_fill() == []  # nothing left to fill


def test_a_nonce_gap_left_by_a_row_refused_for_good_is_filled_by_an_empty_self_transfer(
    receiver, no_worker, chain
):
    faucet = platform_wallet(WalletKind.FAUCET)
    rows = [
        payment_token_mint(to_address=receiver.address, amount_base_units=200 + i, key=f"mint:hole:{i}")
        for i in range(3)
    ]
    signed = [_signed_not_sent(row) for row in rows]
    gas_limit = chain.eth.get_block("latest")["gasLimit"]
    chain.provider.make_request("evm_setBlockGasLimit", [hex(30_000)])  # a mint no longer fits a block
    try:
        assert outbox.chain_transaction_send(tx_id=rows[0].pk) is False
    finally:
        chain.provider.make_request("evm_setBlockGasLimit", [hex(gas_limit)])
    refused = ChainTransaction.objects.get(pk=rows[0].pk)
    assert refused.status == ChainTxStatus.FAILED
    assert refused.error.startswith("Rejected by the node")
    for row in rows[1:]:
        assert outbox.chain_transaction_send(tx_id=row.pk) is True
    assert _mined_count(faucet) == signed[0].nonce

    [filler_id] = outbox.nonce_gaps_fill()

    filler = ChainTransaction.objects.get(pk=filler_id)
    assert filler.intent == outbox.INTENT_NONCE_GAP_FILL
    assert (filler.nonce, filler.to_address, filler.data, filler.value_wei) == (
        signed[0].nonce,
        faucet.address,
        "0x",
        0,
    )
    assert [_confirm(row) for row in (filler, *rows[1:])] == [ChainTxStatus.CONFIRMED] * 3
    assert _mined_count(faucet) == signed[0].nonce + 3
    assert _balance(receiver.address) == 201 + 202  # the refused mint never happened
    assert outbox.nonce_gaps_fill() == []


def test_a_gap_filler_is_only_an_empty_transfer_to_its_signer(platform):
    from tokens.signer import SigningRefused, check_recorded_transaction

    faucet = platform_wallet(WalletKind.FAUCET)
    row = ChainTransaction(
        intent=outbox.INTENT_NONCE_GAP_FILL,
        idempotency_key="forged-filler",
        signer=faucet,
        chain_id=chain.chain_id(),
        to_address="0x" + "11" * 20,
        data="0x",
        nonce=1,
    )
    with pytest.raises(SigningRefused):
        check_recorded_transaction(row)
    row.to_address, row.data = faucet.address, chain.encode_call("PaymentToken", "mint", faucet.address, 1)
    with pytest.raises(SigningRefused):
        check_recorded_transaction(row)
    row.data = "0x"
    assert check_recorded_transaction(row).signer == WalletKind.FAUCET


def _in_pool(w3, row: ChainTransaction) -> bool:
    return w3.eth.get_transaction(row.tx_hash)["blockNumber"] is None


def test_what_the_node_dropped_of_a_signer_is_handed_back_after_the_next_receipt(
    receiver, no_worker, manual_mining
):
    """A node that lets one of a signer's waiting transactions go drops every later one with it (anvil:
    an invalid or dropped transaction takes its dependants). The first receipt after that hands them
    back (same bytes, same hash), as many as a block holds; their own pollers need not notice first."""
    w3 = manual_mining
    rows = [
        payment_token_mint(to_address=receiver.address, amount_base_units=7 + i, key=f"mint:dropped:{i}")
        for i in range(4)
    ]
    for row in rows:
        assert outbox.chain_transaction_send(tx_id=row.pk) is True
    rows = [ChainTransaction.objects.get(pk=row.pk) for row in rows]
    w3.provider.make_request("anvil_dropTransaction", [rows[1].tx_hash])
    for dropped in rows[1:]:
        with pytest.raises(TransactionNotFound):
            w3.eth.get_transaction(dropped.tx_hash)
    w3.provider.make_request("evm_mine", [])

    assert outbox.chain_transaction_confirm(tx_id=rows[0].pk) == ChainTxStatus.CONFIRMED
    assert all(_in_pool(w3, row) for row in rows[1:])  # handed back by the first one's confirmation

    w3.provider.make_request("evm_mine", [])
    assert [_confirm(row) for row in rows[1:]] == [ChainTxStatus.CONFIRMED] * 3
    assert [r.attempts for r in ChainTransaction.objects.filter(pk__in=[r.pk for r in rows])] == [1] * 4
    assert _balance(receiver.address) == sum(7 + i for i in range(4))


def test_a_burst_of_one_signer_is_priced_for_the_full_blocks_before_it(receiver, no_worker, manual_mining):
    """Full blocks raise the base fee 12.5% each; a burst priced at today's fee would be dropped by the
    node part-way (and replaced one by one). Each transaction pays for the blocks its signer fills
    before it, so every one is mined with its first signature."""
    w3 = manual_mining
    limit = int(w3.eth.get_block("latest")["gasLimit"])
    w3.provider.make_request("anvil_setNextBlockBaseFeePerGas", [hex(50 * 10**9)])
    w3.provider.make_request("evm_mine", [])
    w3.provider.make_request("evm_setBlockGasLimit", [hex(200_000)])  # two or three mints a block
    chain.clear_caches()
    try:
        rows = [
            payment_token_mint(
                to_address=receiver.address, amount_base_units=3 + i, key=f"mint:burst-fee:{i}"
            )
            for i in range(8)
        ]
        for row in rows:
            assert outbox.chain_transaction_send(tx_id=row.pk) is True
        rows = [ChainTransaction.objects.get(pk=row.pk) for row in rows]
        prices = [int(row.gas_price) for row in rows]
        assert prices == sorted(prices), prices
        assert prices[-1] > prices[0] * 9 // 8, prices
        for _ in range(8):
            w3.provider.make_request("evm_mine", [])
        assert _mined_count(rows[0].signer) == rows[-1].nonce + 1
        assert [_confirm(row) for row in rows] == [ChainTxStatus.CONFIRMED] * 8
    finally:
        w3.provider.make_request("evm_setBlockGasLimit", [hex(limit)])
        chain.clear_caches()
    assert [r.attempts for r in ChainTransaction.objects.filter(pk__in=[r.pk for r in rows])] == [1] * 8
    assert _balance(receiver.address) == sum(3 + i for i in range(8))
