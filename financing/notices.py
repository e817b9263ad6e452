"""What financing's status changes tell the people they concern (in-app and by email,
`accounts.notifications`): the SME of an application or offering, its subscribed investors, its holders.

Each function is called inside the transaction of the change and reads its recipients once, whatever
their number.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import NotificationKind
from accounts.models import User
from accounts.notifications import notify
from financing.choices import ApplicationStatus, OfferingStatus, SubscriptionStatus
from financing.models import Allotment, Application, Offering, OfferingPayment, PaymentHolder, Transfer


def _money(currency: str, amount: Decimal) -> str:
    """The amount with its currency: to the cent, or to the payment token's base unit when finer."""
    exact = amount.normalize()
    places = max(2, -int(exact.as_tuple().exponent))
    return f"{currency} {amount:,.{places}f}"


def _representative(offering: Offering) -> User:
    return User.objects.get(company__applications__offering=offering)


def _subscribers(offering: Offering, statuses: Iterable[str]) -> QuerySet[User]:
    return User.objects.filter(
        subscriptions__offering=offering, subscriptions__status__in=list(statuses)
    ).distinct()


def application_decided(application: Application) -> None:
    """The SME learns that its application was approved, rejected or sent back for changes (and why)."""
    texts = {
        ApplicationStatus.APPROVED: (
            _("Application approved: %(title)s"),
            _("Compliance approved your application. Its offering is being set up and opens once ready."),
        ),
        ApplicationStatus.REJECTED: (
            _("Application rejected: %(title)s"),
            _("Compliance rejected your application. Reason: %(reason)s"),
        ),
        ApplicationStatus.CHANGES_REQUESTED: (
            _("Changes requested: %(title)s"),
            _("Compliance asks you to change your application and submit it again. Reason: %(reason)s"),
        ),
    }
    if application.status not in texts:
        return
    title, body = texts[ApplicationStatus(application.status)]
    notify(
        User.objects.get(company__applications=application),
        kind=NotificationKind.APPLICATION_DECIDED,
        title=title,
        body=body,
        link=reverse("financing:application_detail", kwargs={"pk": application.pk}),
        params={"title": application.title, "reason": application.decision_reason},
    )


def offering_moved(offering: Offering, to: str, *, reason: str = "") -> None:
    """Opened: the SME. Closed or cancelled: the SME and every investor still subscribed. Settled: the SME."""
    if to not in (
        OfferingStatus.OPEN,
        OfferingStatus.ALLOTTING,
        OfferingStatus.CANCELLED,
        OfferingStatus.SETTLED,
    ):
        return
    link = reverse("financing:offering_detail", kwargs={"pk": offering.pk})
    params = {"offering": str(offering.application.title), "reason": reason}
    if to == OfferingStatus.OPEN:
        notify(
            _representative(offering),
            kind=NotificationKind.OFFERING_OPENED,
            title=_("Offering open: %(offering)s"),
            body=_("Your offering is open for subscriptions; investors can subscribe until it closes."),
            link=link,
            params=params,
        )
    elif to == OfferingStatus.ALLOTTING:
        people = [_representative(offering), *_subscribers(offering, [SubscriptionStatus.ACTIVE])]
        notify(
            people,
            kind=NotificationKind.OFFERING_CLOSED,
            title=_("Offering closed: %(offering)s"),
            body=_(
                "Subscriptions are closed. Units are being allotted (pro rata if the offering was "
                "oversubscribed) and settled from escrow; each investor is told when their units arrive."
            ),
            link=link,
            params=params,
        )
    elif to == OfferingStatus.CANCELLED:
        people = [
            _representative(offering),
            *_subscribers(offering, [SubscriptionStatus.ACTIVE, SubscriptionStatus.FUNDING]),
        ]
        notify(
            people,
            kind=NotificationKind.OFFERING_CANCELLED,
            title=_("Offering cancelled: %(offering)s"),
            body=_(
                "The offering was cancelled and money paid into escrow goes back to the investors' "
                "wallets. Reason: %(reason)s"
            ),
            link=link,
            params=params,
        )
    elif to == OfferingStatus.SETTLED:
        notify(
            _representative(offering),
            kind=NotificationKind.OFFERING_SETTLED,
            title=_("Offering settled: %(offering)s"),
            body=_("Every allotment is settled: the proceeds are in your company's wallet."),
            link=reverse("financing:offering_dashboard", kwargs={"pk": offering.pk}),
            params=params,
        )


def allotments_settled(allotments: Iterable[Allotment]) -> None:
    """Each investor learns that their units arrived and what they paid (one read for all of them)."""
    rows = list(
        Allotment.objects.filter(pk__in=[a.pk for a in allotments]).select_related(
            "subscription__investor", "offering__application"
        )
    )
    by_offering: dict[int, list[Allotment]] = defaultdict(list)
    for allotment in rows:
        by_offering[allotment.offering_id].append(allotment)
    for group in by_offering.values():
        offering = group[0].offering
        notify(
            [a.subscription.investor for a in group],
            kind=NotificationKind.ALLOTMENT_SETTLED,
            title=_("Units delivered: %(units)s of %(offering)s"),
            body=_(
                "%(units)s units of %(offering)s are in your wallet; %(amount)s was paid from escrow. "
                "Your subscription confirmation and contract note are on your portfolio."
            ),
            link=reverse("financing:investor_dashboard"),
            params={"offering": offering.application.title},
            per_recipient={
                a.subscription.investor_id: {
                    "units": f"{a.units:,}",
                    "amount": _money(offering.currency, a.amount),
                }
                for a in group
            },
        )


def payments_due(payments: Iterable[OfferingPayment], today: dt.date, *, late: bool) -> None:
    """The issuer's representative is told what to fund (and again when it is late)."""
    from financing.services.servicing import amount_due

    for payment in OfferingPayment.objects.filter(pk__in=[p.pk for p in payments]).select_related(
        "offering__application__company__representative"
    ):
        offering = payment.offering
        params = {
            "payment": f"{payment.get_kind_display()} {payment.sequence}",
            "offering": offering.application.title,
            "due_date": payment.due_date.isoformat(),
            "amount": _money(payment.currency, amount_due(payment, today)),
            "units": f"{payment.units:,}",
        }
        if late:
            title = _("Late: %(payment)s of %(offering)s")
            body = _(
                "%(payment)s of %(offering)s was due on %(due_date)s and is not funded: %(amount)s for "
                "%(units)s units. The offering is in arrears, its holders see the payment as late, and "
                "default interest accrues each day until you fund it."
            )
        else:
            title = _("%(payment)s of %(offering)s due on %(due_date)s")
            body = _(
                "%(payment)s of %(offering)s is due on %(due_date)s: %(amount)s for %(units)s units. "
                "Please fund it from your company's wallet before the due date, on the offering's dashboard."
            )
        notify(
            offering.application.company.representative,
            kind=NotificationKind.PAYMENT_DUE,
            title=title,
            body=body,
            link=reverse("financing:offering_dashboard", kwargs={"pk": offering.pk}),
            params=params,
        )


def payout_received(holders: Iterable[PaymentHolder]) -> None:
    """Each holder paid in a payout batch is told what arrived (holders no investor owns are skipped)."""
    rows = [h for h in holders if h.investor is not None and h.amount_base_units is not None]
    if not rows:
        return
    payment = rows[0].payment
    offering = payment.offering
    notify(
        [h.investor for h in rows if h.investor is not None],
        kind=NotificationKind.PAYMENT_RECEIVED,
        title=_("Payment received: %(payment)s of %(offering)s"),
        body=_("%(amount)s for your %(units)s units of %(offering)s is in your wallet."),
        link=reverse("financing:investor_transactions"),
        params={
            "payment": f"{payment.get_kind_display()} {payment.sequence}",
            "offering": offering.application.title,
        },
        per_recipient={
            h.investor_id: {
                "amount": _money(payment.currency, h.amount or Decimal(0)),
                "units": f"{h.units:,}",
            }
            for h in rows
            if h.investor_id is not None
        },
    )


def payment_paid(payment: OfferingPayment) -> None:
    """The issuer learns that a payment reached every holder."""
    offering = payment.offering
    notify(
        User.objects.get(company__applications__offering=offering),
        kind=NotificationKind.PAYMENT_RECEIVED,
        title=_("Paid to holders: %(payment)s of %(offering)s"),
        body=_("%(amount)s reached every holder at the record date."),
        link=reverse("financing:offering_dashboard", kwargs={"pk": offering.pk}),
        params={
            "payment": f"{payment.get_kind_display()} {payment.sequence}",
            "offering": offering.application.title,
            "amount": _money(payment.currency, payment.funded_amount or payment.amount),
        },
    )


def _transfer_params(transfer: Transfer) -> dict[str, str]:
    offering = transfer.offering
    return {
        "units": f"{transfer.units:,}",
        "offering": offering.application.title,
        "price": _money(offering.currency, transfer.price),
        "seller": transfer.seller.full_name,
        "buyer": transfer.buyer.full_name,
    }


def transfer_offered(transfer: Transfer) -> None:
    """The buyer of a sale learns that units wait for their acceptance (a gift is simply delivered)."""
    if transfer.price == 0:
        return
    notify(
        transfer.buyer,
        kind=NotificationKind.TRANSFER_OFFERED,
        title=_("%(seller)s offers you units of %(offering)s"),
        body=_(
            "Units: %(units)s, price %(price)s. Accept or decline on your transfers page before it expires."
        ),
        link=reverse("financing:transfers"),
        params=_transfer_params(transfer),
    )


def transfer_completed(transfer: Transfer) -> None:
    """Both parties learn that the units (and, for a sale, the money) moved."""
    notify(
        [transfer.seller, transfer.buyer],
        kind=NotificationKind.TRANSFER_COMPLETED,
        title=_("Transfer completed: %(offering)s"),
        body=_("Units: %(units)s, from %(seller)s to %(buyer)s, price %(price)s."),
        link=reverse("financing:transfers"),
        params=_transfer_params(transfer),
    )


def transfer_ended(transfer: Transfer, *, recipients: Iterable[User], reason: str) -> None:
    """A transfer that will not happen: cancelled (the other party is told), expired or refused (both)."""
    notify(
        recipients,
        kind=NotificationKind.TRANSFER_ENDED,
        title=_("Transfer not completed: %(offering)s"),
        body=_("Units: %(units)s. Nothing moved. %(reason)s"),
        link=reverse("financing:transfers"),
        params={**_transfer_params(transfer), "reason": reason},
    )
