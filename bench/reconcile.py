"""Reconciling 10,000 holders: the indexed holdings and the HKD leg against the books.

Run on the test stack (PostgreSQL started for it): `make bench-reconcile`, i.e.
`.venv/bin/python -m tests.services run -- .venv/bin/python bench/reconcile.py`.
Migrates and empties the database, then seeds in bulk (rows only, no chain): one offering with a
deployed token, HOLDERS approved investors with wallets, a subscription and a settled allotment each
(settled in batches of 100, as settlement does), the indexer's rows for them (a `Settled` event and its
mint `Transfer` per allotment, one `TokenHolding` per wallet, the cursor). Times
`tokens.indexer.reconcile.holdings_reconcile()` ROUNDS times (median) and checks it finds nothing; then
changes a few holdings and one payment and checks that each difference raises one alert. Writes the
"Reconciliation" section of docs/benchmarks.md and prints one JSON object as its last line.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.choices import Role  # noqa: E402
from accounts.models import User  # noqa: E402
from bench.sections import write_section  # noqa: E402
from compliance.choices import KycStatus  # noqa: E402
from compliance.models import InvestorProfile  # noqa: E402
from financing.choices import AllotmentStatus, OfferingStatus, SubscriptionStatus  # noqa: E402
from financing.models import Allotment, Subscription  # noqa: E402
from financing.tests.test_views import offering_of  # noqa: E402
from tokens.chain import to_checksum  # noqa: E402
from tokens.choices import ChainTxStatus, ContractKind, ContractStatus, WalletKind  # noqa: E402
from tokens.indexer.events import ZERO_ADDRESS  # noqa: E402
from tokens.indexer.reconcile import ALERT_HKD, ALERT_HOLDING, holdings_reconcile  # noqa: E402
from tokens.indexer.stream import STREAM  # noqa: E402
from tokens.models import (  # noqa: E402
    ChainEvent,
    ChainTransaction,
    Contract,
    IndexerCursor,
    OperatorAlert,
    TokenHolding,
    Wallet,
)

SECTION = "Reconciliation"
HOLDERS = int(os.environ.get("BENCH_RECONCILE_HOLDERS", "10000"))
ROUNDS = 3
BATCH = 100
CHAIN_ID = 31337
BULK = 2000


def _address(kind: int, number: int) -> str:
    return to_checksum(f"0x{kind:08x}{number:032x}")


def _hash(kind: int, number: int) -> str:
    return f"0x{kind:08x}{number:056x}"


def seed(holders: int) -> None:
    """Everything a settled round of `holders` allotments leaves in the database, written in bulk."""
    offering = offering_of(status=OfferingStatus.SETTLED)
    token = Contract.objects.create(
        kind=ContractKind.SECURITY_TOKEN,
        chain_id=CHAIN_ID,
        label="bench token",
        address=_address(1, 1),
        status=ContractStatus.DEPLOYED,
    )
    offering.token = token
    offering.save(update_fields=["token"])
    settler = Wallet.objects.create(address=_address(2, 1), kind=WalletKind.SETTLER, label="settler")
    unusable = make_password(None)  # these accounts never log in
    users = User.objects.bulk_create(
        [
            User(
                email=f"holder{i}@bench.example.hk",
                full_name=f"Holder {i}",
                role=Role.INVESTOR,
                password=unusable,
            )
            for i in range(holders)
        ],
        batch_size=BULK,
    )
    wallets = Wallet.objects.bulk_create(
        [
            Wallet(address=_address(3, i), kind=WalletKind.INVESTOR, label=f"holder {i}")
            for i in range(holders)
        ],
        batch_size=BULK,
    )
    InvestorProfile.objects.bulk_create(
        [
            InvestorProfile(
                user=user,
                investor_type="individual",
                legal_name=user.full_name,
                country="HK",
                id_document_number=f"B{i}",
                kyc_status=KycStatus.APPROVED,
                wallet=wallet,
            )
            for i, (user, wallet) in enumerate(zip(users, wallets, strict=True))
        ],
        batch_size=BULK,
    )
    batches = ChainTransaction.objects.bulk_create(
        [
            ChainTransaction(
                intent="settle_batch",
                idempotency_key=f"bench:settle:{b}",
                signer=settler,
                chain_id=CHAIN_ID,
                to_address=_address(4, 1),
                data="0x",
                status=ChainTxStatus.CONFIRMED,
                nonce=b,
                tx_hash=_hash(5, b),
                block_number=100 + b,
            )
            for b in range((holders + BATCH - 1) // BATCH)
        ]
    )
    price = offering.unit_price
    subscriptions = Subscription.objects.bulk_create(
        [
            Subscription(
                offering=offering,
                investor=user,
                units=3,
                amount=price * 3,
                status=SubscriptionStatus.ALLOTTED,
                authorised_until=timezone.now() + timedelta(days=1),
            )
            for user in users
        ],
        batch_size=BULK,
    )
    payment = int(price * 2 * 10**6)
    escrow = int(price * 3 * 10**6)
    Allotment.objects.bulk_create(
        [
            Allotment(
                subscription=s,
                offering=offering,
                units=2,
                amount=price * 2,
                payment_base_units=Decimal(payment),
                status=AllotmentStatus.SETTLED,
                chain_transaction=batches[i // BATCH],
                settled_at=timezone.now(),
            )
            for i, s in enumerate(subscriptions)
        ],
        batch_size=BULK,
    )
    events = []
    for i, (s, wallet) in enumerate(zip(subscriptions, wallets, strict=True)):
        tx = batches[i // BATCH]
        common = {
            "chain_id": CHAIN_ID,
            "tx_hash": tx.tx_hash,
            "block_number": tx.block_number,
            "block_hash": _hash(6, tx.block_number),
        }
        events.append(
            ChainEvent(
                **common,
                contract_address=token.address,
                name="Transfer",
                token_address=token.address,
                from_address=ZERO_ADDRESS,
                to_address=wallet.address,
                units=2,
                log_index=(i % BATCH) * 2,
            )
        )
        events.append(
            ChainEvent(
                **common,
                contract_address=_address(4, 1),
                name="Settled",
                kind="settled",
                token_address=token.address,
                from_address=_address(7, 1),
                to_address=wallet.address,
                units=2,
                money=payment,
                refund=escrow - payment,
                subscription_id=s.pk,
                log_index=(i % BATCH) * 2 + 1,
            )
        )
    ChainEvent.objects.bulk_create(events, batch_size=BULK)
    TokenHolding.objects.bulk_create(
        [
            TokenHolding(
                chain_id=CHAIN_ID, token_address=token.address, wallet=w.address, units=2, block_number=100
            )
            for w in wallets
        ],
        batch_size=BULK,
    )
    last = batches[-1].block_number
    IndexerCursor.objects.create(
        stream=STREAM, chain_id=CHAIN_ID, block_number=last, block_hash=_hash(6, last), head_number=last
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    start = time.perf_counter()
    seed(HOLDERS)
    seeded = time.perf_counter() - start
    times = []
    for _ in range(ROUNDS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            result = holdings_reconcile()
            times.append(time.perf_counter() - start)
        assert result.differences == [], result.differences[:3]
        assert result.holdings_compared == HOLDERS
        assert result.settlements_compared == HOLDERS
    median = statistics.median(times)
    # Three holdings and one payment differ: four alerts, once each.
    changed = list(TokenHolding.objects.order_by("pk").values_list("pk", flat=True)[:3])
    TokenHolding.objects.filter(pk__in=changed).update(units=5)
    allotment = Allotment.objects.order_by("-pk").first()
    assert allotment is not None
    Allotment.objects.filter(pk=allotment.pk).update(payment_base_units=allotment.payment_base_units + 1)
    found = holdings_reconcile()
    kinds = sorted(alert.kind for alert in found.raised)
    assert kinds == [ALERT_HKD] + [ALERT_HOLDING] * 3, kinds
    assert holdings_reconcile().raised == []
    assert OperatorAlert.objects.count() == 4
    figures = {
        "holders": HOLDERS,
        "reconcile_seconds": round(median, 3),
        "reconcile_runs": [round(t, 3) for t in times],
        "queries": len(queries),
        "seed_seconds": round(seeded, 1),
    }
    write_section(
        SECTION,
        f"## {SECTION}\n\n"
        "Measured by `bench/reconcile.py` (`make bench-reconcile`) on the test stack (PostgreSQL 15, one "
        f"process): {HOLDERS:,} holders of one token, each with a settled allotment, its `Settled` event "
        "and mint `Transfer` as the indexer stores them and an indexed `TokenHolding`, seeded in bulk. "
        "`tokens.indexer.reconcile.holdings_reconcile()` compares every holding with the books (settled "
        "allotments plus and minus the transfers the indexer saw) and every settled allotment's HKD leg "
        "with its `Settled` event, in a few aggregate queries and dictionary comparisons; median of "
        f"{ROUNDS} runs. Then three holdings and one payment are changed: four alerts, raised once.\n\n"
        "| holders | reconcile (median) | runs | SQL queries per run |\n|---|---|---|---|\n"
        f"| {HOLDERS:,} | {median:.2f} s | {', '.join(f'{t:.2f} s' for t in times)} | {len(queries)} |\n",
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
