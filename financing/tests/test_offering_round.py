"""A bond round through the services, with in-process tasks, settled on the test chain."""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from config.errors import Conflict, PermissionDenied, ValidationFailed
from financing.agreements import accepted_versions
from financing.choices import AllotmentStatus, OfferingStatus, SubscriptionStatus
from financing.models import Allotment, Offering, OfferingCloseRetry, Subscription
from financing.services import (
    allot_pro_rata,
    offering_cancel,
    offering_close,
    subscription_create,
    subscription_withdraw,
)
from tests import flows
from tokens import chain as tokens_chain
from tokens.chain import ChainUnavailable
from tokens.choices import ContractKind, WalletKind
from tokens.selectors import payment_balance, platform_contract, platform_wallet, token_balance


@pytest.fixture
def round_actors(platform):
    officer = flows.officer()
    operator = flows.operator()
    company = flows.verified_company(by=officer)
    offering = flows.open_offering(company=company, by=officer, opener=operator, units=100, minimum_units=20)
    return officer, operator, company, offering


def test_an_oversubscribed_round_allots_pro_rata_and_settles_on_chain(round_actors):
    officer, operator, company, offering = round_actors
    first = flows.approved_investor(by=officer, funds=Decimal("200000"))
    second = flows.approved_investor(by=officer, funds=Decimal("200000"))
    subscription_create(user=first, offering_id=offering.pk, units=90, **accepted_versions())
    subscription_create(user=second, offering_id=offering.pk, units=60, **accepted_versions())

    offering_close(actor=operator, offering_id=offering.pk)

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.SETTLED
    allotments = {a.subscription.investor_id: a for a in Allotment.objects.select_related("subscription")}
    assert allotments[first.pk].units == 60
    assert allotments[second.pk].units == 40
    assert all(a.status == AllotmentStatus.SETTLED for a in allotments.values())
    token = offering.token
    assert token_balance(token, flows.profile_of(first).wallet.address) == 60
    assert token_balance(token, flows.profile_of(second).wallet.address) == 40
    assert payment_balance(company.wallet.address) == Decimal("100000.00")
    assert payment_balance(flows.profile_of(first).wallet.address) == Decimal("140000.00")


def test_missing_the_soft_cap_cancels_the_round_and_moves_no_money(round_actors):
    officer, operator, _, offering = round_actors
    investor = flows.approved_investor(by=officer, funds=Decimal("50000"))
    subscription = subscription_create(
        user=investor, offering_id=offering.pk, units=10, **accepted_versions()
    )

    offering_close(actor=operator, offering_id=offering.pk)

    offering.refresh_from_db()
    subscription.refresh_from_db()
    assert offering.status == OfferingStatus.CANCELLED
    assert subscription.status == SubscriptionStatus.CANCELLED
    assert not Allotment.objects.exists()
    assert payment_balance(flows.profile_of(investor).wallet.address) == Decimal("50000.00")


def test_a_subscription_past_the_hard_cap_is_refused_and_changes_nothing(round_actors):
    officer, _, _, offering = round_actors
    big = flows.approved_investor(by=officer, funds=Decimal("400000"))
    other = flows.approved_investor(by=officer, funds=Decimal("400000"))
    subscription_create(
        user=big, offering_id=offering.pk, units=offering.subscription_cap_units - 5, **accepted_versions()
    )

    with pytest.raises(Conflict, match="Only 5 units are left"):
        subscription_create(user=other, offering_id=offering.pk, units=6, **accepted_versions())

    offering.refresh_from_db()
    assert offering.units_subscribed == offering.subscription_cap_units - 5
    assert Subscription.objects.filter(investor=other).count() == 0


def test_a_subscription_beyond_the_wallet_balance_is_refused(round_actors):
    officer, _, _, offering = round_actors
    investor = flows.approved_investor(by=officer, funds=Decimal("1500"))

    with pytest.raises(ValidationFailed) as refused:
        subscription_create(user=investor, offering_id=offering.pk, units=2, **accepted_versions())

    assert "units" in refused.value.fields
    assert Offering.objects.get(pk=offering.pk).units_subscribed == 0


def test_retail_investors_cannot_subscribe_to_a_professional_only_offering(round_actors):
    officer, _, _, offering = round_actors
    retail = flows.approved_investor(by=officer, portfolio=Decimal("100000"), funds=Decimal("10000"))

    with pytest.raises(ValidationFailed, match="professional investors only"):
        subscription_create(user=retail, offering_id=offering.pk, units=1, **accepted_versions())
    assert not Subscription.objects.exists()


def test_withdrawing_frees_the_units_and_closing_twice_is_refused(round_actors):
    officer, operator, _, offering = round_actors
    investor = flows.approved_investor(by=officer, funds=Decimal("100000"))
    subscription = subscription_create(
        user=investor, offering_id=offering.pk, units=30, **accepted_versions()
    )
    subscription_withdraw(user=investor, subscription_id=subscription.pk)
    assert Offering.objects.get(pk=offering.pk).units_subscribed == 0

    offering_close(actor=operator, offering_id=offering.pk)
    with pytest.raises(Conflict):
        offering_close(actor=operator, offering_id=offering.pk)


def test_only_staff_close_offerings(round_actors):
    _, _, company, offering = round_actors
    with pytest.raises(PermissionDenied):
        offering_close(actor=company.representative, offering_id=offering.pk)
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.OPEN


@pytest.mark.parametrize(
    ("requests", "available", "expected"),
    [
        ([(1, 10), (2, 20)], 100, {1: 10, 2: 20}),
        ([(1, 90), (2, 60)], 100, {1: 60, 2: 40}),
        ([(1, 1), (2, 1), (3, 1)], 2, {1: 1, 2: 1, 3: 0}),
        ([(1, 7), (2, 7), (3, 7)], 10, {1: 4, 2: 3, 3: 3}),
    ],
)
def test_pro_rata_allotment_never_exceeds_what_is_offered(requests, available, expected):
    allotted = allot_pro_rata(requests, available)
    assert allotted == expected
    assert sum(allotted.values()) <= available


def test_settlement_is_keyed_by_subscription_on_chain_and_empties_its_escrow(round_actors):
    officer, operator, _, offering = round_actors
    investor = flows.approved_investor(by=officer, funds=Decimal("100000"))
    subscription = subscription_create(
        user=investor, offering_id=offering.pk, units=25, **accepted_versions()
    )
    settlement = platform_contract(ContractKind.SETTLEMENT).address
    token = offering.token.address
    wallet = flows.profile_of(investor).wallet.address
    assert tokens_chain.call("Settlement", settlement, "escrowOf", token, subscription.pk) == [
        wallet,
        25_000 * 10**6,
    ]
    assert payment_balance(wallet) == Decimal("75000.00")

    offering_close(actor=operator, offering_id=offering.pk)

    assert tokens_chain.call("Settlement", settlement, "isSettled", token, subscription.pk) is True
    assert tokens_chain.call("Settlement", settlement, "escrowOf", token, subscription.pk)[1] == 0


def test_concurrent_subscriptions_never_pass_the_hard_cap(round_actors):
    import threading

    from django.db import connection

    officer, _, _, offering = round_actors
    investors = [flows.approved_investor(by=officer, funds=Decimal("40000")) for _ in range(10)]
    barrier = threading.Barrier(len(investors))
    outcomes: list[str] = []

    def subscribe(user):
        barrier.wait()
        try:
            subscription_create(user=user, offering_id=offering.pk, units=40, **accepted_versions())
            outcomes.append("ok")
        except Conflict:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=subscribe, args=(user,)) for user in investors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    offering.refresh_from_db()
    assert offering.subscription_cap_units == 300
    assert outcomes.count("ok") == 7
    assert outcomes.count("full") == 3
    assert offering.units_subscribed == 280
    assert Subscription.objects.filter(offering=offering).count() == 7


def test_an_allotment_the_chain_would_refuse_fails_with_the_reason_and_the_rest_settle(round_actors, chain):
    officer, operator, _, offering = round_actors
    keeps = flows.approved_investor(by=officer, funds=Decimal("100000"))
    revoked = flows.approved_investor(by=officer, funds=Decimal("100000"))
    subscription_create(user=keeps, offering_id=offering.pk, units=30, **accepted_versions())
    subscription_create(user=revoked, offering_id=offering.pk, units=30, **accepted_versions())
    registry = platform_contract(ContractKind.IDENTITY_REGISTRY)
    registrar = platform_wallet(WalletKind.REGISTRAR).address
    chain.provider.make_request("anvil_impersonateAccount", [registrar])
    tokens_chain.contract("IdentityRegistry", registry.address).functions.revokeIdentity(
        flows.profile_of(revoked).wallet.address
    ).transact({"from": registrar})

    offering_close(actor=operator, offering_id=offering.pk)

    failed = Allotment.objects.get(subscription__investor=revoked)
    settled = Allotment.objects.get(subscription__investor=keeps)
    assert failed.status == AllotmentStatus.FAILED
    assert "not verified on the identity registry" in failed.failure_reason
    assert settled.status == AllotmentStatus.SETTLED
    revoked_wallet = flows.profile_of(revoked).wallet.address
    assert token_balance(offering.token, revoked_wallet) == 0
    # The payment waits in escrow, untouched, for a retry or a refund.
    assert payment_balance(revoked_wallet) == Decimal("70000.00")
    settlement = platform_contract(ContractKind.SETTLEMENT).address
    escrow = tokens_chain.call(
        "Settlement", settlement, "escrowOf", offering.token.address, failed.subscription_id
    )
    assert escrow == [revoked_wallet, 30_000 * 10**6]
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.PARTLY_FAILED


def test_one_investor_subscribing_twice_at_once_gets_one_subscription(round_actors):
    import threading

    from django.db import connection

    officer, _, _, offering = round_actors
    investor = flows.approved_investor(by=officer, funds=Decimal("100000"))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def subscribe():
        barrier.wait()
        try:
            subscription_create(user=investor, offering_id=offering.pk, units=10, **accepted_versions())
            outcomes.append("ok")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=subscribe) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "refused"]
    assert Offering.objects.get(pk=offering.pk).units_subscribed == 10


def test_withdrawing_after_the_closing_time_is_refused(round_actors):
    officer, _, _, offering = round_actors
    investor = flows.approved_investor(by=officer, funds=Decimal("100000"))
    subscription = subscription_create(
        user=investor, offering_id=offering.pk, units=10, **accepted_versions()
    )
    Offering.objects.filter(pk=offering.pk).update(closes_at=timezone.now() - timedelta(minutes=1))

    with pytest.raises(Conflict):
        subscription_withdraw(user=investor, subscription_id=subscription.pk)
    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.ACTIVE


def test_closing_due_offerings_goes_on_past_one_that_fails(round_actors, monkeypatch):
    from financing.services import offerings as services

    officer, operator, _, offering = round_actors
    other = flows.open_offering(
        company=flows.verified_company(by=officer, name="Other Ltd"), by=officer, opener=operator
    )
    Offering.objects.filter(pk__in=[offering.pk, other.pk]).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )
    real_close = services._offering_close

    def flaky_close(*, actor, offering_id):
        if offering_id == min(offering.pk, other.pk):
            raise ConnectionError("node down")  # a fault injected into the first close only
        return real_close(actor=actor, offering_id=offering_id)

    monkeypatch.setattr(services, "_offering_close", flaky_close)
    services.offerings_close_due()

    statuses = dict(Offering.objects.filter(pk__in=[offering.pk, other.pk]).values_list("pk", "status"))
    assert statuses[min(offering.pk, other.pk)] == OfferingStatus.OPEN
    assert statuses[max(offering.pk, other.pk)] == OfferingStatus.CANCELLED  # nobody subscribed


def test_a_due_offering_that_fails_to_close_backs_off_and_staff_see_why(
    round_actors, monkeypatch, caplog, client
):
    from financing.services import offerings as services

    officer, operator, _, offering = round_actors
    investor = flows.approved_investor(by=officer, funds=Decimal("100000"))
    subscription = subscription_create(
        user=investor, offering_id=offering.pk, units=30, **accepted_versions()
    )
    Offering.objects.filter(pk=offering.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    real_close = services._offering_close

    def unavailable_close(*, actor, offering_id):
        raise ChainUnavailable()  # a fault injected into the close: the database or broker is away

    monkeypatch.setattr(services, "_offering_close", unavailable_close)
    delays = []
    for attempt in (1, 2, 3):
        caplog.clear()
        assert services.offerings_close_due() == [offering.pk]
        assert services.offerings_close_due() == []  # waiting out its back-off: not tried again
        retry = OfferingCloseRetry.objects.get(offering=offering)
        assert retry.attempts == attempt
        delays.append(retry.next_attempt_at - retry.last_failed_at)
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        (logged,) = [r for r in errors if r.name == "financing.services.offerings"]
        assert f"offering {offering.pk} failed (attempt {attempt})" in logged.getMessage()
        OfferingCloseRetry.objects.filter(pk=offering.pk).update(
            next_attempt_at=timezone.now()
        )  # time passes

    assert delays == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.OPEN
    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.ACTIVE
    assert not Allotment.objects.filter(offering=offering).exists()
    client.force_login(operator)
    page = client.get(reverse("financing:offering_detail", args=[offering.pk])).content.decode()
    assert "The scheduled close failed 3 times" in page
    assert "The chain is not answering right now" in page

    monkeypatch.setattr(services, "_offering_close", real_close)
    services.offerings_close_due()
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.SETTLED
    assert not OfferingCloseRetry.objects.exists()


def test_a_close_while_the_node_is_down_is_recorded_and_settles_once_the_sweep_finds_it(
    round_actors, settings
):
    from financing.services import offerings as services

    officer, operator, _, offering = round_actors
    investor = flows.approved_investor(by=officer, funds=Decimal("100000"))
    subscription_create(user=investor, offering_id=offering.pk, units=30, **accepted_versions())
    node = settings.CHAIN_RPC_URL
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"  # the node is down: nothing listens there
    tokens_chain.clear_caches()

    closed = offering_close(actor=operator, offering_id=offering.pk)  # asks the chain nothing

    assert closed.status == OfferingStatus.ALLOTTING
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.ALLOTTING  # the background task could not reach the node
    assert services.offerings_settle_stalled() == []  # not stalled yet: its task may still be running
    settings.CHAIN_RPC_URL = node
    tokens_chain.clear_caches()
    Offering.objects.filter(pk=offering.pk).update(updated_at=timezone.now() - timedelta(minutes=2))
    assert services.offerings_settle_stalled() == [offering.pk]
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.SETTLED
    assert Allotment.objects.get(offering=offering).status == AllotmentStatus.SETTLED


def test_the_close_back_off_doubles_up_to_an_hour(round_actors, monkeypatch):
    from financing.services import offerings as services

    _, _, _, offering = round_actors
    Offering.objects.filter(pk=offering.pk).update(closes_at=timezone.now() - timedelta(minutes=1))

    def broken_close(*, actor, offering_id):
        raise RuntimeError("a bug")  # a fault injected into the close, not the thing under test

    monkeypatch.setattr(services, "_offering_close", broken_close)
    delays = []
    for _ in range(9):
        services.offerings_close_due()
        retry = OfferingCloseRetry.objects.get(offering=offering)
        delays.append(int((retry.next_attempt_at - retry.last_failed_at).total_seconds() // 60))
        OfferingCloseRetry.objects.filter(pk=offering.pk).update(next_attempt_at=timezone.now())
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert retry.last_error == "RuntimeError: a bug"


def test_staff_can_call_off_an_open_offering_and_nobody_pays(round_actors):
    officer, operator, _, offering = round_actors
    investor = flows.approved_investor(by=officer, funds=Decimal("50000"))
    subscription = subscription_create(
        user=investor, offering_id=offering.pk, units=20, **accepted_versions()
    )

    with pytest.raises(PermissionDenied):
        offering_cancel(actor=investor, offering_id=offering.pk)
    offering_cancel(actor=operator, offering_id=offering.pk, reason="Issuer withdrew the programme")

    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.CANCELLED
    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.CANCELLED
    assert payment_balance(flows.profile_of(investor).wallet.address) == Decimal("50000.00")
    with pytest.raises(Conflict):
        offering_cancel(actor=operator, offering_id=offering.pk)


def test_a_payment_the_chain_refuses_to_escrow_fails_the_subscription_and_frees_its_units(
    round_actors, monkeypatch
):
    from financing.services import subscriptions

    officer, _, _, offering = round_actors
    investor = flows.approved_investor(by=officer, funds=Decimal("10000"))
    # A stale balance read (the fault injected): the platform thinks the wallet holds enough.
    monkeypatch.setattr(subscriptions, "payment_balance", lambda address, currency="HKD": Decimal("10000000"))

    subscription = subscription_create(
        user=investor, offering_id=offering.pk, units=50, **accepted_versions()
    )

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.FAILED
    assert subscription.failure_reason == "The paying wallet does not hold enough of the payment token."
    assert Offering.objects.get(pk=offering.pk).units_subscribed == 0
    wallet = flows.profile_of(investor).wallet.address
    assert payment_balance(wallet) == Decimal("10000.00")  # nothing left the wallet
    settlement = platform_contract(ContractKind.SETTLEMENT).address
    assert (
        tokens_chain.call("Settlement", settlement, "escrowOf", offering.token.address, subscription.pk)[1]
        == 0
    )
    monkeypatch.undo()
    # The investor can subscribe again, within what the wallet holds.
    again = subscription_create(user=investor, offering_id=offering.pk, units=10, **accepted_versions())
    again.refresh_from_db()
    assert again.status == SubscriptionStatus.ACTIVE
