"""Closing in the background at scale: chain reads outside transactions, counts that do not grow per
allotment, an audit trail that stays verifiable and never queues unrelated work behind a close."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.audit import audit_chain_verify, audit_record
from compliance.models import AuditEvent
from config import tasks as config_tasks
from config.errors import Conflict
from financing import services
from financing.agreements import accepted_versions
from financing.choices import AllotmentStatus, OfferingStatus, SubscriptionStatus
from financing.models import Allotment, Offering, Subscription
from financing.services import INTENT_SETTLE_BATCH, offering_close, subscription_create
from financing.services import settlement as settlement_services
from financing.tests import factories
from tests import flows
from tests.chain_guard import chain_calls_outside_transactions
from tokens import chain as tokens_chain
from tokens import outbox
from tokens.choices import ChainTxStatus, ContractKind, WalletKind
from tokens.models import ChainTransaction
from tokens.selectors import platform_contract, platform_wallet, token_balance


@pytest.fixture
def staff(platform):
    officer, operator = flows.officer(), flows.operator()
    return officer, operator, flows.verified_company(by=officer)


def _offering(staff, *, units: int, minimum_units: int = 1) -> Offering:
    officer, operator, company = staff
    return flows.open_offering(
        company=company, by=officer, opener=operator, units=units, minimum_units=minimum_units
    )


class HeldSends:
    """While `holding`, tasks queued on commit are kept in `held` instead of running in-process."""

    def __init__(self, real: Any) -> None:
        self.real, self.holding, self.held = real, False, []

    def __call__(self, task: Any, kwargs: dict[str, Any]) -> None:
        if self.holding:
            self.held.append((task, kwargs))
        else:
            self.real(task, kwargs)


@pytest.fixture
def held_sends(monkeypatch) -> HeldSends:
    sends = HeldSends(config_tasks._send)
    monkeypatch.setattr(config_tasks, "_send", sends)
    return sends


class Killed(Exception):
    """Stands for a worker killed at that point (the broker redelivers the unacknowledged task)."""


def test_closing_answers_allotting_and_the_task_settles_with_no_chain_call_inside_a_transaction(staff):
    officer, operator, _ = staff
    offering = _offering(staff, units=100, minimum_units=20)
    first = flows.approved_investor(by=officer, funds=Decimal("200000"))
    second = flows.approved_investor(by=officer, funds=Decimal("200000"))
    subscription_create(user=first, offering_id=offering.pk, units=90, **accepted_versions())
    subscription_create(user=second, offering_id=offering.pk, units=60, **accepted_versions())

    with chain_calls_outside_transactions() as rpc:
        closed = offering_close(actor=operator, offering_id=offering.pk)

    assert closed.status == OfferingStatus.ALLOTTING  # what the close recorded; the task ran after it
    assert closed.closed_at is not None
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.SETTLED
    assert rpc["eth_call"] >= 1  # the batch pre-check, read before the short transaction that queues
    units = dict(Allotment.objects.values_list("subscription__investor_id", "units"))
    assert units == {first.pk: 60, second.pk: 40}
    assert token_balance(offering.token, flows.profile_of(first).wallet.address) == 60
    moves = list(
        AuditEvent.objects.filter(object_type="financing.offering", object_id=str(offering.pk))
        .order_by("pk")
        .values_list("to_status", flat=True)
    )
    assert moves[-3:] == ["allotting", "settling", "settled"]
    assert audit_chain_verify(full=True) is None


def test_settling_runs_twice_or_after_a_kill_and_queues_every_batch_once(staff, monkeypatch, settings):
    settings.SETTLEMENT_BATCH_SIZE = 2
    officer, operator, _ = staff
    offering = _offering(staff, units=100, minimum_units=20)
    users = [flows.approved_investor(by=officer, funds=Decimal("100000")) for _ in range(3)]
    for user in users:
        subscription_create(user=user, offering_id=offering.pk, units=20, **accepted_versions())
    real_queue = settlement_services._queue_settlement

    def killed(offering_id):
        raise Killed("after allotting, before queueing")

    monkeypatch.setattr(settlement_services, "_queue_settlement", killed)
    with pytest.raises(Killed):
        offering_close(actor=operator, offering_id=offering.pk)
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.ALLOTTING
    assert Allotment.objects.filter(offering=offering).count() == 3
    assert not ChainTransaction.objects.filter(intent=INTENT_SETTLE_BATCH).exists()

    monkeypatch.setattr(settlement_services, "_queue_settlement", real_queue)
    with chain_calls_outside_transactions():
        services.offering_settle(offering_id=offering.pk)  # the redelivered task (acks_late)
        services.offering_settle(offering_id=offering.pk)  # and once more: nothing left to do

    assert Allotment.objects.filter(offering=offering).count() == 3
    assert ChainTransaction.objects.filter(intent=INTENT_SETTLE_BATCH).count() == 2  # 2 + 1 allotments
    assert set(Allotment.objects.values_list("status", flat=True)) == {AllotmentStatus.SETTLED}
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.SETTLED


def _close_to_queued_and_settled(staff, held_sends, w3, n: int) -> dict[str, int]:
    """Query and RPC counts of closing an offering of `n` escrowed subscriptions, and of applying its
    settled batch (one batch: counts per batch may not grow with its allotments)."""
    offering = _offering(staff, units=n)
    made = factories.subscriptions(offering, factories.investors(n, wallets=True), units=1)
    factories.escrow_on_chain(w3, made)
    _, operator, _ = staff
    held_sends.holding = True

    with CaptureQueriesContext(connection) as closing, chain_calls_outside_transactions() as closing_rpc:
        offering_close(actor=operator, offering_id=offering.pk)
        services.offering_settle(offering_id=offering.pk)  # the task the close queued, run here
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.SETTLING
    (batch,) = ChainTransaction.objects.filter(intent=INTENT_SETTLE_BATCH, reference__contains=f"({n})")
    outbox.chain_transaction_send(tx_id=batch.pk)
    batch.refresh_from_db()
    w3.eth.wait_for_transaction_receipt(batch.tx_hash)  # mined before counting: no polls of a busy node

    with CaptureQueriesContext(connection) as settled, chain_calls_outside_transactions() as settled_rpc:
        assert outbox.chain_transaction_confirm(tx_id=batch.pk) == ChainTxStatus.CONFIRMED
    assert Allotment.objects.filter(offering=offering, status=AllotmentStatus.SETTLED).count() == n
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.SETTLED
    held_sends.holding = False
    return {
        "close_queries": len(closing.captured_queries),
        "close_rpc": sum(closing_rpc.values()),
        "settled_queries": len(settled.captured_queries),
        "settled_rpc": sum(settled_rpc.values()),
    }


def test_close_to_queued_and_the_settled_handler_cost_the_same_for_10_and_200_allotments(
    staff, held_sends, chain, settings, monkeypatch
):
    settings.SETTLEMENT_BATCH_SIZE = 250
    # The indexer a confirmation wakes reads however many blocks the seeding mined: not under test here.
    monkeypatch.setattr("tokens.indexer.nudge._nudge", lambda: None)
    ten = _close_to_queued_and_settled(staff, held_sends, chain, 10)
    two_hundred = _close_to_queued_and_settled(staff, held_sends, chain, 200)
    assert ten == two_hundred, (ten, two_hundred)
    assert ten["close_rpc"] == 1  # one settleChecks for the batch; the chain id is cached per process


def test_a_1000_allotment_close_keeps_the_audit_trail_verifiable(staff, held_sends, settings):
    settings.SETTLEMENT_BATCH_SIZE = 500
    offering = _offering(staff, units=1000)
    factories.subscriptions(offering, factories.investors(1000), units=1)
    before = AuditEvent.objects.count()
    _, operator, _ = staff
    held_sends.holding = True

    offering_close(actor=operator, offering_id=offering.pk)
    services.offering_settle(offering_id=offering.pk)

    # No escrow was funded for these subscriptions: the pre-check fails every allotment, with the reason.
    assert Allotment.objects.filter(offering=offering).count() == 1000
    reasons = set(Allotment.objects.values_list("failure_reason", flat=True))
    assert reasons == {"No payment is in escrow for this subscription (never funded, or already refunded)."}
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.PARTLY_FAILED
    assert Subscription.objects.filter(offering=offering, status=SubscriptionStatus.ALLOTTED).count() == 1000
    # one move each of 1,000 subscriptions and 1,000 allotments, two of the offering
    assert AuditEvent.objects.count() - before == 1000 + 1000 + 2
    call_command("verify_audit_log")  # raises CommandError at the first broken entry
    assert audit_chain_verify(full=True) is None


def test_an_unrelated_audited_write_does_not_wait_for_a_long_close(staff, held_sends, monkeypatch):
    offering = _offering(staff, units=1000)
    factories.subscriptions(offering, factories.investors(1000), units=1)
    bystander = factories.investors(1, wallets=True)[0].investor
    _, operator, _ = staff
    held_sends.holding = True
    offering_close(actor=operator, offering_id=offering.pk)
    in_close, hold = threading.Event(), 4.0
    real_end = settlement_services.subscriptions_end

    def slow_end(*args, **kwargs):
        real_end(*args, **kwargs)
        in_close.set()
        time.sleep(hold)  # the close's transaction stays open: allotments made, entries not yet appended

    monkeypatch.setattr(settlement_services, "subscriptions_end", slow_end)
    errors: list[BaseException] = []

    def allot():
        try:
            settlement_services._allot(offering.pk)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    closing = threading.Thread(target=allot)
    started = time.monotonic()
    closing.start()
    assert in_close.wait(60)
    took = time.monotonic()
    audit_record(actor=None, action="kyc_saved", obj=bystander, reason="an investor saves their details")
    took = time.monotonic() - took
    closing.join(60)

    assert not errors
    assert time.monotonic() - started >= hold  # the close really was held open meanwhile
    assert took < 1.0, f"the unrelated audited write waited {took:.2f} s"
    assert Allotment.objects.filter(offering=offering).count() == 1000
    assert audit_chain_verify(full=True) is None


def test_a_refused_allotment_leaves_the_offering_partly_failed_until_staff_retry_it(staff, chain):
    officer, operator, _ = staff
    offering = _offering(staff, units=100, minimum_units=20)
    keeps = flows.approved_investor(by=officer, funds=Decimal("100000"))
    revoked = flows.approved_investor(by=officer, funds=Decimal("100000"))
    subscription_create(user=keeps, offering_id=offering.pk, units=30, **accepted_versions())
    subscription_create(user=revoked, offering_id=offering.pk, units=30, **accepted_versions())
    registry = tokens_chain.contract(
        "IdentityRegistry", platform_contract(ContractKind.IDENTITY_REGISTRY).address
    )
    registrar = platform_wallet(WalletKind.REGISTRAR).address
    chain.provider.make_request("anvil_impersonateAccount", [registrar])
    wallet = flows.profile_of(revoked).wallet.address
    registry.functions.revokeIdentity(wallet).transact({"from": registrar})

    with chain_calls_outside_transactions():
        offering_close(actor=operator, offering_id=offering.pk)
    failed = Allotment.objects.get(subscription__investor=revoked)
    assert failed.status == AllotmentStatus.FAILED
    assert "not verified on the identity registry" in failed.failure_reason
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.PARTLY_FAILED

    with pytest.raises(Conflict, match="still be refused"), chain_calls_outside_transactions():
        services.allotment_retry(actor=operator, allotment_id=failed.pk)
    assert Allotment.objects.get(pk=failed.pk).status == AllotmentStatus.FAILED  # nothing changed
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.PARTLY_FAILED

    expiry = int(time.time()) + 365 * 86_400
    registry.functions.registerIdentity(wallet, 344, 1, expiry).transact({"from": registrar})
    with chain_calls_outside_transactions():
        services.allotment_retry(actor=operator, allotment_id=failed.pk)

    assert Allotment.objects.get(pk=failed.pk).status == AllotmentStatus.SETTLED
    assert token_balance(offering.token, wallet) == 30
    moves = list(
        AuditEvent.objects.filter(object_type="financing.offering", object_id=str(offering.pk))
        .order_by("pk")
        .values_list("to_status", flat=True)
    )
    assert moves[-4:] == ["settling", "partly_failed", "settling", "settled"]
