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
from collections.abc import Iterable
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext
from eth_abi import encode as abi_encode
from eth_utils import keccak

from accounts.choices import Role
from accounts.models import User
from compliance.audit import audit_record, audit_record_many, status_transition_many
from compliance.models import AuditEvent, InvestorProfile
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from financing import notices, travel
from financing.choices import (
    FUNDABLE_PAYMENT_STATUSES,
    OFFERING_TRANSITIONS,
    PAID_PAYMENT_STATUSES,
    PAYMENT_TRANSITIONS,
    SERVICED_OFFERING_STATUSES,
    AllotmentStatus,
    Instrument,
    OfferingStatus,
    PaymentKind,
    PaymentStatus,
)
from financing.models import Allotment, Offering, OfferingPayment, PaymentHolder, UnitRedemption
from financing.payouts import split_pro_rata
from financing.schedules import ScheduleRow, build_schedule, to_minor
from financing.services.common import base_units, token_address
from financing.trade.services import trade_documents_release
from tokens import chain, signer
from tokens import services as token_services
from tokens.chain import ChainUnavailable
from tokens.choices import ContractKind
from tokens.indexer.stream import chain_index_to_head
from tokens.models import ChainTransaction, OperatorAlert, TokenHolding
from tokens.reasons import explain_failure
from tokens.selectors import payment_balance, payment_token_domain, platform_contract

INTENT_FUND_DISTRIBUTION = "fund_distribution"
INTENT_PAY_DISTRIBUTION = "pay_distribution"
INTENT_CLOSE_DISTRIBUTION = "close_distribution"
INTENT_REDEEM_UNITS = "redeem_units"
ALERT_PAYMENT_LATE = "payment_late"
ALERT_SERVICING = "servicing_refused"

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
        elif instrument in (Instrument.LOAN, Instrument.TRADE):
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


# --- dividends (equity) -------------------------------------------------------------------------------


def _own_offering(actor: User, offering_id: int) -> Offering:
    """The offering of the actor's company (an SME representative); others get no hint it exists."""
    if actor.role != Role.SME:
        raise PermissionDenied(gettext("Only the issuer's representative does this."))
    offering = (
        Offering.objects.select_related("token", "application__company__wallet")
        .filter(pk=offering_id, application__company__representative=actor)
        .first()
    )
    if offering is None:
        raise NotFound(gettext("No such offering."))
    return offering


@transaction.atomic
def dividend_declare(
    *,
    actor: User,
    offering_id: int,
    amount: Decimal,
    record_date: dt.date,
    payment_date: dt.date,
    today: dt.date | None = None,
) -> OfferingPayment:
    """The SME declares a dividend on its settled equity offering: a total amount paid to the holders
    at the record date, pro rata to their shares, on the payment date (after the SME funds it)."""
    today = today or timezone.localdate()
    offering = _own_offering(actor, offering_id)
    if offering.application.instrument != Instrument.EQUITY:
        raise Conflict(gettext("Dividends are declared on shares; this offering pays on its schedule."))
    if offering.status not in SERVICED_OFFERING_STATUSES:
        raise Conflict(gettext("Dividends are declared once the offering has settled, until it is closed."))
    errors: dict[str, str] = {}
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = gettext("Give a positive amount in whole cents.")
    if record_date < today:
        errors["record_date"] = gettext("The record date cannot be in the past.")
    if payment_date < record_date:
        errors["payment_date"] = gettext("The payment date is on or after the record date.")
    if errors:
        raise ValidationFailed(gettext("Check the dividend's amount and dates."), fields=errors)
    units = settled_units(offering)
    if units == 0:
        raise Conflict(gettext("No shares were issued in this offering."))
    Offering.objects.select_for_update().filter(pk=offering.pk).first()  # one declaration at a time
    sequence = (
        OfferingPayment.objects.filter(offering=offering).aggregate(last=Max("sequence"))["last"] or 0
    ) + 1
    payment = OfferingPayment.objects.create(
        offering=offering,
        kind=PaymentKind.DIVIDEND,
        sequence=sequence,
        due_date=payment_date,
        record_date=record_date,
        currency=offering.currency,
        amount=amount,
        units=units,
        per_unit=per_unit(amount, units),
        declared_by=actor,
    )
    audit_record(
        actor=actor,
        action="dividend_declared",
        obj=payment,
        to_status=payment.status,
        data={"amount": str(amount), "record_date": str(record_date), "payment_date": str(payment_date)},
    )
    return payment


# --- funding by the issuer ------------------------------------------------------------------------------


def default_interest(payment: OfferingPayment, today: dt.date) -> Decimal:
    """Default interest on a late payment: amount x SERVICING_DEFAULT_INTEREST_RATE x days late / 365,
    counted from the due date once the grace days have passed (none within them), to the cent."""
    if today <= payment.due_date + timedelta(days=settings.SERVICING_GRACE_DAYS):
        return Decimal("0.00")
    days = (today - payment.due_date).days
    return to_minor(payment.amount * settings.SERVICING_DEFAULT_INTEREST_RATE * days / 365, payment.currency)


def amount_due(payment: OfferingPayment, today: dt.date | None = None) -> Decimal:
    """What the issuer must fund for `payment` on `today`: the scheduled amount plus default interest."""
    return payment.amount + default_interest(payment, today or timezone.localdate())


def _payment_of_issuer(actor: User, payment_id: int) -> OfferingPayment:
    if actor.role != Role.SME:
        raise PermissionDenied(gettext("Only the issuer's representative funds its payments."))
    payment = (
        OfferingPayment.objects.select_related("offering__token", "offering__application__company__wallet")
        .filter(pk=payment_id, offering__application__company__representative=actor)
        .first()
    )
    if payment is None:
        raise NotFound(gettext("No such payment."))
    return payment


def _refuse_unless_fundable(payment: OfferingPayment) -> None:
    if payment.status not in FUNDABLE_PAYMENT_STATUSES:
        state = payment.get_status_display().lower()
        raise Conflict(gettext("This payment is %(state)s; it is funded once only.") % {"state": state})
    if payment.offering.status not in SERVICED_OFFERING_STATUSES:
        raise Conflict(gettext("This offering is not being serviced."))


def payment_fund(
    *, actor: User, payment_id: int, amount: Decimal, today: dt.date | None = None
) -> OfferingPayment:
    """The issuer funds one payment: its custodial wallet authorises exactly the amount due (EIP-3009,
    `Settlement.fundDistribution`), which the settler relays. A different amount, a payment funded
    already, or a wallet that does not hold enough is refused, and nothing changes."""
    today = today or timezone.localdate()
    payment = _payment_of_issuer(actor, payment_id)
    _refuse_unless_fundable(payment)
    due = amount_due(payment, today)
    if amount != due:
        raise ValidationFailed(
            gettext("This payment needs exactly %(currency)s %(due)s.")
            % {"currency": payment.currency, "due": format(due, ",.2f")},
            fields={"amount": gettext("Fund exactly %(due)s.") % {"due": format(due, ".2f")}},
        )
    offering = payment.offering
    wallet = offering.application.company.wallet
    if wallet is None:
        raise Conflict(gettext("Your company has no wallet yet; it is created when the company is verified."))
    token_address(offering)
    # Chain reads first, with no transaction open.
    balance = payment_balance(wallet.address, payment.currency)
    domain = payment_token_domain(payment.currency)
    settlement = platform_contract(ContractKind.SETTLEMENT)
    in_flight = OfferingPayment.objects.filter(
        offering__application__company=offering.application.company, status=PaymentStatus.FUNDING
    ).aggregate(total=Sum("funded_amount"))["total"] or Decimal("0")
    if balance < in_flight + due:
        raise ValidationFailed(
            gettext(
                "Your company's wallet holds %(currency)s %(balance)s; this payment "
                "needs %(currency)s %(due)s on top of %(currency)s %(in_flight)s "
                "already on its way."
            )
            % {
                "currency": payment.currency,
                "balance": format(balance, ",.2f"),
                "due": format(due, ",.2f"),
                "in_flight": format(in_flight, ",.2f"),
            },
            fields={"amount": gettext("Not enough in your company's wallet.")},
        )
    with transaction.atomic():
        locked = OfferingPayment.objects.select_for_update().get(pk=payment.pk)
        locked.offering = offering
        _refuse_unless_fundable(locked)
        authorised_until = timezone.now() + timedelta(seconds=settings.PAYMENT_AUTHORISATION_SECONDS)
        status_transition_many(
            [locked],
            to=PaymentStatus.FUNDING,
            transitions=PAYMENT_TRANSITIONS,
            actor=actor,
            data={"amount": str(due)},
            extra={
                "funded_amount": due,
                "default_interest": due - locked.amount,
                "funded_base_units": base_units(due),
                "authorised_until": authorised_until,
                "failure_reason": "",
            },
        )
        v, r, s = signer.sign_distribution_authorisation(
            purpose=locked, domain=domain, settlement_address=str(settlement.address)
        )
        tx = token_services.contract_call(
            target=settlement,
            function="fundDistribution",
            args=[
                offering.token.address,  # type: ignore[union-attr]
                locked.distribution_id,
                base_units(due),
                int(authorised_until.timestamp()),
                v,
                r,
                s,
            ],
            intent=INTENT_FUND_DISTRIBUTION,
            key=f"servicing:fund:{locked.pk}:{int(authorised_until.timestamp())}",
            reference=f"fund payment {locked.pk} ({locked}) from the issuer",
            subject_address=wallet.address,
        )
        OfferingPayment.objects.filter(pk=locked.pk).update(funding_transaction=tx)
        locked.funding_transaction = tx
        locked.funded_amount = due
        travel.distribution_funding_legs(tx, locked)
    return locked


def _payment_of(tx: ChainTransaction, field: str) -> OfferingPayment | None:
    return (
        OfferingPayment.objects.select_for_update(of=("self",))
        .select_related("offering")
        .filter(**{field: tx})
        .first()
    )


def payment_funded(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The issuer's money is in the distribution's escrow."""
    payment = _payment_of(tx, "funding_transaction")
    if payment is None or payment.status != PaymentStatus.FUNDING:
        return
    status_transition_many(
        [payment],
        to=PaymentStatus.FUNDED,
        transitions=PAYMENT_TRANSITIONS,
        actor=None,
        data={"tx_hash": tx.tx_hash},
        extra={"funded_at": timezone.now()},
    )


def payment_funding_failed(tx: ChainTransaction) -> None:
    """The chain refused the funding: the payment waits for funding again, with the reason."""
    payment = _payment_of(tx, "funding_transaction")
    if payment is None or payment.status != PaymentStatus.FUNDING:
        return
    reason = explain_failure(tx.error)
    back = PaymentStatus.AWAITING_FUNDING if payment.funding_requested_at else PaymentStatus.SCHEDULED
    if payment.late_since is not None:
        back = PaymentStatus.LATE
    status_transition_many(
        [payment],
        to=back,
        transitions=PAYMENT_TRANSITIONS,
        actor=None,
        reason=reason,
        extra={
            "failure_reason": reason,
            "funded_amount": None,
            "funded_base_units": None,
            "default_interest": Decimal("0"),
        },
    )


# --- the beat: notices, lateness, snapshots, payouts, redemption -----------------------------------------


@dataclasses.dataclass
class ServicingRun:
    """What one run did."""

    notices: int = 0
    late: int = 0
    snapshots: int = 0
    payouts: int = 0
    redemptions: int = 0
    refusals: list[str] = dataclasses.field(default_factory=list)


def servicing_run(*, today: dt.date | None = None) -> ServicingRun:
    """One pass of servicing for `today` (Celery beat; safe to run again, or after a kill)."""
    today = today or timezone.localdate()
    run = ServicingRun()
    run.notices = _funding_notices(today)
    run.late = _late_payments(today)
    run.snapshots = _record_date_snapshots(today, run)
    run.payouts = _queue_payouts(today)
    run.redemptions = _queue_redemptions(run)
    return run


def _email_issuers(payments: list[OfferingPayment], today: dt.date, *, late: bool) -> None:
    """Tell each issuer's representative what to fund (under the bell, and by email after the commit)."""
    notices.payments_due(payments, today, late=late)


def _offering_move(offerings: Iterable[Offering], to: OfferingStatus, audit: list[AuditEvent]) -> None:
    moving = [o for o in offerings if o.status != to and to in OFFERING_TRANSITIONS[OfferingStatus(o.status)]]
    for status in {o.status for o in moving}:
        status_transition_many(
            [o for o in moving if o.status == status],
            to=to,
            transitions=OFFERING_TRANSITIONS,
            actor=None,
            audit=audit,
        )


def _lock_offerings(ids: Iterable[int]) -> list[Offering]:
    return list(Offering.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk"))


@transaction.atomic
def _funding_notices(today: dt.date) -> int:
    """Payments due within SERVICING_FUNDING_NOTICE_DAYS now await the issuer's funding."""
    horizon = today + timedelta(days=settings.SERVICING_FUNDING_NOTICE_DAYS)
    payments = list(
        OfferingPayment.objects.select_for_update()
        .filter(
            status=PaymentStatus.SCHEDULED,
            due_date__lte=horizon,
            offering__status__in=SERVICED_OFFERING_STATUSES,
        )
        .order_by("pk")
    )
    if not payments:
        return 0
    audit: list[AuditEvent] = []
    status_transition_many(
        payments,
        to=PaymentStatus.AWAITING_FUNDING,
        transitions=PAYMENT_TRANSITIONS,
        actor=None,
        extra={"funding_requested_at": timezone.now()},
        audit=audit,
    )
    offerings = _lock_offerings(p.offering_id for p in payments)
    _offering_move(
        [o for o in offerings if o.status == OfferingStatus.SETTLED], OfferingStatus.SERVICING, audit
    )
    audit_record_many(audit)
    _email_issuers(payments, today, late=False)
    return len(payments)


@transaction.atomic
def _late_payments(today: dt.date) -> int:
    """Unfunded SERVICING_GRACE_DAYS after the due date: late. Staff are alerted, holders see it, the
    offering is in arrears until the payment is paid."""
    cutoff = today - timedelta(days=settings.SERVICING_GRACE_DAYS)
    payments = list(
        OfferingPayment.objects.select_for_update(of=("self",))
        .select_related("offering__application")
        .filter(
            status__in=(PaymentStatus.SCHEDULED, PaymentStatus.AWAITING_FUNDING),
            due_date__lt=cutoff,
            offering__status__in=SERVICED_OFFERING_STATUSES,
        )
        .order_by("pk")
    )
    if not payments:
        return 0
    audit: list[AuditEvent] = []
    for status in {p.status for p in payments}:
        group = [p for p in payments if p.status == status]
        status_transition_many(
            group,
            to=PaymentStatus.LATE,
            transitions=PAYMENT_TRANSITIONS,
            actor=None,
            data_for=lambda p: {"due_date": str(p.due_date)},
            extra={"late_since": today},
            audit=audit,
        )
    OperatorAlert.objects.bulk_create(
        [
            OperatorAlert(
                kind=ALERT_PAYMENT_LATE,
                key=f"servicing:late:{p.pk}",
                message=(
                    f"{p.get_kind_display()} {p.sequence} of {p.offering} ({p.currency} {p.amount:,.2f}, "
                    f"due {p.due_date:%d %b %Y}) is not funded by the issuer "
                    f"{settings.SERVICING_GRACE_DAYS} days after its due date; the offering is in arrears "
                    f"and default interest accrues."
                ),
            )
            for p in payments
        ],
        ignore_conflicts=True,
    )
    _offering_move(_lock_offerings(p.offering_id for p in payments), OfferingStatus.IN_ARREARS, audit)
    audit_record_many(audit)
    _email_issuers(payments, today, late=True)
    return len(payments)


def _alert(key: str, message: str, run: ServicingRun | None = None) -> None:
    OperatorAlert.objects.get_or_create(key=key, defaults={"kind": ALERT_SERVICING, "message": message})
    logger.warning("servicing refused: %s", message)
    if run is not None:
        run.refusals.append(message)


def _record_date_snapshots(today: dt.date, run: ServicingRun) -> int:
    """Holders at the record date: the event index is brought to the chain head (refused if it cannot),
    its holdings of the token must add up to the token's total supply (read from the chain), and they
    are stored as the payment's holders with the indexed block."""
    waiting = list(
        OfferingPayment.objects.select_related("offering__token")
        .filter(record_block__isnull=True, record_date__lte=today)
        .exclude(status__in=PAID_PAYMENT_STATUSES)
        .filter(offering__status__in=SERVICED_OFFERING_STATUSES)
        .order_by("pk")
    )
    if not waiting:
        return 0
    try:
        indexed = chain_index_to_head()
    except (ChainUnavailable, RuntimeError) as exc:
        _alert(
            f"servicing:index:{today}",
            f"Record-date snapshots wait: the chain index cannot reach the head ({exc}).",
            run,
        )
        return 0
    done = 0
    supplies: dict[str, int] = {}
    for payment in waiting:
        token = token_address(payment.offering)
        if token not in supplies:
            supplies[token] = int(chain.call("SecurityToken", token, "totalSupply"))
        holdings = dict(
            TokenHolding.objects.filter(
                chain_id=chain.chain_id(), token_address=token, units__gt=0
            ).values_list("wallet", "units")
        )
        if sum(holdings.values()) != supplies[token]:
            _alert(
                f"servicing:snapshot:{payment.pk}:{indexed.to_block}",
                f"The holders of {payment.offering} in the index ({sum(holdings.values())} units) do not "
                f"add up to the token's supply ({supplies[token]}); payment {payment.pk} waits for "
                "reconciliation.",
                run,
            )
            continue
        if _snapshot(payment.pk, holdings, indexed.to_block):
            done += 1
    return done


@transaction.atomic
def _snapshot(payment_id: int, holdings: dict[str, int], block: int) -> bool:
    payment = OfferingPayment.objects.select_for_update().get(pk=payment_id)
    if payment.record_block is not None:
        return False
    investors = dict(
        InvestorProfile.objects.filter(wallet__address__in=list(holdings)).values_list(
            "wallet__address", "user_id"
        )
    )
    PaymentHolder.objects.bulk_create(
        [
            PaymentHolder(payment=payment, wallet=wallet, units=units, investor_id=investors.get(wallet))
            for wallet, units in sorted(holdings.items())
        ]
    )
    held = sum(holdings.values())
    OfferingPayment.objects.filter(pk=payment.pk).update(
        record_block=block, units=held, updated_at=timezone.now()
    )
    return True


def payout_id_for(distribution_id: int, batch: int) -> int:
    """The Settlement payout id of one batch of a distribution: the same on every run, used once on chain."""
    return int.from_bytes(keccak(abi_encode(["uint256", "uint256"], [distribution_id, batch])), "big")


def _queue_payouts(today: dt.date) -> int:
    """Funded, snapshotted and due: each holder's share (largest remainder to the base unit, summing to
    exactly what was funded) queued in batches under deterministic payout ids."""
    ready = list(
        OfferingPayment.objects.filter(
            status=PaymentStatus.FUNDED, record_block__isnull=False, due_date__lte=today
        ).values_list("pk", flat=True)
    )
    return sum(1 for pk in ready if _queue_payout(pk))


@transaction.atomic
def _queue_payout(payment_id: int) -> bool:
    payment = (
        OfferingPayment.objects.select_for_update(of=("self",))
        .select_related("offering__token", "offering__application__company__wallet")
        .get(pk=payment_id)
    )
    if payment.status != PaymentStatus.FUNDED or payment.funded_base_units is None:
        return False
    holders = list(PaymentHolder.objects.select_for_update().filter(payment=payment).order_by("wallet"))
    shares = split_pro_rata(int(payment.funded_base_units), {h.wallet: h.units for h in holders})
    size = settings.SERVICING_PAYOUT_BATCH_SIZE
    settlement = platform_contract(ContractKind.SETTLEMENT)
    distribution = payment.distribution_id
    for batch, start in enumerate(range(0, len(holders), size)):
        members = holders[start : start + size]
        tx = token_services.contract_call(
            target=settlement,
            function="payout",
            args=[
                payout_id_for(distribution, batch),
                distribution,
                [chain.to_checksum(h.wallet) for h in members],
                [shares[h.wallet] for h in members],
            ],
            intent=INTENT_PAY_DISTRIBUTION,
            key=f"servicing:payout:{payment.pk}:{batch}",
            reference=f"pay {len(members)} holders of payment {payment.pk} (batch {batch})",
        )
        for h in members:
            h.amount_base_units = Decimal(shares[h.wallet])
            h.batch = batch
            h.payout_transaction = tx
        PaymentHolder.objects.bulk_update(members, ["amount_base_units", "batch", "payout_transaction"])
        travel.distribution_legs(tx, payment, members)
    status_transition_many(
        [payment],
        to=PaymentStatus.PAYING,
        transitions=PAYMENT_TRANSITIONS,
        actor=None,
        data={"holders": len(holders)},
    )
    return True


def payout_paid(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """One batch paid: its holders are marked; when every batch is paid the payment is paid, the
    distribution is closed, and the offering leaves arrears (or matures after its last payment)."""
    now = timezone.now()
    arriving = list(
        PaymentHolder.objects.filter(payout_transaction=tx, paid_at__isnull=True).select_related(
            "investor", "payment__offering__application"
        )
    )
    PaymentHolder.objects.filter(pk__in=[h.pk for h in arriving]).update(paid_at=now)
    notices.payout_received(arriving)
    payment_id = (
        PaymentHolder.objects.filter(payout_transaction=tx).values_list("payment_id", flat=True).first()
    )
    if payment_id is None:
        return
    payment = (
        OfferingPayment.objects.select_for_update(of=("self",))
        .select_related("offering__token", "offering__application__company__wallet")
        .get(pk=payment_id)
    )
    if (
        payment.status != PaymentStatus.PAYING
        or PaymentHolder.objects.filter(payment=payment, paid_at__isnull=True).exists()
    ):
        return
    audit: list[AuditEvent] = []
    status_transition_many(
        [payment],
        to=PaymentStatus.PAID,
        transitions=PAYMENT_TRANSITIONS,
        actor=None,
        extra={"paid_at": now},
        audit=audit,
    )
    notices.payment_paid(payment)
    close = token_services.contract_call(
        target=platform_contract(ContractKind.SETTLEMENT),
        function="closeDistribution",
        args=[payment.distribution_id],
        intent=INTENT_CLOSE_DISTRIBUTION,
        key=f"servicing:close:{payment.pk}",
        reference=f"close the distribution of payment {payment.pk}",
    )
    OfferingPayment.objects.filter(pk=payment.pk).update(close_transaction=close)
    (offering,) = _lock_offerings([payment.offering_id])
    unpaid = OfferingPayment.objects.filter(offering=offering).exclude(status__in=PAID_PAYMENT_STATUSES)
    if not unpaid.filter(status=PaymentStatus.LATE).exists() and offering.status == OfferingStatus.IN_ARREARS:
        _offering_move([offering], OfferingStatus.SERVICING, audit)
    if offering.application.instrument != Instrument.EQUITY and not unpaid.exists():
        _offering_move([offering], OfferingStatus.MATURED, audit)
        trade_documents_release(offering)  # the buyer's repayment frees its documents on chain
    audit_record_many(audit)


def payout_failed(tx: ChainTransaction) -> None:
    """The chain refused a payout batch (a holder left entirely after the record date, say): staff see it."""
    payment_id = (
        PaymentHolder.objects.filter(payout_transaction=tx).values_list("payment_id", flat=True).first()
    )
    reason = explain_failure(tx.error)
    if payment_id is not None:
        OfferingPayment.objects.filter(pk=payment_id).update(failure_reason=reason, updated_at=timezone.now())
    _alert(f"servicing:payout:{tx.pk}", f"A payout of payment {payment_id} was refused on chain: {reason}")


def distribution_closed(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """Nothing is left in the distribution's escrow (the shares summed to what was funded)."""
    payment = _payment_of(tx, "close_transaction")
    if payment is None or payment.status != PaymentStatus.PAID:
        return
    status_transition_many(
        [payment],
        to=PaymentStatus.CLOSED,
        transitions=PAYMENT_TRANSITIONS,
        actor=None,
        data={"tx_hash": tx.tx_hash},
    )


def distribution_close_failed(tx: ChainTransaction) -> None:
    payment = _payment_of(tx, "close_transaction")
    _alert(
        f"servicing:close:{tx.pk}",
        f"Closing the distribution of payment {payment and payment.pk} failed: {tx.error}",
    )


def _queue_redemptions(run: ServicingRun) -> int:
    """Matured offerings: every holder's units are redeemed and burned through the platform timelock
    (`redeemTokens` is the token agent's power, held by the timelock)."""
    matured = list(
        Offering.objects.select_related("token")
        .filter(status=OfferingStatus.MATURED)
        .exclude(pk__in=UnitRedemption.objects.values("offering_id"))
        .order_by("pk")
    )
    if not matured:
        return 0
    try:
        indexed = chain_index_to_head()
    except (ChainUnavailable, RuntimeError) as exc:
        _alert(
            f"servicing:index:redeem:{timezone.localdate()}",
            f"Redemptions wait for the chain index ({exc}).",
            run,
        )
        return 0
    queued = 0
    for offering in matured:
        token = token_address(offering)
        supply = int(chain.call("SecurityToken", token, "totalSupply"))
        holdings = dict(
            TokenHolding.objects.filter(
                chain_id=chain.chain_id(), token_address=token, units__gt=0
            ).values_list("wallet", "units")
        )
        if sum(holdings.values()) != supply:
            _alert(
                f"servicing:redeem:{offering.pk}:{indexed.to_block}",
                f"The holders of {offering} in the index do not add up to the token's supply; "
                "redemption waits.",
                run,
            )
            continue
        queued += _redeem(offering.pk, holdings)
    return queued


@transaction.atomic
def _redeem(offering_id: int, holdings: dict[str, int]) -> int:
    (offering,) = _lock_offerings([offering_id])
    if offering.status != OfferingStatus.MATURED or UnitRedemption.objects.filter(offering=offering).exists():
        return 0
    if not holdings:
        audit: list[AuditEvent] = []
        _offering_move([offering], OfferingStatus.REDEEMED, audit)
        audit_record_many(audit)
        return 0
    assert offering.token is not None
    for wallet, units in sorted(holdings.items()):
        tx = token_services.admin_operation_propose(
            target=offering.token,
            function="redeemTokens",
            args=[chain.to_checksum(wallet), units],
            key=f"servicing:redeem:{offering.pk}:{wallet.lower()}",
            reference=f"redeem and burn {units} units of {offering} held by {wallet}",
            subject_address=wallet,
        )
        UnitRedemption.objects.create(offering=offering, wallet=wallet, units=units, proposal_transaction=tx)
    return len(holdings)


def units_redeemed(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """One holder's units are burned; when every holder's are, the offering is redeemed and closed."""
    call = chain.decode_call("PlatformTimelock", tx.data)
    redeemed = chain.decode_call("SecurityToken", call["payload"])
    token = chain.to_checksum(call["target"])
    redemption = (
        UnitRedemption.objects.select_for_update()
        .filter(offering__token__address=token, wallet__iexact=str(redeemed["holder"]))
        .first()
    )
    if redemption is None or redemption.redeemed_at is not None:
        return
    UnitRedemption.objects.filter(pk=redemption.pk).update(redeemed_at=timezone.now())
    (offering,) = _lock_offerings([redemption.offering_id])
    if (
        offering.status == OfferingStatus.MATURED
        and not UnitRedemption.objects.filter(offering=offering, redeemed_at__isnull=True).exists()
    ):
        audit: list[AuditEvent] = []
        _offering_move([offering], OfferingStatus.REDEEMED, audit)
        audit_record_many(audit)


def units_redemption_failed(tx: ChainTransaction) -> None:
    _alert(
        f"servicing:redeem-failed:{tx.pk}",
        f"A redemption at maturity failed on chain: {tx.error} ({tx.reference}).",
    )
