"""Servicing from issue to maturity on the real chain: the calendar paid to every holder to the base unit,
read back from the chain, with units moving between record dates; lateness; refusals; re-runs."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from financing.agreements import accepted_versions
from financing.choices import ApplicationStatus, OfferingStatus, PaymentKind, PaymentStatus, TransferStatus
from financing.models import Offering, OfferingPayment, PaymentHolder
from financing.schedules import build_schedule
from financing.services import (
    application_decide,
    application_save,
    application_submit,
    offering_close,
    offering_open,
    subscription_create,
)
from financing.services.servicing import (
    ALERT_PAYMENT_LATE,
    amount_due,
    dividend_declare,
    payment_fund,
    payout_id_for,
    servicing_run,
)
from financing.services.transfers import investor_reference, transfer_accept, transfer_create
from tests import flows
from tokens import chain
from tokens import services as token_services
from tokens.choices import ChainTxStatus, ContractKind, PaymentLegKind
from tokens.models import ChainTransaction, OperatorAlert, PaymentLeg
from tokens.selectors import payment_token, platform_contract

NOTICE = timedelta(days=settings.SERVICING_FUNDING_NOTICE_DAYS)
START = date.today() + timedelta(days=10)

TERMS: dict[str, dict[str, Any]] = {
    "bond": {
        "annual_rate": "0.06",
        "frequency": "quarterly",
        "start_date": START,
        "maturity_date": date(START.year + (START.month + 5) // 12, (START.month + 5) % 12 + 1, 1),
    },
    "loan": {
        "annual_rate": "0.07",
        "frequency": "monthly",
        "start_date": START,
        "term_months": 6,
        "amortization": "annuity",
    },
    "equity": {"share_class": "Ordinary", "pre_money_valuation": Decimal("900000.00")},
    "lease": {
        "annual_rate": "0.05",
        "frequency": "quarterly",
        "start_date": START,
        "term_months": 12,
        "residual_value": Decimal("10000.00"),
        "asset_description": "Two forklifts",
    },
}


@dataclasses.dataclass
class Round:
    sme: User
    offering: Offering
    first: User
    second: User


def _settled(instrument: str, *, units: int = 100) -> Round:
    officer, operator = flows.officer(), flows.operator()
    company = flows.verified_company(by=officer)
    application = application_save(
        user=company.representative,
        instrument=instrument,
        title=f"Lantau {instrument}",
        currency="HKD",
        target_amount=Decimal("1000.00") * units,
        minimum_amount=Decimal("1000.00") * 20,
        use_of_proceeds="Working capital",
        terms={"unit_price": Decimal("1000.00"), **TERMS[instrument]},
    )
    application_submit(user=company.representative, application_id=application.pk)
    application_decide(
        actor=officer,
        application_id=application.pk,
        decision="approve",
        reason="ok",
        closes_at=timezone.now() + timedelta(days=7),
        professional_investors_only=True,
        arranger_id=flows.arranger().pk,
    )
    offering = offering_open(actor=operator, offering_id=Offering.objects.get(application=application).pk)
    first = flows.approved_investor(by=officer, funds=Decimal("100000"))
    second = flows.approved_investor(by=officer, funds=Decimal("100000"))
    subscription_create(user=first, offering_id=offering.pk, units=60, **accepted_versions())
    subscription_create(user=second, offering_id=offering.pk, units=40, **accepted_versions())
    offering_close(actor=operator, offering_id=offering.pk)
    offering = Offering.objects.select_related("token", "application__company__wallet").get(pk=offering.pk)
    assert offering.status == OfferingStatus.SETTLED
    return Round(company.representative, offering, first, second)


def _fund_issuer(offering: Offering, amount: Decimal) -> None:
    wallet = offering.application.company.wallet
    assert wallet is not None
    token_services.payment_token_mint(
        to_address=wallet.address, amount_base_units=int(amount * 10**6), key=f"test:issuer:{wallet.address}"
    )


def _money(address: str) -> int:
    return int(chain.call("PaymentToken", str(payment_token("HKD").address), "balanceOf", address))


def _units(offering: Offering, address: str) -> int:
    return int(chain.call("SecurityToken", offering.token.address, "balanceOf", address))  # type: ignore[union-attr]


def _wallet(user: User) -> str:
    return flows.profile_of(user).wallet.address  # type: ignore[union-attr]


def _sell(offering: Offering, seller: User, buyer: User, units: int, price: Decimal) -> None:
    """The seller offers `units` to the buyer at `price`; the buyer accepts and pays: both keys sign
    exactly that transfer, delivered on chain against the payment (Settlement.transferUnits)."""
    sale = transfer_create(
        user=seller,
        offering_id=offering.pk,
        units=units,
        recipient_reference=investor_reference(flows.profile_of(buyer)),
        price=price,
    )
    transfer_accept(user=buyer, transfer_id=sale.pk)
    sale.refresh_from_db()
    assert sale.status == TransferStatus.COMPLETED, sale.failure_reason


@pytest.mark.journey
@pytest.mark.parametrize("instrument", ["bond", "loan", "lease"])
def test_servicing_from_issue_to_maturity_pays_every_holder_the_schedule_to_the_base_unit(
    platform, instrument: str
) -> None:
    r = _settled(instrument)
    offering = r.offering
    assert offering.application.status == ApplicationStatus.FUNDED
    payments = list(OfferingPayment.objects.filter(offering=offering).order_by("sequence"))
    # The calendar is the schedule of the terms for the principal raised (100 units of HKD 1,000).
    terms = offering.application.terms.schedule_terms()
    schedule = build_schedule(dataclasses.replace(terms, principal=Decimal("100000.00")))
    assert sum(p.amount for p in payments) == schedule.totals.payment
    assert [p.due_date for p in payments] == sorted(p.due_date for p in payments)
    kinds = {p.kind for p in payments}
    assert (
        kinds
        == {
            "bond": {PaymentKind.COUPON, PaymentKind.PRINCIPAL},
            "loan": {PaymentKind.INSTALMENT},
            "lease": {PaymentKind.RENTAL, PaymentKind.RESIDUAL},
        }[instrument]
    )
    _fund_issuer(offering, sum((p.amount for p in payments), Decimal("0")))
    first, second = _wallet(r.first), _wallet(r.second)
    by_date: dict[date, list[OfferingPayment]] = defaultdict(list)
    for p in payments:
        by_date[p.due_date].append(p)
    received = {first: 0, second: 0}
    expected = {first: 0, second: 0}
    funded_total = 0
    for index, (due, group) in enumerate(sorted(by_date.items())):
        if index == 1:  # between the first and second record dates, the first holder sells 15 units
            _sell(offering, r.first, r.second, 15, Decimal("15300.00"))
        servicing_run(today=due - NOTICE)
        for p in group:
            p.refresh_from_db()
            assert p.status == PaymentStatus.AWAITING_FUNDING
            payment_fund(actor=r.sme, payment_id=p.pk, amount=p.amount, today=due - NOTICE)
            p.refresh_from_db()
            assert p.status == PaymentStatus.FUNDED
        held = {first: _units(offering, first), second: _units(offering, second)}
        assert sum(held.values()) == 100
        before = {w: _money(w) for w in held}
        settlement_before = _money(str(platform_contract(ContractKind.SETTLEMENT).address))
        servicing_run(today=due)
        for p in group:
            p.refresh_from_db()
            assert p.status == PaymentStatus.CLOSED, p.failure_reason
            base = int(p.funded_base_units)  # type: ignore[arg-type]
            funded_total += base
            for w in held:
                expected[w] += base * held[w] // 100
            assert {h.wallet: h.units for h in PaymentHolder.objects.filter(payment=p)} == held
            # The travel rule: the issuer's funding and each holder's share are recorded legs.
            legs = PaymentLeg.objects.filter(
                subject__in=[f"financing.paymentholder:{h.pk}" for h in p.holders.all()]
            )
            assert sum(leg.amount for leg in legs) * 10**6 == base
            assert PaymentLeg.objects.filter(
                kind=PaymentLegKind.DISTRIBUTION_FUNDING, subject=f"financing.offeringpayment:{p.pk}"
            ).exists()
        for w in held:
            received[w] += _money(w) - before[w]
        assert _money(str(platform_contract(ContractKind.SETTLEMENT).address)) == settlement_before - sum(
            int(p.funded_base_units)
            for p in group  # type: ignore[arg-type]
        )
    assert received == expected
    assert sum(received.values()) == funded_total == int(schedule.totals.payment * 10**6)
    offering.refresh_from_db()
    if offering.status == OfferingStatus.MATURED:
        servicing_run(today=max(by_date))
        offering.refresh_from_db()
    assert offering.status == OfferingStatus.REDEEMED
    assert int(chain.call("SecurityToken", offering.token.address, "totalSupply")) == 0  # type: ignore[union-attr]


def _state(payment: OfferingPayment) -> tuple[Any, ...]:
    payment.refresh_from_db()
    return (
        payment.status,
        payment.funded_amount,
        payment.funding_transaction_id,
        ChainTransaction.objects.count(),
    )


def test_funding_refusals_change_nothing(platform) -> None:
    r = _settled("bond")
    payments = list(OfferingPayment.objects.filter(offering=r.offering).order_by("sequence"))
    coupon, principal = payments[0], payments[-1]
    today = coupon.due_date - NOTICE
    issuer_wallet = r.offering.application.company.wallet.address  # type: ignore[union-attr]
    # The issuer's wallet holds what the round raised (HKD 100,000), nothing more.
    assert _money(issuer_wallet) == 100_000 * 10**6
    before, money = _state(coupon), _money(issuer_wallet)
    for wrong in (coupon.amount - Decimal("0.01"), coupon.amount + Decimal("0.01")):
        with pytest.raises(ValidationFailed, match="needs exactly"):
            payment_fund(actor=r.sme, payment_id=coupon.pk, amount=wrong, today=today)
    with pytest.raises(PermissionDenied):
        payment_fund(actor=r.first, payment_id=coupon.pk, amount=coupon.amount, today=today)
    other_sme = flows.verified_company(by=flows.officer(), name="Tsing Yi Precision Limited").representative
    with pytest.raises(NotFound):
        payment_fund(actor=other_sme, payment_id=coupon.pk, amount=coupon.amount, today=today)
    assert _state(coupon) == before
    assert _money(issuer_wallet) == money
    payment_fund(actor=r.sme, payment_id=coupon.pk, amount=coupon.amount, today=today)
    funded = _state(coupon)
    assert funded[0] == PaymentStatus.FUNDED
    with pytest.raises(Conflict, match="funded once only"):
        payment_fund(actor=r.sme, payment_id=coupon.pk, amount=coupon.amount, today=today)
    assert _state(coupon) == funded
    assert _money(issuer_wallet) == money - int(coupon.amount * 10**6)
    # Shortfall: the principal (HKD 100,000) is more than is left after the coupon.
    before, money = _state(principal), _money(issuer_wallet)
    with pytest.raises(ValidationFailed, match=r"wallet holds HKD 98,"):
        payment_fund(actor=r.sme, payment_id=principal.pk, amount=principal.amount, today=today)
    assert _state(principal) == before
    assert _money(issuer_wallet) == money


def test_a_missed_funding_is_late_alerts_staff_puts_the_offering_in_arrears_and_accrues_default_interest(
    platform,
) -> None:
    r = _settled("bond")
    payment = OfferingPayment.objects.filter(offering=r.offering).order_by("sequence").first()
    assert payment is not None
    grace = settings.SERVICING_GRACE_DAYS
    servicing_run(today=payment.due_date - NOTICE)
    servicing_run(today=payment.due_date + timedelta(days=grace))  # within the grace days: not late
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AWAITING_FUNDING
    assert amount_due(payment, payment.due_date + timedelta(days=grace)) == payment.amount
    late_day = payment.due_date + timedelta(days=grace + 1)
    servicing_run(today=late_day)
    payment.refresh_from_db()
    r.offering.refresh_from_db()
    assert payment.status == PaymentStatus.LATE
    assert r.offering.status == OfferingStatus.IN_ARREARS
    alert = OperatorAlert.objects.get(kind=ALERT_PAYMENT_LATE, key=f"servicing:late:{payment.pk}")
    assert "not funded" in alert.message
    servicing_run(today=late_day)  # once only
    assert OperatorAlert.objects.filter(kind=ALERT_PAYMENT_LATE).count() == 1
    # Default interest: amount x rate x days late / 365, from the due date, to the cent.
    pay_day = payment.due_date + timedelta(days=30)
    interest = (payment.amount * settings.SERVICING_DEFAULT_INTEREST_RATE * 30 / 365).quantize(
        Decimal("0.01")
    )
    due = amount_due(payment, pay_day)
    assert due == payment.amount + interest
    assert interest > 0
    _fund_issuer(r.offering, due)
    with pytest.raises(ValidationFailed, match="needs exactly"):
        payment_fund(actor=r.sme, payment_id=payment.pk, amount=payment.amount, today=pay_day)
    payment_fund(actor=r.sme, payment_id=payment.pk, amount=due, today=pay_day)
    r.offering.refresh_from_db()
    assert r.offering.status == OfferingStatus.IN_ARREARS  # until paid
    first, second = _wallet(r.first), _wallet(r.second)
    before = {w: _money(w) for w in (first, second)}
    servicing_run(today=pay_day)
    payment.refresh_from_db()
    r.offering.refresh_from_db()
    assert payment.status == PaymentStatus.CLOSED
    assert payment.default_interest == interest
    assert r.offering.status == OfferingStatus.SERVICING
    paid = {w: _money(w) - before[w] for w in before}
    assert sum(paid.values()) == int(due * 10**6)
    assert paid[first] == int(due * 10**6) * 60 // 100


def test_payouts_run_again_after_a_kill_pay_nobody_twice(platform, monkeypatch: pytest.MonkeyPatch) -> None:
    r = _settled("bond")
    payment = OfferingPayment.objects.filter(offering=r.offering).order_by("sequence").first()
    assert payment is not None
    _fund_issuer(r.offering, payment.amount)
    servicing_run(today=payment.due_date - NOTICE)
    payment_fund(actor=r.sme, payment_id=payment.pk, amount=payment.amount, today=payment.due_date - NOTICE)
    first, second = _wallet(r.first), _wallet(r.second)
    before = {w: _money(w) for w in (first, second)}
    # The worker dies right after the payouts are recorded, before any is sent.
    import financing.services.servicing as servicing_module

    monkeypatch.setattr(token_services.outbox, "enqueue_on_commit", lambda *a, **k: None)
    servicing_run(today=payment.due_date)
    monkeypatch.undo()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAYING
    assert {w: _money(w) for w in before} == before
    payouts = list(ChainTransaction.objects.filter(intent=servicing_module.INTENT_PAY_DISTRIBUTION))
    assert len(payouts) == 1
    assert payouts[0].status == ChainTxStatus.PENDING
    # Run again: nothing new is recorded; the sweep sends the recorded payout once.
    servicing_run(today=payment.due_date)
    assert ChainTransaction.objects.filter(intent=servicing_module.INTENT_PAY_DISTRIBUTION).count() == 1
    from tokens.tasks import chain_outbox_sweep

    chain_outbox_sweep(older_than_seconds=0)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CLOSED
    paid = {w: _money(w) - before[w] for w in before}
    assert sum(paid.values()) == int(payment.amount * 10**6)
    # The same payout id can never pay again on chain, whatever the app records.
    settlement = platform_contract(ContractKind.SETTLEMENT)
    again = token_services.contract_call(
        target=settlement,
        function="payout",
        args=[payout_id_for(payment.distribution_id, 0), payment.distribution_id, [first], [1]],
        intent=servicing_module.INTENT_PAY_DISTRIBUTION,
        key="test:payout:again",
    )
    again.refresh_from_db()
    assert again.status == ChainTxStatus.FAILED
    assert {w: _money(w) - before[w] for w in before} == paid
    servicing_run(today=payment.due_date + timedelta(days=1))
    assert {w: _money(w) - before[w] for w in before} == paid


def test_an_equity_dividend_is_declared_funded_and_paid_to_the_holders_at_its_record_date(
    platform, mailoutbox
) -> None:
    r = _settled("equity")
    offering = r.offering
    assert not OfferingPayment.objects.filter(offering=offering).exists()  # shares have no schedule
    today = date.today()
    record, pay = today + timedelta(days=20), today + timedelta(days=30)
    with pytest.raises(ValidationFailed) as refused:
        dividend_declare(
            actor=r.sme,
            offering_id=offering.pk,
            amount=Decimal("10.005"),
            record_date=today - timedelta(days=1),
            payment_date=record,
            today=today,
        )
    assert set(refused.value.fields) == {"amount", "record_date"}
    with pytest.raises(PermissionDenied):
        dividend_declare(
            actor=r.first,
            offering_id=offering.pk,
            amount=Decimal("1"),
            record_date=record,
            payment_date=pay,
            today=today,
        )
    assert not OfferingPayment.objects.filter(offering=offering).exists()
    dividend = dividend_declare(
        actor=r.sme,
        offering_id=offering.pk,
        amount=Decimal("3333.33"),
        record_date=record,
        payment_date=pay,
        today=today,
    )
    assert (dividend.kind, dividend.units, dividend.per_unit) == (
        PaymentKind.DIVIDEND,
        100,
        Decimal("33.333300"),
    )
    servicing_run(today=pay - NOTICE)
    dividend.refresh_from_db()
    assert dividend.status == PaymentStatus.AWAITING_FUNDING
    assert any("3,333.33" in m.body and m.to == [r.sme.email] for m in mailoutbox), [
        (m.to, m.subject, m.body) for m in mailoutbox
    ]
    payment_fund(actor=r.sme, payment_id=dividend.pk, amount=Decimal("3333.33"), today=pay - NOTICE)
    first, second = _wallet(r.first), _wallet(r.second)
    before = {w: _money(w) for w in (first, second)}
    servicing_run(today=record)  # the holders are read at the record date, paid on the payment date
    dividend.refresh_from_db()
    assert (dividend.status, dividend.record_block is not None) == (PaymentStatus.FUNDED, True)
    servicing_run(today=pay)
    dividend.refresh_from_db()
    assert dividend.status == PaymentStatus.CLOSED
    paid = {w: _money(w) - before[w] for w in before}
    assert paid == {first: 1_999_998_000, second: 1_333_332_000}
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.SERVICING  # shares never mature


def test_the_issuer_funds_on_the_offering_page_and_a_holder_sees_a_late_payment(platform, client) -> None:
    r = _settled("bond")
    payment = OfferingPayment.objects.filter(offering=r.offering).order_by("sequence").first()
    assert payment is not None
    servicing_run(today=payment.due_date + timedelta(days=settings.SERVICING_GRACE_DAYS + 1))
    # The holder's holding says the payment is late (the index is brought to the head first).
    from tokens.indexer.stream import chain_index_to_head

    chain_index_to_head()
    client.force_login(r.first)
    page = client.get(reverse("financing:investor_dashboard")).content.decode()
    assert "Payment late" in page
    client.force_login(r.sme)
    page = client.get(reverse("financing:offering_detail", args=[r.offering.pk])).content.decode()
    assert "Payment calendar" in page
    assert "In arrears" in page
    due = amount_due(payment)
    assert f"Fund HK${due:,.2f}" in page
    url = reverse("financing:payment_fund", args=[payment.pk])
    refused = client.post(url, {"amount": str(due - Decimal("0.01"))})
    assert refused.status_code == 400
    assert f"needs exactly HKD {due:,.2f}" in refused.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.LATE
    done = client.post(url, {"amount": str(due)})
    assert done.status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FUNDED
    assert payment.funded_amount == due
