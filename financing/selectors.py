"""Reads of financing, each limited to what the caller may see."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.paginator import Page
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.choices import STAFF_ROLES, Role
from accounts.models import User
from compliance.choices import KycStatus
from compliance.models import InvestorProfile
from config.errors import ValidationFailed
from financing.choices import (
    CLOSED_OFFERING_STATUSES,
    LIVE_SUBSCRIPTION_STATUSES,
    AllotmentStatus,
    ApplicationStatus,
    DayCount,
    Instrument,
    MarketplaceStatus,
    OfferingDocumentKind,
    OfferingStatus,
    OfferingTag,
    PaymentStatus,
    SubscriptionStatus,
    TransferStatus,
)
from financing.history import latest_transactions
from financing.models import (
    Allotment,
    Application,
    Offering,
    OfferingDocument,
    OfferingDocumentOpen,
    OfferingPayment,
    Subscription,
    Terms,
    Transfer,
)
from financing.schedules import Schedule, build_schedule, lease_rate_from_rental, terms_from_mapping
from financing.schedules.dates import DAY_COUNT_NAMES
from financing.servicing_overview import InvestorPayments, investor_payments
from tokens.choices import ChainTxStatus
from tokens.indexer.selectors import (
    Freshness,
    HistoryEntry,
    history_entries,
    holdings_of,
    index_freshness,
    wallet_events,
)
from tokens.models import ChainTransaction
from tokens.selectors import (
    OperationNotice,
    payment_balances_or_none,
    token_operation_notices,
)
from tokens.services import INTENT_MINT_PAYMENT

INVESTOR_VISIBLE_OFFERINGS = (OfferingStatus.OPEN, *CLOSED_OFFERING_STATUSES)


def applications_visible_to(user: User) -> QuerySet[Application]:
    """SMEs see their own company's applications; compliance staff see all that were submitted."""
    base = (
        Application.objects.select_related("company", "terms", "offering")
        .prefetch_related("trade_documents__registration_transaction")
        .order_by("-created_at")
    )
    if user.role == Role.SME:
        return base.filter(company__representative=user)
    if user.role in STAFF_ROLES:
        return base.exclude(status=ApplicationStatus.DRAFT)
    return base.none()


def applications_awaiting_review() -> QuerySet[Application]:
    """Submitted applications, oldest first."""
    return (
        Application.objects.filter(status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW])
        .select_related("company", "terms")
        .prefetch_related("trade_documents__registration_transaction")
        .order_by("submitted_at")
    )


def offerings_visible_to(user: User) -> QuerySet[Offering]:
    """Investors see offerings once open (a cancelled one if they subscribed: to read why); SMEs their own;
    staff all."""
    base = Offering.objects.select_related(
        "application__company", "application__terms", "application__arranger", "token", "cancelled_by"
    )
    if user.role == Role.INVESTOR:
        subscribed = Subscription.objects.filter(offering=OuterRef("pk"), investor=user)
        return base.filter(
            Q(status__in=INVESTOR_VISIBLE_OFFERINGS) | Q(Exists(subscribed), status=OfferingStatus.CANCELLED)
        )
    if user.role == Role.SME:
        return base.filter(application__company__representative=user)
    if user.role in STAFF_ROLES:
        return base
    return base.none()


@dataclass(frozen=True)
class Escrow:
    """What cancelling an offering would refund: live subscriptions and the money they hold."""

    subscriptions: int
    amount: Decimal


def offering_escrow(offering: Offering) -> Escrow:
    """Live (funding or active) subscriptions of `offering` and their amount in escrow."""
    totals = Subscription.objects.filter(
        offering=offering, status__in=(SubscriptionStatus.FUNDING, SubscriptionStatus.ACTIVE)
    ).aggregate(count=Count("pk"), amount=Sum("amount"))
    return Escrow(subscriptions=totals["count"], amount=totals["amount"] or Decimal("0"))


def offerings_matching(offerings: QuerySet[Offering], search: str) -> QuerySet[Offering]:
    """Those of `offerings` whose reference code or title contains `search` (any case); all if empty."""
    search = search.strip()
    if not search:
        return offerings
    return offerings.filter(Q(reference__icontains=search) | Q(application__title__icontains=search))


def subscriptions_visible_to(user: User) -> QuerySet[Subscription]:
    """Investors see their own subscriptions; SMEs those of their offerings; staff all."""
    base = Subscription.objects.select_related("offering__application", "investor").order_by("-created_at")
    if user.role == Role.INVESTOR:
        return base.filter(investor=user)
    if user.role == Role.SME:
        return base.filter(offering__application__company__representative=user)
    if user.role in STAFF_ROLES:
        return base
    return base.none()


def allotments_visible_to(user: User) -> QuerySet[Allotment]:
    """Allotments under the same visibility as their subscriptions."""
    visible = subscriptions_visible_to(user).values("pk")
    return Allotment.objects.filter(Q(subscription__in=visible)).select_related(
        "offering__application", "subscription__investor", "chain_transaction"
    )


def allotment_of(allotment_id: int) -> Allotment:
    """One allotment with what its API answer names (its investor, its settlement transaction)."""
    related = Allotment.objects.select_related("subscription__investor", "chain_transaction")
    return related.get(pk=allotment_id)


@dataclass(frozen=True)
class SettlementProgress:
    """How far an offering's settlement has gone: allotments settled, pending, failed and written off, of
    the total (`sent`: the pending ones whose transaction is on its way to the chain, not yet confirmed);
    with `failures`, one page of the failed and written-off allotments (oldest first)."""

    total: int
    settled: int
    pending: int
    failed: int
    written_off: int = 0
    settled_units: int = 0
    sent: int = 0
    failures: Page | None = None

    @property
    def done(self) -> bool:
        """Nothing is settling any more (some may still have failed)."""
        return self.total > 0 and self.pending == 0


# Failed and written-off allotments listed per page on the offering page.
SETTLEMENT_FAILURES_PAGE_SIZE = 20


def settlement_progress(
    offering: Offering, *, paginate: Callable[[QuerySet[Allotment]], Page] | None = None
) -> SettlementProgress:
    """The offering's allotments counted by status in one query; with `paginate` (e.g.
    `config.pages.page_of` for the request), also one page of failures with their investors (two more
    queries)."""
    counts = Allotment.objects.filter(offering=offering).aggregate(
        total=Count("pk"),
        settled=Count("pk", filter=Q(status=AllotmentStatus.SETTLED)),
        pending=Count("pk", filter=Q(status=AllotmentStatus.PENDING)),
        failed=Count("pk", filter=Q(status=AllotmentStatus.FAILED)),
        written_off=Count("pk", filter=Q(status=AllotmentStatus.WRITTEN_OFF)),
        settled_units=Coalesce(Sum("units", filter=Q(status=AllotmentStatus.SETTLED)), 0),
        sent=Count(
            "pk", filter=Q(status=AllotmentStatus.PENDING, chain_transaction__status=ChainTxStatus.SENT)
        ),
    )
    failures = None
    if paginate is not None:
        rows = (
            Allotment.objects.filter(
                offering=offering, status__in=[AllotmentStatus.FAILED, AllotmentStatus.WRITTEN_OFF]
            )
            .select_related("subscription__investor")
            .order_by("pk")
        )
        failures = paginate(rows)
    return SettlementProgress(**counts, failures=failures)


# Offering states in which something changes in the background (token deployment, settlement).
OFFERING_STATES_IN_MOTION = (OfferingStatus.PREPARING, OfferingStatus.ALLOTTING, OfferingStatus.SETTLING)


def application_schedule(application: Application) -> Schedule | None:
    """The whole raise's cash flows under the application's terms (None for equity or unusable terms)."""

    terms = getattr(application, "terms", None)
    if terms is None or application.instrument == "equity":
        return None
    try:
        return build_schedule(terms.schedule_terms())
    except ValidationFailed:
        return None


@dataclass(frozen=True)
class OfferingOverview:
    """An offering as one user may see it: their own subscriptions and how far settlement has gone (staff
    and the offering's SME also see a page of the failures, with the investors' names)."""

    offering: Offering
    own_subscriptions: list[Subscription]
    progress: SettlementProgress

    @property
    def active_subscription(self) -> Subscription | None:
        """The investor's live subscription: paid into escrow, or on its way there."""
        return next((s for s in self.own_subscriptions if s.status in LIVE_SUBSCRIPTION_STATUSES), None)

    @property
    def settled_units(self) -> int:
        return self.progress.settled_units

    @property
    def in_motion(self) -> bool:
        """Whether the page should refresh itself (deployment or settlement under way)."""
        funding = any(s.status == SubscriptionStatus.FUNDING for s in self.own_subscriptions)
        return offering_in_motion(self.offering, self.progress) or funding


def offering_in_motion(offering: Offering, progress: SettlementProgress) -> bool:
    """Something about the offering changes in the background: deployment, allotment or settlement.

    Once allotments exist and none is pending, nothing moves until staff act, whatever the state says.
    """
    if progress.pending > 0:
        return True
    return offering.status in OFFERING_STATES_IN_MOTION and not progress.done


def offering_overview(
    user: User, offering_id: int, *, paginate: Callable[[QuerySet[Allotment]], Page] | None = None
) -> OfferingOverview | None:
    """The offering if `user` may see it (else None), with their own subscriptions and the settlement
    progress; a fixed number of queries however many allotments the offering has."""
    offering = offerings_visible_to(user).filter(pk=offering_id).first()
    if offering is None:
        return None
    sees_investors = user.role in STAFF_ROLES or user.role == Role.SME
    progress = settlement_progress(offering, paginate=paginate if sees_investors else None)
    own: list[Subscription] = []
    if user.role == Role.INVESTOR:
        mine = Subscription.objects.filter(offering=offering, investor=user).select_related(
            "allotment__chain_transaction"
        )
        own = list(mine.order_by("-pk"))
    return OfferingOverview(offering=offering, own_subscriptions=own, progress=progress)


@dataclass(frozen=True)
class Holding:
    """Units of one offering's token held by the investor's wallet: as the event indexer read them from
    the chain (the register), and as the platform's books have them (settled allotments)."""

    offering: Offering
    units: int
    recorded_units: int = 0
    frozen: bool = False
    frozen_units: int = 0
    payment_late: bool = False  # a payment of the offering is late (the issuer has not funded it)
    # Staff token operations that touched this holding (freeze, pause, recovery, forced transfer ...).
    notices: list[OperationNotice] = field(default_factory=list)


# How many of the newest history entries the dashboard and the portfolio show (the rest: history API).
HISTORY_LATEST = 20


@dataclass(frozen=True)
class InvestorOverview:
    """What the investor dashboard shows."""

    profile: object | None
    subscriptions: list[Subscription]
    balance: Decimal | None
    holdings: list[Holding] = field(default_factory=list)
    # The wallet's balance in each listed stablecoin, by currency; None when the chain cannot answer.
    balances: dict[str, Decimal] | None = None
    chain_unavailable: bool = False
    in_motion: bool = False
    freshness: Freshness | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    history_more: bool = False
    transactions: list[Any] = field(default_factory=list)  # financing.history.TransactionEntry
    transactions_more: bool = False
    payments: InvestorPayments = field(default_factory=InvestorPayments)


def investor_holdings(user: User, address: str) -> list[Holding]:
    """The investor's holdings from the event indexer, with the books' settled units beside them.

    Six queries however many holdings (no chain call): the indexed holdings, the offerings of those
    tokens and of the settled allotments, the settled units per offering, the units transferred per
    offering, the late payments, the staff token operations that touched them with their
    transactions. An offering settled in the
    books but not yet indexed is listed with 0 units (the index is catching up).
    """
    indexed = {h.token_address: h for h in holdings_of(address)}
    settled = dict(
        Allotment.objects.filter(subscription__investor=user, status=AllotmentStatus.SETTLED)
        .values("offering_id")
        .annotate(units=Sum("units"))
        .values_list("offering_id", "units")
    )
    # The books count completed transfers between investors too: in adds, out takes away.
    moved = (
        Transfer.objects.filter(Q(seller=user) | Q(buyer=user), status=TransferStatus.COMPLETED)
        .values("offering_id")
        .annotate(
            received=Coalesce(Sum("units", filter=Q(buyer=user)), 0),
            sent=Coalesce(Sum("units", filter=Q(seller=user)), 0),
        )
    )
    for row in moved:
        offering_id = row["offering_id"]
        settled[offering_id] = settled.get(offering_id, 0) + row["received"] - row["sent"]
    offerings = list(
        Offering.objects.filter(Q(token__address__in=list(indexed)) | Q(pk__in=list(settled)))
        .filter(token__address__isnull=False)
        .select_related("application__company", "token")
        .order_by("pk")
    )
    late = (
        set(
            OfferingPayment.objects.filter(
                offering__in=[o.pk for o in offerings], status=PaymentStatus.LATE
            ).values_list("offering_id", flat=True)
        )
        if offerings
        else set()
    )
    notices = token_operation_notices(user, address)
    holdings = []
    for offering in offerings:
        held = indexed.get(str(offering.token.address)) if offering.token else None
        holdings.append(
            Holding(
                offering=offering,
                units=held.units if held else 0,
                recorded_units=settled.get(offering.pk, 0),
                frozen=held.frozen if held else False,
                frozen_units=held.frozen_units if held else 0,
                payment_late=offering.pk in late,
                notices=notices.get(str(offering.token.address), []) if offering.token else [],
            )
        )
    return holdings


def investor_history(address: str, *, limit: int = HISTORY_LATEST, offset: int = 0) -> list[HistoryEntry]:
    """The wallet's transaction history from the indexer, newest first."""
    return history_entries(address, wallet_events(address)[offset : offset + limit])


def investor_wallet_address(user: User) -> str | None:
    """The address of the investor's custodial wallet once KYC is approved, else None."""
    profile = InvestorProfile.objects.filter(user=user).select_related("wallet").first()
    if profile is None or profile.kyc_status != KycStatus.APPROVED or profile.wallet is None:
        return None
    return str(profile.wallet.address)


def investor_overview(user: User) -> InvestorOverview:
    """The investor's KYC record, subscriptions with allotments, the balance in each currency's stablecoin
    from chain, and the
    holdings and history from the event indexer (no chain call per holding)."""

    profile = InvestorProfile.objects.filter(user=user).select_related("wallet").first()
    subscriptions = list(
        subscriptions_visible_to(user).select_related(
            "offering__application__company",
            "offering__token",
            "offering__cancelled_by",
            "allotment__chain_transaction",
            "funding_transaction",
        )
    )
    transactions, transactions_more = latest_transactions(user)
    if profile is None or profile.kyc_status != KycStatus.APPROVED or profile.wallet is None:
        return InvestorOverview(
            profile=profile,
            subscriptions=subscriptions,
            balance=None,
            transactions=transactions,
            transactions_more=transactions_more,
        )
    address = profile.wallet.address
    balances = payment_balances_or_none(address)  # one batched chain request for every currency
    balance = balances.get("HKD") if balances is not None else None
    holdings = investor_holdings(user, address)
    history = investor_history(address, limit=HISTORY_LATEST + 1)
    freshness = index_freshness()
    minting = ChainTransaction.objects.filter(
        intent=INTENT_MINT_PAYMENT,
        status__in=[ChainTxStatus.PENDING, ChainTxStatus.SENT],
        subject_address=address,
    ).exists()
    settling = any(
        s.offering.status in OFFERING_STATES_IN_MOTION
        or (hasattr(s, "allotment") and s.allotment.status == AllotmentStatus.PENDING)
        for s in subscriptions
    )
    behind = any(h.units != h.recorded_units for h in holdings) and freshness.catching_up
    return InvestorOverview(
        profile=profile,
        subscriptions=subscriptions,
        balance=balance,
        balances=balances,
        holdings=holdings,
        chain_unavailable=balance is None,
        in_motion=not profile.can_subscribe or minting or settling or behind,
        freshness=freshness,
        history=history[:HISTORY_LATEST],
        history_more=len(history) > HISTORY_LATEST,
        transactions=transactions,
        transactions_more=transactions_more,
        payments=investor_payments(user, {h.offering.pk: h.units for h in holdings}),
    )


def schedule_preview(terms: Mapping[str, object]) -> dict[str, Any]:
    """The schedule of any instrument's terms, in the API's shape (ValidationFailed on bad terms), with
    the day count it accrued by: our code and its market name (a market name is accepted as input)."""
    parsed = terms_from_mapping(terms)
    return {
        **build_schedule(parsed).as_dict(),
        "day_count": parsed.day_count,
        "day_count_name": DAY_COUNT_NAMES[parsed.day_count],
    }


def application_terms_preview(
    *, instrument: str, currency: str, target_amount: Decimal, terms: Mapping[str, Any]
) -> dict[str, Any]:
    """What an application's terms come to before it is saved (ValidationFailed with field messages).

    The schedule in the API's shape (no rows for equity), the annual rate it runs at (solved from
    the rental for a lease priced by its rental), the whole units offered and, for equity, the
    post-money valuation, dilution and the share today's shareholders keep. Takes the terms as
    `services.application_save` does.
    """
    draft = Terms(
        application=Application(instrument=instrument, currency=currency, target_amount=target_amount),
        unit_price=terms.get("unit_price") or Decimal("0"),
        pre_money_valuation=terms.get("pre_money_valuation"),
    )
    preview: dict[str, Any] = {
        "rows": [],
        "totals": None,
        "annual_rate": None,
        "units": draft.units if draft.unit_price else None,
        "post_money_valuation": draft.post_money_valuation,
        "dilution": draft.dilution,
    }
    if draft.dilution is not None:
        preview["existing_share"] = 1 - draft.dilution
    if instrument == "equity":
        return preview
    given = {
        name: value.isoformat() if isinstance(value, date) else str(value)
        for name, value in terms.items()
        if value not in (None, "")
    }
    if instrument == "lease" and "rental" in given and "annual_rate" not in given:
        given["annual_rate"] = str(lease_rate_from_rental(target_amount, terms))
    schedule_instrument = instrument
    if instrument == Instrument.TRADE:  # paid once at maturity: the schedule module's one-period bond
        schedule_instrument = "bond"
        given.update(frequency="annual", day_count="act_365f")
    schedule = schedule_preview(
        {"instrument": schedule_instrument, "currency": currency, "principal": str(target_amount), **given}
    )
    preview.update(schedule, annual_rate=Decimal(given["annual_rate"]) if "annual_rate" in given else None)
    return preview


def payments_visible_to(user: User) -> QuerySet[OfferingPayment]:
    """Payment calendars: SMEs see their own offerings'; staff all; investors their payments through
    their holdings (see `late_payment_tokens`)."""
    base = OfferingPayment.objects.select_related("offering__application", "funding_transaction")
    if user.role == Role.SME:
        return base.filter(offering__application__company__representative=user)
    if user.role in STAFF_ROLES:
        return base
    return base.none()


def payment_calendar(offering: Offering) -> QuerySet[OfferingPayment]:
    """One offering's payments in calendar order."""
    return OfferingPayment.objects.filter(offering=offering).order_by("sequence")


def late_payment_tokens() -> set[str]:
    """Token addresses of offerings with a payment late now: a holding of one shows "payment late"."""
    rows = OfferingPayment.objects.filter(status=PaymentStatus.LATE, offering__token__isnull=False)
    return {str(address) for address in rows.values_list("offering__token__address", flat=True).distinct()}


def transfers_visible_to(user: User) -> QuerySet[Transfer]:
    """Transfers between investors: an investor's own (either side), all for staff, none for others."""
    rows = Transfer.objects.select_related(
        "offering__application", "offering__token", "seller", "buyer", "chain_transaction"
    ).order_by("-pk")
    if user.role in STAFF_ROLES:
        return rows
    if user.role == Role.INVESTOR:
        return rows.filter(Q(seller=user) | Q(buyer=user))
    return rows.none()


# --- offering documents, the subscribe position and the review step (issue 11, item 3) -------------


def offering_documents_visible_to(user: User) -> QuerySet[OfferingDocument]:
    """Documents (every version) of the offerings `user` may see."""
    visible = offerings_visible_to(user).values("pk")
    return OfferingDocument.objects.filter(offering__in=visible).select_related("offering")


def current_documents(offering: Offering) -> list[OfferingDocument]:
    """The newest version of each kind of the offering's documents, in the order investors read them."""
    order = {kind: index for index, kind in enumerate(OfferingDocumentKind.values)}
    newest: dict[str, OfferingDocument] = {}
    for document in OfferingDocument.objects.filter(offering=offering).order_by("kind", "-version"):
        newest.setdefault(document.kind, document)
    return sorted(newest.values(), key=lambda d: (order.get(d.kind, len(order)), d.pk))


@dataclass(frozen=True)
class DocumentToRead:
    """A current offering document and when the investor first opened it (None: not yet)."""

    document: OfferingDocument
    opened_at: Any = None


def documents_to_read(user: User, offering: Offering) -> list[DocumentToRead]:
    """The offering's current documents with the investor's first opening of each (two queries)."""
    documents = current_documents(offering)
    opened = dict(
        OfferingDocumentOpen.objects.filter(
            investor=user, document__in=[d.pk for d in documents]
        ).values_list("document_id", "opened_at")
    )
    return [DocumentToRead(document=d, opened_at=opened.get(d.pk)) for d in documents]


@dataclass(frozen=True)
class SubscribePosition:
    """Whether the investor may subscribe to the offering now, and if not why (in words they can act on,
    with a link when one helps); if they may, the most they can take and why."""

    reason: str = ""
    reason_link: str = ""  # a URL name ("financing:investor_kyc") the reason points at
    reason_link_text: str = ""
    units_left: int = 0
    balance: Decimal | None = None  # the wallet's stablecoin in the offering's currency (None: unknown)
    in_flight: Decimal = Decimal("0")  # payments of other subscriptions still moving into escrow
    max_units: int | None = None  # the most the investor can afford and take (None: balance unknown)
    limited_by: str = ""  # "balance" or "units_left"

    @property
    def can_subscribe(self) -> bool:
        return not self.reason


def _units_left(offering: Offering) -> int:
    return max(0, offering.subscription_cap_units - offering.units_subscribed)


def subscribe_position(user: User, offering: Offering) -> SubscribePosition:
    """Why the investor cannot subscribe to `offering` (KYC, professional status, closed, paused, sold out,
    holder limit, already subscribed), or the most units they can: their stablecoin balance (less
    payments still moving into escrow) over the unit price, capped by the units left. One chain read."""
    from django.utils import timezone

    from compliance.selectors import subscription_refusal
    from config.errors import ApplicationError
    from issuers.choices import KybStatus
    from tokens.selectors import payment_balance

    left = _units_left(offering)
    if user.role != Role.INVESTOR:
        return SubscribePosition(reason=_("Only investors subscribe."), units_left=left)
    profile = InvestorProfile.objects.select_related("wallet").filter(user=user).first()
    if profile is None or not profile.can_subscribe:
        return SubscribePosition(
            reason=subscription_refusal(profile, professional_only=False)
            or _("Your due diligence must be approved before you subscribe."),
            reason_link="financing:investor_kyc",
            reason_link_text=_("Complete your due diligence (KYC)"),
            units_left=left,
        )
    if offering.status != OfferingStatus.OPEN or offering.closes_at <= timezone.now():
        return SubscribePosition(
            reason=_("This offering is %(status)s; it takes no subscriptions.")
            % {"status": offering.get_status_display().lower()},
            units_left=left,
        )
    if offering.application.company.kyb_status == KybStatus.BLOCKED:
        return SubscribePosition(reason=_("This offering is suspended: it takes no subscriptions."))
    if offering.subscriptions_paused_reason:
        return SubscribePosition(
            reason=_("New subscriptions to this offering are paused: %(reason)s")
            % {"reason": offering.subscriptions_paused_reason},
            units_left=left,
        )
    refusal = subscription_refusal(profile, professional_only=offering.professional_investors_only)
    if refusal:
        return SubscribePosition(
            reason=refusal,
            reason_link="financing:investor_kyc",
            reason_link_text=_("Update your due diligence"),
            units_left=left,
        )
    if left == 0:
        return SubscribePosition(
            reason=_(
                "Sold out: every unit under this offering's cap is taken. Units come free only if "
                "another investor withdraws before the close."
            ),
            units_left=0,
        )
    live = Subscription.objects.filter(offering=offering, status__in=LIVE_SUBSCRIPTION_STATUSES)
    if live.filter(investor=user).exists():
        return SubscribePosition(
            reason=_("You already subscribed to this offering; withdraw it first to change the amount."),
            units_left=left,
        )
    if offering.max_holders is not None and live.count() >= offering.max_holders:
        return SubscribePosition(
            reason=_("This offering is limited to %(count)s investors and has that many subscriptions.")
            % {"count": offering.max_holders},
            units_left=left,
        )
    in_flight = Subscription.objects.filter(
        investor=user, status=SubscriptionStatus.FUNDING, offering__currency=offering.currency
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    balance: Decimal | None
    try:
        balance = payment_balance(profile.wallet.address, offering.currency) if profile.wallet else None
    except ApplicationError:  # the chain cannot answer, or no stablecoin is listed for the currency
        balance = None
    if balance is None:
        return SubscribePosition(units_left=left, in_flight=in_flight)
    affordable = max(0, int((balance - in_flight) // offering.unit_price))
    return SubscribePosition(
        units_left=left,
        balance=balance,
        in_flight=in_flight,
        max_units=min(affordable, left),
        limited_by="balance" if affordable < left else "units_left",
    )


@dataclass(frozen=True)
class SubscriptionReview:
    """What the investor confirms: the units, the money, the dates, the rules and the texts to accept."""

    offering: Offering
    units: int
    amount: Decimal
    fees: Decimal
    settlement_date: date
    balance: Decimal | None
    balance_after: Decimal | None
    documents: list[DocumentToRead]
    agreements: tuple[Any, ...]

    @property
    def unopened(self) -> list[OfferingDocument]:
        return [d.document for d in self.documents if d.opened_at is None]


def subscription_review(
    user: User, offering: Offering, units: int, position: SubscribePosition
) -> SubscriptionReview:
    """The review step of a subscription of `units` (the position says the investor may subscribe)."""
    from django.conf import settings
    from django.utils import timezone

    from financing.agreements import AGREEMENTS

    amount = offering.unit_price * units
    settle_by = timezone.localdate(offering.closes_at) + timedelta(days=settings.SETTLEMENT_WINDOW_DAYS)
    after = position.balance - position.in_flight - amount if position.balance is not None else None
    return SubscriptionReview(
        offering=offering,
        units=units,
        amount=amount,
        fees=Decimal("0"),
        settlement_date=settle_by,
        balance=position.balance,
        balance_after=after,
        documents=documents_to_read(user, offering),
        agreements=AGREEMENTS,
    )


# --- the marketplace --------------------------------------------------------------------------------

MARKETPLACE_STATUSES = {
    MarketplaceStatus.OPEN: (OfferingStatus.OPEN,),
    MarketplaceStatus.CLOSED: (
        OfferingStatus.ALLOTTING,
        OfferingStatus.SETTLING,
        OfferingStatus.PARTLY_FAILED,
    ),
    MarketplaceStatus.SETTLED: tuple(
        s
        for s in CLOSED_OFFERING_STATUSES
        if s not in (OfferingStatus.ALLOTTING, OfferingStatus.SETTLING, OfferingStatus.PARTLY_FAILED)
    ),
}
TAG_FILTERS = {
    OfferingTag.GREEN: Q(application__company__is_green=True),
    OfferingTag.TECHNOLOGY: Q(application__company__is_technology=True),
    OfferingTag.SRDI: ~Q(application__company__srdi_tier=""),
}


def marketplace_offerings(
    user: User,
    *,
    instrument: str = "",
    currency: str = "",
    tags: list[str] | tuple[str, ...] = (),
    status: str = MarketplaceStatus.OPEN,
) -> QuerySet[Offering]:
    """Offerings `user` may see, filtered (every filter combines with the others; tags all apply),
    open ones closing soonest first, then the rest newest first."""
    rows = offerings_visible_to(user)
    if instrument:
        rows = rows.filter(application__instrument=instrument)
    if currency:
        rows = rows.filter(currency=currency)
    for tag in tags:
        rows = rows.filter(TAG_FILTERS[OfferingTag(tag)])
    if status and status != MarketplaceStatus.ANY:
        rows = rows.filter(status__in=MARKETPLACE_STATUSES[MarketplaceStatus(status)])
    if status == MarketplaceStatus.OPEN:
        return rows.order_by("closes_at", "pk")
    return rows.order_by("-created_at", "-pk")


def issuer_tags(company: Any) -> list[str]:
    """The marketplace tags the issuer carries (green, technology, srdi), in that order."""
    tags = []
    if company.is_green:
        tags.append(OfferingTag.GREEN.value)
    if company.is_technology:
        tags.append(OfferingTag.TECHNOLOGY.value)
    if company.srdi_tier:
        tags.append(OfferingTag.SRDI.value)
    return tags


DAY_COUNT_IN_WORDS = {
    DayCount.ACT_365F: _lazy("ACT/365 Fixed: the actual days elapsed over a year of 365 days"),
    DayCount.ACT_360: _lazy("ACT/360: the actual days elapsed over a year of 360 days"),
    DayCount.THIRTY_360: _lazy("30/360: every month counts as 30 days and the year as 360"),
}


@dataclass(frozen=True)
class OfferingYield:
    """What an offering pays a year: a bond's coupon, a loan's interest or a lease's rent yield (the
    rentals of a year over the asset's value, beside the implicit rate), with the day count in words;
    equity pays dividends only when declared (`rate` None)."""

    label: str
    rate: Decimal | None
    explanation: str
    day_count: str = ""
    implicit_rate: Decimal | None = None


def offering_yield(offering: Offering) -> OfferingYield:
    """The offering's yield from its terms (no query beyond the terms already loaded)."""
    from financing.schedules.dates import MONTHS_PER_PERIOD

    application = offering.application
    terms = application.terms
    words = str(DAY_COUNT_IN_WORDS.get(DayCount(terms.day_count), terms.get_day_count_display()))
    if application.instrument == "equity":
        return OfferingYield(
            label=_("Dividends"),
            rate=None,
            explanation=_("Shares pay dividends only when the company declares them; none is promised."),
        )
    if application.instrument == "lease":
        schedule = application_schedule(application)
        periods_per_year = 12 // MONTHS_PER_PERIOD[terms.frequency] if terms.frequency else 0
        rental = schedule.rows[0].payment if schedule and schedule.rows else None
        rent_yield = (
            (rental * periods_per_year / application.target_amount).quantize(Decimal("0.0001"))
            if rental is not None and periods_per_year and application.target_amount
            else None
        )
        return OfferingYield(
            label=_("Rent yield"),
            rate=rent_yield,
            explanation=_("A year's rentals over the asset's value, before the residual value is paid."),
            day_count=words,
            implicit_rate=terms.annual_rate,
        )
    label = _("Coupon") if application.instrument == "bond" else _("Interest rate")
    frequency = terms.get_frequency_display().lower() if terms.frequency else ""
    explanation = _("A year, paid %(frequency)s.") % {"frequency": frequency} if frequency else ""
    if application.instrument == Instrument.TRADE:
        explanation = _("A year, paid once at maturity with the principal.")
    return OfferingYield(
        label=label,
        rate=terms.annual_rate,
        explanation=explanation,
        day_count=words,
    )
