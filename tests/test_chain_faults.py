"""Settlement survives a frozen node and a worker killed again and again: every allotment settles once.

A real round over HTTP (tests/test_journey.py), settled by a real Celery worker on the real anvil, in
batches of two so that several settlement transactions are in flight at once. No block is mined
until the fault has struck, so that sent transactions wait in the node's pool, then one a second.
The checks poll the database and the chain for "every allotment settled", whoever drives the close.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from web3 import Web3

from financing.models import Allotment
from tests.conftest import wait_for
from tests.test_journey import _onchain_hkd_base_units, _onchain_units, _prepare_round
from tokens import chain as tokens_chain
from tokens.choices import ChainTxStatus, ContractKind
from tokens.models import ChainTransaction
from tokens.selectors import platform_contract

pytestmark = pytest.mark.journey
INVESTORS = 5  # batches of two: three settlement transactions
UNITS_EACH = 10
FREEZE_SECONDS = 30
KILL_ROUNDS = 4
SEED = 9


@pytest.fixture
def small_batches(settings, monkeypatch):
    """Settlement in batches of two, here and in the worker (it reads the environment at start)."""
    settings.SETTLEMENT_BATCH_SIZE = 2
    monkeypatch.setenv("SETTLEMENT_BATCH_SIZE", "2")
    monkeypatch.setenv("CHAIN_RPC_TIMEOUT", "3")  # a frozen node costs the worker 3 s per question


@contextmanager
def _blocks_held(chain: Web3) -> Iterator[None]:
    """No block until `_resume_mining`: sent batches wait in the node's pool, in flight."""
    chain.provider.make_request("evm_setAutomine", [False])
    try:
        yield
    finally:
        chain.provider.make_request("evm_setIntervalMining", [0])
        chain.provider.make_request("evm_setAutomine", [True])


def _resume_mining(chain: Web3) -> None:
    """Mine what waits, then a block every second."""
    chain.provider.make_request("evm_mine", [])
    chain.provider.make_request("evm_setIntervalMining", [1])


def _close(operator, offering_id: int) -> None:
    """Close the offering: answered at once (202) when close runs in the background, 200 when not."""
    response = operator.http.post(
        f"{operator.base}offerings/{offering_id}/close/", json={}, headers=operator._headers(), timeout=30
    )
    assert response.status_code in (200, 202), (response.status_code, response.text)


def _settlement_rows(offering_id: int):
    return ChainTransaction.objects.filter(
        pk__in=Allotment.objects.filter(offering_id=offering_id).values("chain_transaction")
    )


def _all_settled(offering_id: int) -> bool:
    statuses = list(Allotment.objects.filter(offering_id=offering_id).values_list("status", flat=True))
    return len(statuses) == INVESTORS and set(statuses) == {"settled"}


def _assert_every_allotment_settled_exactly_once(round_: dict, offering_id: int) -> None:
    settlement_address = str(platform_contract(ContractKind.SETTLEMENT).address)
    settlement = tokens_chain.contract("Settlement", settlement_address)
    allotments = list(
        Allotment.objects.filter(offering_id=offering_id).select_related(
            "chain_transaction", "subscription__investor__investor__wallet", "offering"
        )
    )
    assert len(allotments) == INVESTORS
    token = round_["operator"].get(f"offerings/{offering_id}/")["token_address"]
    settled_ids = [
        event["args"]["subscriptionId"] for event in settlement.events.Settled().get_logs(from_block=0)
    ]
    assert sorted(settled_ids) == sorted(a.subscription_id for a in allotments)  # each exactly once
    for allotment in allotments:
        assert allotment.status == "settled"
        assert allotment.chain_transaction.status == ChainTxStatus.CONFIRMED
        assert tokens_chain.call(
            "Settlement", settlement_address, "isSettled", token, allotment.subscription_id
        )
        wallet = allotment.subscription.investor.investor.wallet.address
        assert _onchain_units(token, wallet) == allotment.units
        assert _onchain_hkd_base_units(wallet) == (100_000 - allotment.units * 1000) * 10**6
    issuer_wallet = round_["sme"].get("company/")["wallet_address"]
    assert _onchain_hkd_base_units(issuer_wallet) == sum(a.units for a in allotments) * 1000 * 10**6
    assert _onchain_hkd_base_units(settlement_address) == 0  # escrow empty: nothing paid twice or kept
    # Nothing left half-done in the outbox: every row confirmed (gap fillers included).
    assert not ChainTransaction.objects.exclude(status=ChainTxStatus.CONFIRMED).exists()


def test_a_node_frozen_for_30_seconds_mid_settlement_settles_every_allotment_exactly_once(
    api, small_batches, celery_worker_process, anvil_pid, chain
):
    round_ = _prepare_round(api, investors=INVESTORS, units_each=[UNITS_EACH] * INVESTORS)
    operator, offering_id = round_["operator"], round_["offering_id"]

    with _blocks_held(chain):
        _close(operator, offering_id)
        wait_for(
            lambda: _settlement_rows(offering_id).filter(status=ChainTxStatus.SENT).count() >= 2,
            what="several settlement batches in flight",
        )
        os.kill(anvil_pid, signal.SIGSTOP)
        try:
            time.sleep(FREEZE_SECONDS)
            assert not _all_settled(offering_id)
        finally:
            os.kill(anvil_pid, signal.SIGCONT)
        _resume_mining(chain)

        wait_for(lambda: _all_settled(offering_id), timeout=90, what="every allotment settled after the thaw")
        _assert_every_allotment_settled_exactly_once(round_, offering_id)


def test_a_worker_killed_at_random_points_in_several_rounds_settles_every_allotment_exactly_once(
    api, small_batches, celery_worker_process, chain
):
    round_ = _prepare_round(api, investors=INVESTORS, units_each=[UNITS_EACH] * INVESTORS)
    operator, offering_id = round_["operator"], round_["offering_id"]
    points = random.Random(SEED)

    with _blocks_held(chain):
        _close(operator, offering_id)
        # The first kill lands while settlement batches are in flight (and the chain mines them while
        # no worker runs); the later ones at seeded random points in a new worker's life (its start-up
        # sweep, re-sending, confirming).
        wait_for(
            lambda: _settlement_rows(offering_id).filter(status=ChainTxStatus.SENT).count() >= 2,
            what="settlement batches in flight",
        )
        for number in range(1, KILL_ROUNDS + 1):
            celery_worker_process.kill()
            if number == 1:
                assert not _all_settled(offering_id)
                _resume_mining(chain)
            celery_worker_process.start()
            if number < KILL_ROUNDS:
                wait_for(lambda n=number: _readies(celery_worker_process) > n, what="the worker ready again")
                time.sleep(points.uniform(0.0, 1.5))

        wait_for(
            lambda: _all_settled(offering_id), timeout=90, what="every allotment settled after the kills"
        )
        _assert_every_allotment_settled_exactly_once(round_, offering_id)


def _readies(worker) -> int:
    """How many times a worker has said it is ready in the shared log."""
    return worker.log.read_text(errors="replace").count(" ready.") if worker.log.exists() else 0
