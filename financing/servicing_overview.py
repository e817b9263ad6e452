"""What the issuer and the investor see of servicing (reads only; the engine is
`financing/services/servicing.py`).

- The issuer's dashboard per offering: the register (`financing/register.py`), the payment calendar
  with what is funded, paid and due, the totals paid to date, and CSV of the calendar.
- The investor's payments per holding: received (paid on chain to their wallets), upcoming (the next
  payments of the offerings they hold, with their expected share), what they invested and the yield to
  date (received / invested, as a percentage).

A fixed number of queries whatever the calendar's or the portfolio's length.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from itertools import islice

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce, RowNumber

from accounts.models import User
from financing.choices import PAID_PAYMENT_STATUSES, AllotmentStatus, PaymentStatus
from financing.models import Allotment, Offering, OfferingPayment, PaymentHolder
from financing.register import Register, register_of
from tokens.choices import WalletKind
from tokens.models import Wallet

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
# Payments whose money is with the platform but not yet with the holders.
FUNDED_STATUSES = (PaymentStatus.FUNDED, PaymentStatus.PAYING)
# Payments not yet funded (still the issuer's to pay).
UNFUNDED_STATUSES = (
    PaymentStatus.SCHEDULED,
    PaymentStatus.AWAITING_FUNDING,
    PaymentStatus.FUNDING,
    PaymentStatus.LATE,
)
# How many upcoming payments the portfolio shows per holding.
UPCOMING_PER_HOLDING = 3
CALENDAR_CSV_HEADER = [
    "offering_id",
    "sequence",
    "kind",
    "due_date",
    "record_date",
    "currency",
    "amount",
    "principal",
    "interest",
    "units",
    "per_unit",
    "default_interest",
    "funded_amount",
    "status",
    "funded_at",
    "paid_at",
    "funding_tx_hash",
]


# --- the issuer's side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarTotals:
    """An offering's calendar in figures (the offering's currency): scheduled in all, paid to the
    holders to date (with default interest), funded and on its way to them, still to fund; how many
    payments are late; the next one due."""

    currency: str
    payments: int = 0
    scheduled: Decimal = Decimal("0")
    paid: Decimal = Decimal("0")
    paid_count: int = 0
    funded: Decimal = Decimal("0")
    to_fund: Decimal = Decimal("0")
    late: int = 0
    next_due: OfferingPayment | None = None


def payment_calendar(offering: Offering) -> QuerySet[OfferingPayment]:
    """The offering's payments in due-date order, with their funding transactions."""
    return (
        OfferingPayment.objects.filter(offering=offering)
        .select_related("funding_transaction")
        .order_by("sequence")
    )


def calendar_totals(offering: Offering) -> CalendarTotals:
    """The calendar's totals in one aggregate query, and the next payment due in one more."""
    zero = Decimal("0")
    paid = Q(status__in=PAID_PAYMENT_STATUSES)
    sums = OfferingPayment.objects.filter(offering=offering).aggregate(
        payments=Count("pk"),
        scheduled=Coalesce(Sum("amount"), zero),
        paid=Coalesce(Sum(Coalesce("funded_amount", "amount"), filter=paid), zero),
        paid_count=Count("pk", filter=paid),
        funded=Coalesce(Sum("funded_amount", filter=Q(status__in=FUNDED_STATUSES)), zero),
        to_fund=Coalesce(
            Sum(F("amount") + F("default_interest"), filter=Q(status__in=UNFUNDED_STATUSES)), zero
        ),
        late=Count("pk", filter=Q(status=PaymentStatus.LATE)),
    )
    next_due = (
        OfferingPayment.objects.filter(offering=offering)
        .exclude(status__in=PAID_PAYMENT_STATUSES)
        .order_by("sequence")
        .first()
    )
    return CalendarTotals(currency=offering.currency, next_due=next_due, **sums)


@dataclass(frozen=True)
class IssuerDashboard:
    """One offering after the raise, for its issuer (and staff): the register, the calendar (a query set
    to page) and its totals."""

    offering: Offering
    register: Register
    calendar: QuerySet[OfferingPayment]
    totals: CalendarTotals


def issuer_dashboard(user: User, offering_id: int) -> IssuerDashboard:
    """The dashboard of an offering `user` may service or oversee (NotFound otherwise)."""
    register = register_of(user, offering_id)
    offering = register.offering
    return IssuerDashboard(
        offering=offering,
        register=register,
        calendar=payment_calendar(offering),
        totals=calendar_totals(offering),
    )


def calendar_csv_rows(offering: Offering) -> Iterator[list[object]]:
    """The whole calendar as CSV rows (amounts to the cent, the per-unit figure to 6 places)."""
    rows = payment_calendar(offering).iterator(chunk_size=500)
    while chunk := list(islice(rows, 500)):
        for p in chunk:
            yield [
                offering.pk,
                p.sequence,
                p.kind,
                p.due_date.isoformat(),
                p.record_date.isoformat(),
                p.currency,
                p.amount,
                p.principal,
                p.interest,
                p.units,
                p.per_unit,
                p.default_interest,
                "" if p.funded_amount is None else p.funded_amount,
                p.status,
                p.funded_at.isoformat() if p.funded_at else "",
                p.paid_at.isoformat() if p.paid_at else "",
                p.funding_transaction.tx_hash
                if p.funding_transaction and p.funding_transaction.tx_hash
                else "",
            ]


# --- the investor's side ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedPayment:
    """One payment an investor's wallet was paid."""

    share: PaymentHolder

    @property
    def payment(self) -> OfferingPayment:
        return self.share.payment

    @property
    def amount(self) -> Decimal | None:
        return self.share.amount

    @property
    def tx_hash(self) -> str:
        tx = self.share.payout_transaction
        return str(tx.tx_hash) if tx is not None and tx.tx_hash else ""


@dataclass(frozen=True)
class UpcomingPayment:
    """A payment not yet paid of an offering the investor holds, with their expected share: the
    recorded one once the holders are snapshotted at the record date, else their units now times the
    per-unit figure (rounded down to the cent: an estimate until the record date)."""

    payment: OfferingPayment
    expected: Decimal
    estimated: bool


@dataclass(frozen=True)
class HoldingPayments:
    """One holding's servicing: received to date, what was invested in it, upcoming payments."""

    offering: Offering
    received: Decimal = Decimal("0")
    invested: Decimal = Decimal("0")
    upcoming: list[UpcomingPayment] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return self.offering.currency

    @property
    def yield_to_date(self) -> Decimal | None:
        """Received / invested as a percentage to two places (None before anything was invested)."""
        if not self.invested:
            return None
        return (self.received * HUNDRED / self.invested).quantize(CENT, rounding=ROUND_DOWN)

    @property
    def late(self) -> bool:
        return any(u.payment.status == PaymentStatus.LATE for u in self.upcoming)


@dataclass(frozen=True)
class InvestorPayments:
    """The investor's servicing: per holding (by offering id), and the newest payments received."""

    by_offering: dict[int, HoldingPayments] = field(default_factory=dict)
    received: list[ReceivedPayment] = field(default_factory=list)

    @property
    def holdings(self) -> list[HoldingPayments]:
        """Per holding, in offering order."""
        return list(self.by_offering.values())

    @property
    def upcoming(self) -> list[UpcomingPayment]:
        """Every holding's upcoming payments, soonest first."""
        found = [u for h in self.by_offering.values() for u in h.upcoming]
        return sorted(found, key=lambda u: (u.payment.due_date, u.payment.offering_id, u.payment.sequence))


def _base_to_money(base_units: Decimal | int | None) -> Decimal:
    return Decimal(int(base_units or 0)).scaleb(-settings.PAYMENT_TOKEN_DECIMALS)


def investor_payments(
    user: User, units_held: dict[int, int], *, received_latest: int = 20
) -> InvestorPayments:
    """Payments received and upcoming per holding for `user`, whose units per offering id are
    `units_held` (the holdings the portfolio shows). Five queries however many holdings and payments."""
    wallets = Wallet.objects.filter(owner=user, kind=WalletKind.INVESTOR).values("address")
    shares = PaymentHolder.objects.filter(wallet__in=wallets)
    paid_shares = shares.filter(paid_at__isnull=False)
    received = dict(
        paid_shares.values("payment__offering_id")
        .annotate(total=Sum("amount_base_units"))
        .values_list("payment__offering_id", "total")
    )
    invested = dict(
        Allotment.objects.filter(subscription__investor=user, status=AllotmentStatus.SETTLED)
        .values("offering_id")
        .annotate(total=Sum("amount"))
        .values_list("offering_id", "total")
    )
    offerings = set(units_held) | set(received) | set(invested)
    # Each query runs whatever the portfolio holds (-1 stands for none): the same cost for any portfolio.
    upcoming_rows = list(
        OfferingPayment.objects.filter(offering_id__in=list(units_held) or [-1])
        .exclude(status__in=PAID_PAYMENT_STATUSES)
        .annotate(
            position=Window(RowNumber(), partition_by=[F("offering_id")], order_by=[F("sequence").asc()])
        )
        .filter(position__lte=UPCOMING_PER_HOLDING)
        .select_related("offering__application")
        .order_by("offering_id", "sequence")
    )
    recorded = {
        s.payment_id: s
        for s in shares.filter(payment_id__in=[p.pk for p in upcoming_rows] or [-1]).only(
            "payment_id", "amount_base_units", "units"
        )
    }
    upcoming: dict[int, list[UpcomingPayment]] = defaultdict(list)
    for payment in upcoming_rows:
        share = recorded.get(payment.pk)
        if share is not None and share.amount_base_units is not None:
            expected, estimated = _base_to_money(share.amount_base_units), False
        else:
            held = units_held.get(payment.offering_id, 0)
            due = payment.amount + payment.default_interest
            expected = (due * held / payment.units).quantize(CENT, rounding=ROUND_DOWN)
            estimated = True
        upcoming[payment.offering_id].append(UpcomingPayment(payment, expected, estimated))
    found = Offering.objects.filter(pk__in=list(offerings) or [-1]).select_related("application")
    by_offering = {
        offering.pk: HoldingPayments(
            offering=offering,
            received=_base_to_money(received.get(offering.pk)),
            invested=invested.get(offering.pk) or Decimal("0"),
            upcoming=upcoming.get(offering.pk, []),
        )
        for offering in sorted(found, key=lambda o: o.pk)
    }
    latest = [
        ReceivedPayment(share)
        for share in paid_shares.select_related(
            "payment__offering__application", "payout_transaction"
        ).order_by("-paid_at", "-pk")[:received_latest]
    ]
    return InvestorPayments(by_offering=by_offering, received=latest)
