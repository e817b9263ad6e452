"""Choices of financing: instruments, currencies and the state machines."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Instrument(models.TextChoices):
    BOND = "bond", _("Bond")
    LOAN = "loan", _("Loan")
    EQUITY = "equity", _("Equity")
    LEASE = "lease", _("Lease")
    # Invoice and bill-of-lading financing: one payment of principal and interest at maturity.
    TRADE = "trade", _("Trade finance")


class Currency(models.TextChoices):
    HKD = "HKD", _("Hong Kong dollar")
    CNY = "CNY", _("Renminbi")
    MOP = "MOP", _("Macao pataca")
    USD = "USD", _("US dollar")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SEMIANNUAL = "semiannual", _("Semi-annual")
    ANNUAL = "annual", _("Annual")


class Amortization(models.TextChoices):
    ANNUITY = "annuity", _("Annuity (level payments)")
    EQUAL_PRINCIPAL = "equal_principal", _("Equal principal")
    BULLET = "bullet", _("Bullet (all principal at maturity)")


class DayCount(models.TextChoices):
    ACT_365F = "act_365f", _("ACT/365 Fixed")
    ACT_360 = "act_360", _("ACT/360")
    THIRTY_360 = "thirty_360", "30/360"


class BusinessDayConvention(models.TextChoices):
    MODIFIED_FOLLOWING = "modified_following", _("Modified following")
    FOLLOWING = "following", _("Following")
    UNADJUSTED = "unadjusted", _("Unadjusted")


class HolidayCalendar(models.TextChoices):
    HONG_KONG = "HK", _("Hong Kong")
    NONE = "none", _("Weekends only")


class PaymentTiming(models.TextChoices):
    ARREARS = "arrears", _("In arrears")
    ADVANCE = "advance", _("In advance")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    FUNDED = "funded", _("Funded")


APPLICATION_TRANSITIONS = {
    ApplicationStatus.DRAFT: {ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN},
    ApplicationStatus.SUBMITTED: {
        ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.APPROVED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.CHANGES_REQUESTED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.UNDER_REVIEW: {
        ApplicationStatus.APPROVED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.CHANGES_REQUESTED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.CHANGES_REQUESTED: {ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN},
    # The money arrived: the offering settled (financing.services.servicing builds its calendar then).
    ApplicationStatus.APPROVED: {ApplicationStatus.FUNDED},
    ApplicationStatus.FUNDED: set(),
    ApplicationStatus.REJECTED: set(),
    ApplicationStatus.WITHDRAWN: set(),
}
EDITABLE_APPLICATION_STATUSES = {ApplicationStatus.DRAFT, ApplicationStatus.CHANGES_REQUESTED}


class OfferingStatus(models.TextChoices):
    PREPARING = "preparing", _("Being set up on chain")
    READY = "ready", _("Ready to open")
    OPEN = "open", _("Open for subscription")
    ALLOTTING = "allotting", _("Closed, allotting")
    SETTLING = "settling", _("Closed, settling")
    SETTLED = "settled", _("Settled")
    PARTLY_FAILED = "partly_failed", _("Settled in part: some allotments failed")
    CANCELLED = "cancelled", _("Cancelled")
    SERVICING = "servicing", _("Servicing: paying holders")
    IN_ARREARS = "in_arrears", _("In arrears: a payment is late")
    MATURED = "matured", _("Matured: tokens being redeemed")
    REDEEMED = "redeemed", _("Redeemed and closed")


# Closing records the decision (open -> allotting) and answers; a background task allots and queues
# the settlement (allotting -> settling); the chain's answers complete it (settled, or partly failed
# when none is pending and some failed; a later retry goes back to settling, a write-off completes it).
OFFERING_TRANSITIONS = {
    OfferingStatus.PREPARING: {OfferingStatus.READY, OfferingStatus.CANCELLED},
    OfferingStatus.READY: {OfferingStatus.OPEN, OfferingStatus.CANCELLED},
    OfferingStatus.OPEN: {OfferingStatus.ALLOTTING, OfferingStatus.CANCELLED},
    OfferingStatus.ALLOTTING: {OfferingStatus.SETTLING, OfferingStatus.SETTLED, OfferingStatus.PARTLY_FAILED},
    OfferingStatus.SETTLING: {OfferingStatus.SETTLED, OfferingStatus.PARTLY_FAILED},
    OfferingStatus.PARTLY_FAILED: {OfferingStatus.SETTLING, OfferingStatus.SETTLED},
    # Servicing (financing/services/servicing.py): the first payment due moves a settled offering to
    # servicing; a late payment puts it in arrears until paid; the last payment of a bond, loan or lease
    # matures it, and the burn of every unit redeems it.
    OfferingStatus.SETTLED: {OfferingStatus.SERVICING, OfferingStatus.IN_ARREARS, OfferingStatus.MATURED},
    OfferingStatus.SERVICING: {OfferingStatus.IN_ARREARS, OfferingStatus.MATURED},
    OfferingStatus.IN_ARREARS: {OfferingStatus.SERVICING, OfferingStatus.MATURED},
    OfferingStatus.MATURED: {OfferingStatus.REDEEMED},
    OfferingStatus.REDEEMED: set(),
    OfferingStatus.CANCELLED: set(),
}
# Closed offerings, whatever became of their settlement.
CLOSED_OFFERING_STATUSES = (
    OfferingStatus.ALLOTTING,
    OfferingStatus.SETTLING,
    OfferingStatus.SETTLED,
    OfferingStatus.PARTLY_FAILED,
    OfferingStatus.SERVICING,
    OfferingStatus.IN_ARREARS,
    OfferingStatus.MATURED,
    OfferingStatus.REDEEMED,
)
# Settled offerings being serviced: payments fall due, dividends may be declared.
SERVICED_OFFERING_STATUSES = (
    OfferingStatus.SETTLED,
    OfferingStatus.SERVICING,
    OfferingStatus.IN_ARREARS,
)


class SubscriptionStatus(models.TextChoices):
    FUNDING = "funding", _("Payment moving into escrow")
    ACTIVE = "active", _("Active, paid into escrow")
    FAILED = "failed", _("Payment not taken")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ALLOTTED = "allotted", _("Allotted")
    NOT_ALLOTTED = "not_allotted", _("Not allotted")
    CANCELLED = "cancelled", _("Cancelled (offering cancelled)")
    RELEASED = "released", _("Released (allotment written off)")


SUBSCRIPTION_TRANSITIONS = {
    SubscriptionStatus.FUNDING: {SubscriptionStatus.ACTIVE, SubscriptionStatus.FAILED},
    SubscriptionStatus.FAILED: set(),
    SubscriptionStatus.ACTIVE: {
        SubscriptionStatus.WITHDRAWN,
        SubscriptionStatus.ALLOTTED,
        SubscriptionStatus.NOT_ALLOTTED,
        SubscriptionStatus.CANCELLED,
    },
    SubscriptionStatus.WITHDRAWN: set(),
    # Staff wrote off the allotment that could not settle: the escrow goes back to the investor.
    SubscriptionStatus.ALLOTTED: {SubscriptionStatus.RELEASED},
    SubscriptionStatus.RELEASED: set(),
    SubscriptionStatus.NOT_ALLOTTED: set(),
    SubscriptionStatus.CANCELLED: set(),
}
# A subscription whose units count against the offering's cap (and whose money is, or is going, in escrow).
LIVE_SUBSCRIPTION_STATUSES = {SubscriptionStatus.FUNDING, SubscriptionStatus.ACTIVE}
# Subscriptions whose escrow goes back to the investor.
REFUNDED_SUBSCRIPTION_STATUSES = {
    SubscriptionStatus.WITHDRAWN,
    SubscriptionStatus.NOT_ALLOTTED,
    SubscriptionStatus.CANCELLED,
    SubscriptionStatus.RELEASED,
}


class AllotmentStatus(models.TextChoices):
    PENDING = "pending", _("Settlement queued")
    SETTLED = "settled", _("Settled on chain")
    FAILED = "failed", _("Settlement failed")
    WRITTEN_OFF = "written_off", _("Written off, refunded")


ALLOTMENT_TRANSITIONS = {
    AllotmentStatus.PENDING: {AllotmentStatus.SETTLED, AllotmentStatus.FAILED},
    # Staff retry a failed settlement, or write it off with a reason (the escrow is refunded).
    AllotmentStatus.FAILED: {AllotmentStatus.PENDING, AllotmentStatus.WRITTEN_OFF},
    AllotmentStatus.SETTLED: set(),
    AllotmentStatus.WRITTEN_OFF: set(),
}
# Allotments that need nothing more: the offering's settlement is complete when all are in these.


class PaymentKind(models.TextChoices):
    COUPON = "coupon", _("Coupon")
    PRINCIPAL = "principal", _("Principal repayment")
    INSTALMENT = "instalment", _("Loan instalment")
    RENTAL = "rental", _("Lease rental")
    RESIDUAL = "residual", _("Residual value")
    DIVIDEND = "dividend", _("Dividend")
    REDEMPTION = "redemption", _("Redemption")


class PaymentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    AWAITING_FUNDING = "awaiting_funding", _("Awaiting funding")
    FUNDING = "funding", _("Funding on its way")
    FUNDED = "funded", _("Funded")
    LATE = "late", _("Payment late")
    PAYING = "paying", _("Paying holders")
    PAID = "paid", _("Paid")
    CLOSED = "closed", _("Paid and closed")


# scheduled -> awaiting funding (SERVICING_FUNDING_NOTICE_DAYS before the due date) -> funding (the
# issuer's authorisation is on its way) -> funded -> paying (payouts queued) -> paid (every holder paid)
# -> closed (the distribution closed on chain). Unfunded past its due date plus SERVICING_GRACE_DAYS:
# late, until funded. A refused funding goes back to where it came from. The issuer may fund early.
PAYMENT_TRANSITIONS = {
    PaymentStatus.SCHEDULED: {PaymentStatus.AWAITING_FUNDING, PaymentStatus.FUNDING, PaymentStatus.LATE},
    PaymentStatus.AWAITING_FUNDING: {PaymentStatus.FUNDING, PaymentStatus.LATE},
    PaymentStatus.LATE: {PaymentStatus.FUNDING},
    PaymentStatus.FUNDING: {
        PaymentStatus.FUNDED,
        PaymentStatus.SCHEDULED,
        PaymentStatus.AWAITING_FUNDING,
        PaymentStatus.LATE,
    },
    PaymentStatus.FUNDED: {PaymentStatus.PAYING},
    PaymentStatus.PAYING: {PaymentStatus.PAID},
    PaymentStatus.PAID: {PaymentStatus.CLOSED},
    PaymentStatus.CLOSED: set(),
}
# Payments the issuer may fund now.
FUNDABLE_PAYMENT_STATUSES = (PaymentStatus.SCHEDULED, PaymentStatus.AWAITING_FUNDING, PaymentStatus.LATE)
# Payments whose money reached the holders.
PAID_PAYMENT_STATUSES = (PaymentStatus.PAID, PaymentStatus.CLOSED)


class TransferStatus(models.TextChoices):
    """An investor-to-investor transfer: a sale waits for the buyer; a gift is sent at once."""

    AWAITING_BUYER = "awaiting_buyer", _("Waiting for the buyer to accept")
    SENDING = "sending", _("Being delivered on chain")
    COMPLETED = "completed", _("Completed on chain")
    FAILED = "failed", _("Refused on chain")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


TRANSFER_TRANSITIONS = {
    TransferStatus.AWAITING_BUYER: {TransferStatus.SENDING, TransferStatus.CANCELLED, TransferStatus.EXPIRED},
    TransferStatus.SENDING: {TransferStatus.COMPLETED, TransferStatus.FAILED},
    TransferStatus.COMPLETED: set(),
    TransferStatus.FAILED: set(),
    TransferStatus.CANCELLED: set(),
    TransferStatus.EXPIRED: set(),
}
# Transfers whose units are still promised: they count against the seller's free units.
LIVE_TRANSFER_STATUSES = (TransferStatus.AWAITING_BUYER, TransferStatus.SENDING)


class OfferingDocumentKind(models.TextChoices):
    """The documents an investor reads before subscribing, in the order they are shown."""

    TERM_SHEET = "term_sheet", _("Term sheet")
    INFORMATION_MEMORANDUM = "information_memorandum", _("Information memorandum")
    ISSUER_FINANCIALS = "issuer_financials", _("Issuer financial statements")
    OTHER = "other", _("Other document")


class AcceptanceKind(models.TextChoices):
    """What an investor accepted or acknowledged with a subscription."""

    RISK_DISCLOSURE = "risk_disclosure", _("Risk disclosure")
    SUBSCRIPTION_AGREEMENT = "subscription_agreement", _("Subscription agreement")
    DOCUMENT = "document", _("Offering document read")


class MarketplaceStatus(models.TextChoices):
    """The marketplace's status filter: open offerings, or those past their close."""

    OPEN = "open", _("Open for subscription")
    CLOSED = "closed", _("Closed (allotting or settling)")
    SETTLED = "settled", _("Settled")
    ANY = "any", _("Any status")


class OfferingTag(models.TextChoices):
    """Issuer tags investors filter the marketplace on (from the company's KYB profile)."""

    GREEN = "green", _("Green")
    TECHNOLOGY = "technology", _("Technology")
    SRDI = "srdi", _("SRDI recognised")


class TradeDocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    BILL_OF_LADING = "bill_of_lading", _("Electronic bill of lading")


class TradeDocumentStatus(models.TextChoices):
    """A trade document's financing, as the platform and the DocumentRegistry contract record it."""

    DRAFT = "draft", _("Not registered yet")
    REGISTERING = "registering", _("Being registered on chain")
    REGISTERED = "registered", _("Registered: financed")
    REFUSED = "refused", _("Refused: already financed elsewhere")
    RELEASING = "releasing", _("Being released on chain")
    RELEASED = "released", _("Released: repaid")
    WITHDRAWING = "withdrawing", _("Being withdrawn on chain")
    WITHDRAWN = "withdrawn", _("Withdrawn: not financed")
    DISCARDED = "discarded", _("Not financed (application closed)")


# A fingerprint held by one of these may not be added anywhere else (a database constraint).
LIVE_TRADE_DOCUMENT_STATUSES = (
    TradeDocumentStatus.DRAFT,
    TradeDocumentStatus.REGISTERING,
    TradeDocumentStatus.REGISTERED,
    TradeDocumentStatus.RELEASING,
    TradeDocumentStatus.RELEASED,
    TradeDocumentStatus.WITHDRAWING,
)

TRADE_DOCUMENT_TRANSITIONS = {
    TradeDocumentStatus.DRAFT: {
        TradeDocumentStatus.REGISTERING,
        TradeDocumentStatus.REFUSED,
        TradeDocumentStatus.DISCARDED,
    },
    TradeDocumentStatus.REGISTERING: {
        TradeDocumentStatus.REGISTERED,
        TradeDocumentStatus.REFUSED,
    },
    TradeDocumentStatus.REGISTERED: {TradeDocumentStatus.RELEASING, TradeDocumentStatus.WITHDRAWING},
    TradeDocumentStatus.RELEASING: {TradeDocumentStatus.RELEASED, TradeDocumentStatus.REGISTERED},
    TradeDocumentStatus.WITHDRAWING: {TradeDocumentStatus.WITHDRAWN, TradeDocumentStatus.REGISTERED},
    TradeDocumentStatus.REFUSED: set(),
    TradeDocumentStatus.RELEASED: set(),
    TradeDocumentStatus.WITHDRAWN: set(),
    TradeDocumentStatus.DISCARDED: set(),
}
