"""The Celery worker keeps its database connection between tasks (config/celery.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.conftest import wait_for
from tokens.choices import ChainTxStatus, WalletKind
from tokens.models import ChainTransaction
from tokens.services import payment_token_mint, wallet_create

pytestmark = pytest.mark.journey


def _other_backends() -> set[tuple[int, object]]:
    """(pid, backend start) of every other connection to the test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return set(cursor.fetchall())


def test_the_worker_keeps_one_database_connection_across_tasks(celery_worker_process):
    receiver = wallet_create(kind=WalletKind.INVESTOR, label="receiver")
    first = payment_token_mint(to_address=receiver.address, amount_base_units=1, key="mint:conn:0")
    wait_for(
        lambda: ChainTransaction.objects.get(pk=first.pk).status == ChainTxStatus.CONFIRMED, what="first mint"
    )
    before = _other_backends()
    assert len(before) == 1, before  # the worker's, open although it has no task in hand

    rows = [
        payment_token_mint(to_address=receiver.address, amount_base_units=1, key=f"mint:conn:{i}")
        for i in range(1, 6)
    ]
    wait_for(
        lambda: all(ChainTransaction.objects.get(pk=r.pk).status == ChainTxStatus.CONFIRMED for r in rows),
        what="five more mints",
    )

    assert _other_backends() == before  # the same connection served ten more tasks
