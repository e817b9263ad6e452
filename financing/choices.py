"""Choices of financing: instruments, currencies and the state machines."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Instrument(models.TextChoices):
    BOND = "bond", "Bond"
    LOAN = "loan", "Loan"
    EQUITY = "equity", "Equity"
    LEASE = "lease", "Lease"


class Currency(models.TextChoices):
    HKD = "HKD", "Hong Kong dollar"
    CNY = "CNY", "Renminbi"
    MOP = "MOP", "Macao pataca"
    USD = "USD", "US dollar"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    SEMIANNUAL = "semiannual", "Semi-annual"
    ANNUAL = "annual", "Annual"


class Amortization(models.TextChoices):
    ANNUITY = "annuity", "Annuity (level payments)"
    EQUAL_PRINCIPAL = "equal_principal", "Equal principal"
    BULLET = "bullet", "Bullet (all principal at maturity)"


class DayCount(models.TextChoices):
    ACT_365F = "act_365f", "ACT/365 Fixed"
    ACT_360 = "act_360", "ACT/360"
    THIRTY_360 = "thirty_360", "30/360"


class BusinessDayConvention(models.TextChoices):
    MODIFIED_FOLLOWING = "modified_following", "Modified following"
    FOLLOWING = "following", "Following"
    UNADJUSTED = "unadjusted", "Unadjusted"


class HolidayCalendar(models.TextChoices):
    HONG_KONG = "HK", "Hong Kong"
    NONE = "none", "Weekends only"


class PaymentTiming(models.TextChoices):
    ARREARS = "arrears", "In arrears"
    ADVANCE = "advance", "In advance"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    FUNDED = "funded", "Funded"


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
    PREPARING = "preparing", "Being set up on chain"
    READY = "ready", "Ready to open"
    OPEN = "open", "Open for subscription"
    ALLOTTING = "allotting", "Closed, allotting"
    SETTLING = "settling", "Closed, settling"
    SETTLED = "settled", "Settled"
    PARTLY_FAILED = "partly_failed", "Settled in part: some allotments failed"
    CANCELLED = "cancelled", "Cancelled"
    SERVICING = "servicing", "Servicing: paying holders"
    IN_ARREARS = "in_arrears", "In arrears: a payment is late"
    MATURED = "matured", "Matured: tokens being redeemed"
    REDEEMED = "redeemed", "Redeemed and closed"


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
    FUNDING = "funding", "Payment moving into escrow"
    ACTIVE = "active", "Active, paid into escrow"
    FAILED = "failed", "Payment not taken"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ALLOTTED = "allotted", "Allotted"
    NOT_ALLOTTED = "not_allotted", "Not allotted"
    CANCELLED = "cancelled", "Cancelled (offering cancelled)"
    RELEASED = "released", "Released (allotment written off)"


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
    PENDING = "pending", "Settlement queued"
    SETTLED = "settled", "Settled on chain"
    FAILED = "failed", "Settlement failed"
    WRITTEN_OFF = "written_off", "Written off, refunded"


ALLOTMENT_TRANSITIONS = {
    AllotmentStatus.PENDING: {AllotmentStatus.SETTLED, AllotmentStatus.FAILED},
    # Staff retry a failed settlement, or write it off with a reason (the escrow is refunded).
    AllotmentStatus.FAILED: {AllotmentStatus.PENDING, AllotmentStatus.WRITTEN_OFF},
    AllotmentStatus.SETTLED: set(),
    AllotmentStatus.WRITTEN_OFF: set(),
}
# Allotments that need nothing more: the offering's settlement is complete when all are in these.


class PaymentKind(models.TextChoices):
    COUPON = "coupon", "Coupon"
    PRINCIPAL = "principal", "Principal repayment"
    INSTALMENT = "instalment", "Loan instalment"
    RENTAL = "rental", "Lease rental"
    RESIDUAL = "residual", "Residual value"
    DIVIDEND = "dividend", "Dividend"
    REDEMPTION = "redemption", "Redemption"


class PaymentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    AWAITING_FUNDING = "awaiting_funding", "Awaiting funding"
    FUNDING = "funding", "Funding on its way"
    FUNDED = "funded", "Funded"
    LATE = "late", "Payment late"
    PAYING = "paying", "Paying holders"
    PAID = "paid", "Paid"
    CLOSED = "closed", "Paid and closed"


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

    AWAITING_BUYER = "awaiting_buyer", "Waiting for the buyer to accept"
    SENDING = "sending", "Being delivered on chain"
    COMPLETED = "completed", "Completed on chain"
    FAILED = "failed", "Refused on chain"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


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
