"""Servicing of a settled offering: its payment calendar, funding by the issuer, record-date snapshots,
pro-rata payouts on chain, lateness and default interest, and redemption at maturity.

1. `payment_calendar_build` (in the transaction that settles the offering): one `OfferingPayment` per
   due payment of the terms the SME applied with, for the principal actually raised (settled units x
   unit price). Equity has no calendar: the SME declares dividends (`dividend_declare`).
2. `servicing_run` (Celery beat, `financing.tasks.servicing_run`) moves payments by the date: awaiting
   funding SERVICING_FUNDING_NOTICE_DAYS before the due date; late (staff alert, holders told, the
   offering in arrears) when unfunded SERVICING_GRACE_DAYS after it; at the record date the holders
   are read from the event index brought to the chain head; once funded and due, the payouts are
   queued in batches under deterministic payout ids, then the distribution is closed; after the last
   payment of a bond, loan or lease the offering matures and every unit is redeemed and burned.
3. `payment_fund` (the issuer): the issuer's custodial wallet authorises exactly the amount due (plus
   default interest when late) for `Settlement.fundDistribution`; the settler relays it.

No chain call runs inside a database transaction: chain reads first, then a short transaction writes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from decimal import ROUND_DOWN, Decimal

from django.conf import settings

from financing.choices import Instrument, PaymentKind
from financing.models import Allotment, Offering, OfferingPayment
from financing.schedules import ScheduleRow, build_schedule, to_minor

logger = logging.getLogger(__name__)

PER_UNIT = Decimal("0.000001")


@dataclasses.dataclass(frozen=True)
class _Due:
    kind: str
    due_date: dt.date
    principal: Decimal
    interest: Decimal

    @property
    def amount(self) -> Decimal:
        return self.principal + self.interest


def settled_units(offering: Offering) -> int:
    """Units delivered at settlement (the units outstanding, until redemption)."""
    from django.db.models import Sum

    from financing.choices import AllotmentStatus

    found = Allotment.objects.filter(offering=offering, status=AllotmentStatus.SETTLED).aggregate(
        units=Sum("units")
    )["units"]
    return int(found or 0)


def _dues(offering: Offering, units: int) -> list[_Due]:
    """The calendar's payments from the application's terms, for the principal actually raised."""
    application = offering.application
    terms = application.terms.schedule_terms()
    raised = offering.unit_price * units
    residual = Decimal("0")
    if terms.residual_value:
        residual = to_minor(terms.residual_value * raised / application.target_amount, terms.currency)
    schedule = build_schedule(dataclasses.replace(terms, principal=raised, residual_value=residual))
    rows: list[ScheduleRow] = schedule.rows
    dues: list[_Due] = []
    instrument = application.instrument
    for index, row in enumerate(rows):
        last = index == len(rows) - 1
        if instrument == Instrument.BOND:
            if row.interest:
                dues.append(_Due(PaymentKind.COUPON, row.date, Decimal("0.00"), row.interest))
            if row.principal:
                dues.append(_Due(PaymentKind.PRINCIPAL, row.date, row.principal, Decimal("0.00")))
        elif instrument == Instrument.LOAN:
            dues.append(_Due(PaymentKind.INSTALMENT, row.date, row.principal, row.interest))
        elif instrument == Instrument.LEASE:
            if last and residual and terms.payment_timing == "advance":
                # The residual falls due one period after the last rental (a row of its own).
                dues.append(_Due(PaymentKind.RESIDUAL, row.date, row.principal, row.interest))
            elif last and residual:
                # In arrears the last row is the last rental plus the residual value: two payments.
                dues.append(_Due(PaymentKind.RENTAL, row.date, row.principal - residual, row.interest))
                dues.append(_Due(PaymentKind.RESIDUAL, row.date, residual, Decimal("0.00")))
            else:
                dues.append(_Due(PaymentKind.RENTAL, row.date, row.principal, row.interest))
    return [due for due in dues if due.amount > 0]


def per_unit(amount: Decimal, units: int) -> Decimal:
    """The per-unit figure shown with a payment: its total / units, to 6 places, rounded down."""
    return (amount / units).quantize(PER_UNIT, rounding=ROUND_DOWN)


def payment_calendar_build(offering: Offering) -> list[OfferingPayment]:
    """The payment calendar of a just-settled offering (in the caller's transaction); once only.

    Built from the application's terms for the principal actually raised (settled units x unit price);
    a lease's residual value is scaled by the same ratio to the target. Equity gets no rows: its
    dividends are declared by the SME.
    """
    if OfferingPayment.objects.filter(offering=offering).exists():
        return []
    units = settled_units(offering)
    if units == 0 or offering.application.instrument == Instrument.EQUITY:
        return []
    record_days = dt.timedelta(days=settings.SERVICING_RECORD_DAYS)
    payments = [
        OfferingPayment(
            offering=offering,
            kind=due.kind,
            sequence=sequence,
            due_date=due.due_date,
            record_date=due.due_date - record_days,
            currency=offering.currency,
            amount=due.amount,
            principal=due.principal,
            interest=due.interest,
            units=units,
            per_unit=per_unit(due.amount, units),
        )
        for sequence, due in enumerate(_dues(offering, units), start=1)
    ]
    return OfferingPayment.objects.bulk_create(payments)
