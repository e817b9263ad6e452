"""Documents out: what each says, read from the books and the event index (never the chain per row).

- per settled allotment (its investor, staff): the subscription confirmation and the contract note (PDF);
- per period (the investor): the holdings statement and the transactions statement (PDF and CSV);
- per application or offering (its SME, staff): the cash-flow schedule of its terms (PDF and CSV).

`config.pdf` lays the PDFs out; `config.csv_export` streams the CSVs (formula-looking cells made safe).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import STAFF_ROLES, Role
from accounts.models import User
from compliance.models import InvestorProfile
from config.errors import Conflict, NotFound
from config.pdf import PdfDocument, PdfTable, day
from financing.choices import AllotmentStatus
from financing.history import TransactionEntry, investor_transactions, transaction_entries
from financing.models import Allotment, Application, Offering
from financing.schedules import Schedule
from financing.selectors import application_schedule, applications_visible_to, offerings_visible_to

# Units into and out of the investor's wallets, by history kind (a recovery between two own wallets: none).
UNITS_IN = frozenset({"settled", "transfer_in", "forced_transfer_in", "recovery_in", "minted"})
UNITS_OUT = frozenset({"transfer_out", "forced_transfer_out", "recovery_out", "redeemed"})
INCOME = frozenset({"distribution_paid"})
HISTORY_CHUNK = 500


def money(amount: Decimal | None) -> str:
    """An amount as documents write it: thousands separated, to the cent or to the token's base unit."""
    if amount is None:
        return ""
    places = max(2, -int(amount.normalize().as_tuple().exponent))
    return f"{amount:,.{places}f}"


def plain(amount: Decimal | None) -> str:
    """An amount for a CSV cell: no separators, to the cent or finer."""
    if amount is None:
        return ""
    places = max(2, -int(amount.normalize().as_tuple().exponent))
    return f"{amount:.{places}f}"


# ---- per allotment ----------------------------------------------------------------------------------


def settled_allotment(user: User, allotment_id: int) -> Allotment:
    """A settled allotment its investor (or staff) may have documents for; others' answer NotFound."""
    allotments = Allotment.objects.select_related(
        "subscription__investor",
        "offering__application__company",
        "offering__application__arranger",
        "offering__application__terms",
        "offering__token",
        "chain_transaction",
    )
    if user.role == Role.INVESTOR:
        allotments = allotments.filter(subscription__investor=user)
    elif user.role not in STAFF_ROLES:
        allotments = allotments.none()
    allotment = allotments.filter(pk=allotment_id).first()
    if allotment is None:
        raise NotFound(_("No such allotment."))
    if allotment.status != AllotmentStatus.SETTLED:
        raise Conflict(_("Documents are issued once the allotment is settled; this one is not yet."))
    return allotment


def _investor_name(user: User) -> str:
    profile = InvestorProfile.objects.filter(user=user).only("legal_name").first()
    return profile.legal_name if profile else user.full_name


def _offering_reference(offering: Offering) -> str:
    return getattr(offering, "reference", "") or f"OFF-{offering.pk:05d}"


def _common_details(allotment: Allotment) -> list[tuple[str, str]]:
    offering = allotment.offering
    application = offering.application
    subscription = allotment.subscription
    return [
        (_("Investor"), f"{_investor_name(subscription.investor)} ({subscription.investor.email})"),
        (_("Offering"), f"{application.title} ({_offering_reference(offering)})"),
        (_("Issuer"), application.company.legal_name_en),
        (_("Instrument"), str(application.get_instrument_display())),
        (_("Currency"), offering.currency),
    ]


def subscription_confirmation(allotment: Allotment) -> PdfDocument:
    """What the investor asked for, what they were allotted, what they paid and got back, and when."""
    offering = allotment.offering
    subscription = allotment.subscription
    refund = subscription.amount - allotment.amount
    details = [
        *_common_details(allotment),
        (_("Subscription number"), str(subscription.pk)),
        (_("Subscribed on"), day(subscription.created_at)),
        (_("Offering closed on"), day(offering.closed_at)),
        (_("Settled on"), day(allotment.settled_at)),
        (
            _("Settlement transaction"),
            allotment.chain_transaction.tx_hash if allotment.chain_transaction else "",
        ),
    ]
    rows = [
        [
            _("Units subscribed"),
            f"{subscription.units:,}",
            money(offering.unit_price),
            money(subscription.amount),
        ],
        [_("Units allotted"), f"{allotment.units:,}", money(offering.unit_price), money(allotment.amount)],
    ]
    return PdfDocument(
        title=_("Subscription confirmation"),
        reference=f"SC-{allotment.pk:06d}",
        details=details,
        tables=[
            PdfTable(
                heading=_("Your subscription and allotment (%(currency)s)") % {"currency": offering.currency},
                columns=[_("Item"), _("Units"), _("Unit price"), _("Amount")],
                rows=rows,
                numeric=(1, 2, 3),
                widths=(3, 1.2, 1.5, 1.8),
            ),
            PdfTable(
                heading=_("Payment (%(currency)s)") % {"currency": offering.currency},
                columns=[_("Item"), _("Amount")],
                rows=[
                    [_("Paid into escrow"), money(subscription.amount)],
                    [_("Paid to the issuer for the allotted units"), money(allotment.amount)],
                    [_("Refunded to your wallet"), money(refund)],
                ],
                numeric=(1,),
                widths=(5, 2),
            ),
        ],
        notes=[
            _(
                "The units were delivered to your custodial wallet against payment on chain (delivery versus "
                "payment) in the settlement transaction above. When an offering is oversubscribed, units are "
                "allotted pro rata and the rest of the escrow is refunded."
            ),
        ],
    )


def contract_note(allotment: Allotment) -> PdfDocument:
    """The trade as a contract note: a primary issue bought from the issuer, units, price, consideration."""
    offering = allotment.offering
    application = offering.application
    arranger = application.arranger
    details = [
        *_common_details(allotment),
        (_("Transaction"), _("Primary issue: subscription for new units")),
        (_("Trade date"), day(offering.closed_at)),
        (_("Settlement date"), day(allotment.settled_at)),
        (_("Arranger"), str(arranger) if arranger else ""),
        (_("Token contract"), offering.token.address if offering.token else ""),
        (
            _("Settlement transaction"),
            allotment.chain_transaction.tx_hash if allotment.chain_transaction else "",
        ),
    ]
    return PdfDocument(
        title=_("Contract note"),
        reference=f"CN-{allotment.pk:06d}",
        details=details,
        tables=[
            PdfTable(
                heading=_("Consideration (%(currency)s)") % {"currency": offering.currency},
                columns=[_("Security"), _("Units"), _("Unit price"), _("Amount")],
                rows=[
                    [
                        application.title,
                        f"{allotment.units:,}",
                        money(offering.unit_price),
                        money(allotment.amount),
                    ],
                    [_("Fees and charges"), "", "", money(Decimal("0.00"))],
                ],
                total=[_("Total consideration"), "", "", money(allotment.amount)],
                numeric=(1, 2, 3),
                widths=(3.5, 1, 1.5, 1.8),
            )
        ],
        notes=[
            _("The platform charges investors no fee on subscription. Keep this note for your records."),
        ],
    )


# ---- per period -------------------------------------------------------------------------------------


@dataclass
class HoldingLine:
    """One offering's units over the period, and the income it paid in the period."""

    offering: Offering
    opening: int = 0
    units_in: int = 0
    units_out: int = 0
    income: Decimal = Decimal("0")

    @property
    def closing(self) -> int:
        return self.opening + self.units_in - self.units_out

    @property
    def value(self) -> Decimal:
        """The closing units at their issue price (nominal value; the platform quotes no market price)."""
        return self.offering.unit_price * self.closing


@dataclass
class Statement:
    """An investor's statement for [start, end]: the transactions in it (oldest first) and holdings."""

    investor: User
    start: dt.date
    end: dt.date
    entries: list[TransactionEntry] = field(default_factory=list)
    holdings: list[HoldingLine] = field(default_factory=list)

    @property
    def reference(self) -> str:
        return f"ST-{self.investor.pk:06d}-{self.start:%Y%m%d}-{self.end:%Y%m%d}"


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else timezone.localtime(moment).date()


def _history(user: User) -> Iterator[TransactionEntry]:
    """The investor's whole history, oldest first, read a chunk at a time (a fixed number of queries each)."""
    rows = list(investor_transactions(user))
    rows.reverse()
    for start in range(0, len(rows), HISTORY_CHUNK):
        yield from transaction_entries(user, rows[start : start + HISTORY_CHUNK])


def investor_statement(user: User, *, start: dt.date, end: dt.date) -> Statement:
    """The investor's own statement: transactions dated in the period, and per offering the units at its
    start and end with what came in and went out, and the payments received in it (an undated chain
    entry, sent outside the platform, counts before the period)."""
    statement = Statement(investor=user, start=start, end=end)
    lines: dict[int, HoldingLine] = {}
    for entry in _history(user):
        on = _local_day(entry.at)
        if on is not None and on > end:
            continue
        in_period = on is not None and start <= on
        if in_period:
            statement.entries.append(entry)
        if entry.offering is None:
            continue
        delta = 0
        if entry.kind in UNITS_IN:
            delta = entry.units or 0
        elif entry.kind in UNITS_OUT:
            delta = -(entry.units or 0)
        if not delta and entry.kind not in INCOME:
            continue
        line = lines.setdefault(entry.offering.pk, HoldingLine(offering=entry.offering))
        if not in_period:
            line.opening += delta
        elif delta > 0:
            line.units_in += delta
        else:
            line.units_out -= delta
        if in_period and entry.kind in INCOME and entry.amount is not None:
            line.income += entry.amount
    statement.holdings = sorted(
        (line for line in lines.values() if line.opening or line.units_in or line.units_out or line.income),
        key=lambda line: (line.offering.application.title, line.offering.pk),
    )
    return statement


TRANSACTIONS_CSV_HEADER = [
    "date",
    "type",
    "offering",
    "units",
    "currency",
    "amount",
    "refund",
    "status",
    "transaction_hash",
    "block",
]
HOLDINGS_CSV_HEADER = [
    "offering",
    "token",
    "currency",
    "units_at_start",
    "units_in",
    "units_out",
    "units_at_end",
    "unit_price",
    "nominal_value_at_end",
    "payments_received_in_period",
    "period_start",
    "period_end",
]


def transactions_csv_rows(statement: Statement) -> Iterator[list[object]]:
    for entry in statement.entries:
        yield [
            day(entry.at),
            entry.label,
            entry.title,
            "" if entry.units is None else entry.units,
            entry.currency or "",
            plain(entry.amount),
            plain(entry.refund),
            entry.status_label,
            entry.tx_hash,
            "" if entry.block_number is None else entry.block_number,
        ]


def holdings_csv_rows(statement: Statement) -> Iterator[list[object]]:
    for line in statement.holdings:
        offering = line.offering
        yield [
            offering.application.title,
            offering.token.address if offering.token else "",
            offering.currency,
            line.opening,
            line.units_in,
            line.units_out,
            line.closing,
            plain(offering.unit_price),
            plain(line.value),
            plain(line.income),
            statement.start.isoformat(),
            statement.end.isoformat(),
        ]


def _period_details(statement: Statement) -> list[tuple[str, str]]:
    return [
        (_("Investor"), f"{_investor_name(statement.investor)} ({statement.investor.email})"),
        (_("Period"), _("%(start)s to %(end)s") % {"start": day(statement.start), "end": day(statement.end)}),
    ]


def transactions_pdf(statement: Statement) -> PdfDocument:
    return PdfDocument(
        title=_("Transactions statement"),
        reference=statement.reference.replace("ST-", "TX-"),
        details=_period_details(statement),
        tables=[
            PdfTable(
                heading=_("Transactions in the period, oldest first"),
                columns=[_("Date"), _("Type"), _("Offering"), _("Units"), _("Amount"), _("Transaction")],
                rows=[
                    [
                        day(e.at),
                        e.label + (f" ({e.status_label})" if e.status_label else ""),
                        e.title,
                        "" if e.units is None else f"{e.units:,}",
                        f"{e.currency} {money(e.amount)}" if e.amount is not None and e.currency else "",
                        e.tx_hash[:18] + "…" if e.tx_hash else "",
                    ]
                    for e in statement.entries
                ],
                numeric=(3, 4),
                widths=(1.5, 3, 2.2, 0.8, 1.7, 1.6),
                empty=_("No transactions in this period."),
            )
        ],
        notes=[
            _(
                "Dates are when the platform saw each transaction confirmed on chain (subscriptions: when "
                "they were asked for). The CSV of this statement has the full transaction hashes."
            )
        ],
    )


def holdings_pdf(statement: Statement) -> PdfDocument:
    by_currency: dict[str, Decimal] = {}
    for line in statement.holdings:
        by_currency[line.offering.currency] = by_currency.get(line.offering.currency, Decimal(0)) + line.value
    return PdfDocument(
        title=_("Holdings statement"),
        reference=statement.reference.replace("ST-", "HS-"),
        details=[
            *_period_details(statement),
            *[
                (_("Nominal value at end (%(currency)s)") % {"currency": c}, money(v))
                for c, v in by_currency.items()
            ],
        ],
        tables=[
            PdfTable(
                heading=_("Units held per offering"),
                columns=[
                    _("Offering"),
                    _("At start"),
                    _("In"),
                    _("Out"),
                    _("At end"),
                    _("Unit price"),
                    _("Nominal value"),
                    _("Received"),
                ],
                rows=[
                    [
                        line.offering.application.title,
                        f"{line.opening:,}",
                        f"{line.units_in:,}",
                        f"{line.units_out:,}",
                        f"{line.closing:,}",
                        f"{line.offering.currency} {money(line.offering.unit_price)}",
                        f"{line.offering.currency} {money(line.value)}",
                        f"{line.offering.currency} {money(line.income)}",
                    ]
                    for line in statement.holdings
                ],
                numeric=(1, 2, 3, 4, 5, 6, 7),
                widths=(2.6, 0.8, 0.7, 0.7, 0.8, 1.4, 1.6, 1.4),
                empty=_("No holdings in this period."),
            )
        ],
        notes=[
            _(
                "Units come from the chain's events as the platform indexed them; the nominal value is the "
                "units at their issue price (the platform quotes no market price). Received: payments to you "
                "in the period (coupons, instalments, dividends)."
            )
        ],
    )


# ---- schedules --------------------------------------------------------------------------------------


def application_for_schedule(user: User, application_id: int) -> tuple[Application, Schedule]:
    """The application (its SME's or, once submitted, staff's) with its schedule; equity has none."""
    application = applications_visible_to(user).filter(pk=application_id).first()
    if application is None:
        raise NotFound(_("No such application."))
    schedule = application_schedule(application)
    if schedule is None:
        raise Conflict(_("This application has no payment schedule (shares pay dividends when declared)."))
    return application, schedule


def offering_for_schedule(user: User, offering_id: int) -> tuple[Application, Schedule]:
    """An offering's schedule: its application's terms (its SME and staff only)."""
    if user.role not in (Role.SME, *STAFF_ROLES):
        raise NotFound(_("No such offering."))
    offering = offerings_visible_to(user).filter(pk=offering_id).first()
    if offering is None:
        raise NotFound(_("No such offering."))
    return application_for_schedule_of(offering.application)


def application_for_schedule_of(application: Application) -> tuple[Application, Schedule]:
    schedule = application_schedule(application)
    if schedule is None:
        raise Conflict(_("This offering has no payment schedule (shares pay dividends when declared)."))
    return application, schedule


SCHEDULE_CSV_HEADER = ["period", "date", "currency", "principal", "interest", "payment", "outstanding"]


def schedule_csv_rows(schedule: Schedule) -> Iterator[list[object]]:
    for row in schedule.rows:
        yield [
            row.period,
            row.date.isoformat(),
            schedule.currency,
            plain(row.principal),
            plain(row.interest),
            plain(row.payment),
            plain(row.outstanding),
        ]


def schedule_pdf(application: Application, schedule: Schedule) -> PdfDocument:
    totals = schedule.totals
    terms = application.terms
    reference = _offering_reference(application.offering) if hasattr(application, "offering") else ""
    return PdfDocument(
        title=_("Payment schedule"),
        reference=reference or f"APP-{application.pk:05d}",
        details=[
            (_("Application"), f"{application.title} (#{application.pk})"),
            (_("Issuer"), application.company.legal_name_en),
            (_("Instrument"), str(application.get_instrument_display())),
            (_("Amount raised"), f"{application.currency} {money(application.target_amount)}"),
            (_("Unit price"), f"{application.currency} {money(terms.unit_price)}"),
            (_("Status"), str(application.get_status_display())),
        ],
        tables=[
            PdfTable(
                heading=_("Cash flows (%(currency)s)") % {"currency": schedule.currency},
                columns=[
                    _("Period"),
                    _("Date"),
                    _("Principal"),
                    _("Interest"),
                    _("Payment"),
                    _("Outstanding"),
                ],
                rows=[
                    [
                        row.period,
                        day(row.date),
                        money(row.principal),
                        money(row.interest),
                        money(row.payment),
                        money(row.outstanding),
                    ]
                    for row in schedule.rows
                ],
                total=[
                    _("Total"),
                    "",
                    money(totals.principal),
                    money(totals.interest),
                    money(totals.payment),
                    "",
                ],
                numeric=(0, 2, 3, 4, 5),
                widths=(0.8, 1.4, 1.6, 1.6, 1.6, 1.6),
            )
        ],
        notes=[
            _(
                "The schedule of the whole raise under the application's terms, dates moved to Hong Kong "
                "business days. Once the offering settles, the payment calendar on its dashboard uses the "
                "amount actually raised."
            )
        ],
    )
