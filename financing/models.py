"""Financing applications, their instrument terms, offerings, subscriptions and allotments."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from config.text import (
    LONG_TEXT_MAX_LENGTH,
    NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SHORT_TEXT_MAX_LENGTH,
    visible_text,
)
from financing.choices import (
    LIVE_TRADE_DOCUMENT_STATUSES,
    AcceptanceKind,
    AllotmentStatus,
    Amortization,
    ApplicationStatus,
    BusinessDayConvention,
    Currency,
    DayCount,
    Frequency,
    HolidayCalendar,
    Instrument,
    OfferingDocumentKind,
    OfferingStatus,
    PaymentKind,
    PaymentStatus,
    PaymentTiming,
    SubscriptionStatus,
    TradeDocumentKind,
    TradeDocumentStatus,
    TransferStatus,
)
from financing.references import (
    APPLICATION_PREFIX,
    APPLICATION_SEQUENCE,
    OFFERING_PREFIX,
    OFFERING_SEQUENCE,
    reference_field,
)
from financing.schedules import ScheduleTerms
from tokens.choices import ContractKind
from tokens.selectors import platform_contract
from tokens.signer import (
    PaymentAuthorisation,
    SigningRefused,
    UnitAuthorisation,
    distribution_id_for,
    distribution_nonce,
    subscription_nonce,
    transfer_nonce,
)


class Application(models.Model):
    """An SME's request to raise money with one instrument; compliance approves it into an offering."""

    reference = reference_field(APPLICATION_PREFIX, APPLICATION_SEQUENCE)
    company = models.ForeignKey("issuers.Company", on_delete=models.PROTECT, related_name="applications")
    instrument = models.CharField(max_length=16, choices=Instrument.choices)
    title = models.CharField(max_length=NAME_MAX_LENGTH, validators=[visible_text])
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.HKD)
    target_amount = models.DecimalField(max_digits=18, decimal_places=2)
    minimum_amount = models.DecimalField(max_digits=18, decimal_places=2)
    use_of_proceeds = models.TextField(max_length=LONG_TEXT_MAX_LENGTH, validators=[visible_text])
    status = models.CharField(
        max_length=24, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    decision_reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True, validators=[visible_text])
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    arranger = models.ForeignKey(
        "compliance.Intermediary",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="arranged_applications",
        help_text="The licensed intermediary arranging the offering, chosen at approval.",
    )
    arranger_licence = models.ForeignKey(
        "compliance.Licence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The arranger's licence the approval relied on (the daily re-check watches it).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"
            ),
            models.CheckConstraint(condition=Q(minimum_amount__gt=0), name="application_minimum_positive"),
            models.CheckConstraint(
                condition=Q(minimum_amount__lte=F("target_amount")), name="application_minimum_within_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_instrument_display()})"


class Terms(models.Model):
    """An application's instrument terms; which fields apply depends on the instrument.

    Every instrument is offered in whole units of `unit_price` (a bond's face value, a share's price,
    a loan or lease participation). The schedule fields feed `financing.schedules`, whose
    validation decides which of them an instrument takes.
    """

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="terms")
    unit_price = models.DecimalField(max_digits=18, decimal_places=2)
    annual_rate = models.DecimalField(
        max_digits=14, decimal_places=12, null=True, blank=True, help_text="Fraction a year: 0.065 is 6.5%."
    )
    start_date = models.DateField(null=True, blank=True, help_text="Issue, drawdown or lease commencement.")
    maturity_date = models.DateField(null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(null=True, blank=True)
    frequency = models.CharField(max_length=16, choices=Frequency.choices, blank=True)
    amortization = models.CharField(max_length=16, choices=Amortization.choices, blank=True)
    grace_periods = models.PositiveSmallIntegerField(default=0)
    day_count = models.CharField(max_length=16, choices=DayCount.choices, default=DayCount.ACT_365F)
    business_day_convention = models.CharField(
        max_length=24, choices=BusinessDayConvention.choices, default=BusinessDayConvention.MODIFIED_FOLLOWING
    )
    calendar = models.CharField(
        max_length=8, choices=HolidayCalendar.choices, default=HolidayCalendar.HONG_KONG
    )
    residual_value = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    payment_timing = models.CharField(
        max_length=8, choices=PaymentTiming.choices, default=PaymentTiming.ARREARS
    )
    share_class = models.CharField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, validators=[visible_text])
    pre_money_valuation = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    asset_description = models.TextField(max_length=REASON_MAX_LENGTH, blank=True, validators=[visible_text])

    class Meta:
        verbose_name_plural = "terms"
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="terms_unit_price_positive"),
            models.CheckConstraint(
                condition=Q(annual_rate__isnull=True) | (Q(annual_rate__gte=0) & Q(annual_rate__lt=1)),
                name="terms_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(maturity_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(maturity_date__gt=F("start_date")),
                name="terms_mature_after_start",
            ),
            models.CheckConstraint(condition=Q(residual_value__gte=0), name="terms_residual_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Terms of {self.application}"

    def schedule_terms(self) -> ScheduleTerms:
        """These terms as the schedule module takes them (the principal is the target amount)."""
        application = self.application
        return ScheduleTerms(
            # Trade finance pays interest and principal once at maturity: the schedule module's bond with
            # one (short) annual period, whose results the module already guarantees.
            instrument="bond" if application.instrument == Instrument.TRADE else application.instrument,
            currency=application.currency,
            principal=application.target_amount,
            annual_rate=self.annual_rate,
            start_date=self.start_date,
            maturity_date=self.maturity_date,
            term_months=self.term_months,
            frequency=self.frequency or None,
            amortization=self.amortization or None,
            grace_periods=self.grace_periods,
            day_count=self.day_count,
            business_day_convention=self.business_day_convention,
            calendar=self.calendar,
            residual_value=self.residual_value,
            payment_timing=self.payment_timing,
        )

    @property
    def units(self) -> int:
        """Whole units the target amount is offered in (shares for equity)."""
        return int(self.application.target_amount / self.unit_price)

    @property
    def post_money_valuation(self) -> Decimal | None:
        """Equity only: pre-money valuation plus the money raised."""
        if self.pre_money_valuation is None:
            return None
        return self.pre_money_valuation + self.application.target_amount

    @property
    def dilution(self) -> Decimal | None:
        """Equity only: the share of the company the new shares represent, as a fraction."""
        post = self.post_money_valuation
        if not post:
            return None
        return self.application.target_amount / post


class Offering(models.Model):
    """An approved application offered to investors in whole units, backed by one security token."""

    reference = reference_field(OFFERING_PREFIX, OFFERING_SEQUENCE)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="offering")
    token = models.OneToOneField(
        "tokens.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="offering"
    )
    status = models.CharField(max_length=16, choices=OfferingStatus.choices, default=OfferingStatus.PREPARING)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    unit_price = models.DecimalField(max_digits=18, decimal_places=2)
    units_offered = models.PositiveBigIntegerField(help_text="Units allotted at most (the target).")
    minimum_units = models.PositiveBigIntegerField(
        help_text="Soft cap: fewer subscribed units cancel the round."
    )
    subscription_cap_units = models.PositiveBigIntegerField(
        help_text="Hard cap on units subscribed in total."
    )
    units_subscribed = models.PositiveBigIntegerField(default=0)
    professional_investors_only = models.BooleanField(default=True)
    subscriptions_paused_reason = models.TextField(
        max_length=REASON_MAX_LENGTH,
        blank=True,
        help_text="Why new subscriptions are refused (the arranger's licence lapsed); empty: not paused.",
    )
    transfer_lockup_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Transfers between investors are refused before this (the token enforces it); empty: none.",
    )
    max_holders = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="At most this many investors may hold units (the token enforces it); empty: no limit.",
    )
    closes_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who called the offering off; empty when the platform did (minimum missed, set-up failed).",
    )
    cancellation_reason = models.TextField(
        max_length=REASON_MAX_LENGTH,
        blank=True,
        help_text="Why the offering was cancelled, shown to the issuer and every subscribed investor.",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OfferingStatus.values), name="offering_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=OfferingStatus.CANCELLED)
                | (~Q(cancellation_reason="") & Q(cancelled_at__isnull=False)),
                name="offering_cancelled_with_reason",
            ),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="offering_unit_price_positive"),
            models.CheckConstraint(
                condition=Q(minimum_units__gt=0) & Q(minimum_units__lte=F("units_offered")),
                name="offering_minimum_within_offered",
            ),
            models.CheckConstraint(
                condition=Q(subscription_cap_units__gte=F("units_offered")),
                name="offering_cap_at_least_offered",
            ),
            # The last line of defence for the cap: concurrent subscriptions can never push past it.
            models.CheckConstraint(
                condition=Q(units_subscribed__lte=F("subscription_cap_units")),
                name="offering_cap_never_exceeded",
            ),
            models.CheckConstraint(
                condition=Q(max_holders__isnull=True) | Q(max_holders__gt=0),
                name="offering_max_holders_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.application.title}"

    @property
    def target_amount(self) -> Decimal:
        return self.unit_price * self.units_offered


class Subscription(models.Model):
    """An investor's order for units of an open offering, paid into the Settlement contract's escrow."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="subscriptions")
    investor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subscriptions"
    )
    units = models.PositiveBigIntegerField()
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    status = models.CharField(
        max_length=16, choices=SubscriptionStatus.choices, default=SubscriptionStatus.FUNDING
    )
    authorised_until = models.DateTimeField(
        help_text="The investor's payment authorisation for exactly this amount expires then."
    )
    failure_reason = models.TextField(blank=True)
    funding_transaction = models.ForeignKey(
        "tokens.ChainTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund_transaction = models.ForeignKey(
        "tokens.ChainTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refunded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(units__gt=0), name="subscription_units_positive"),
            models.CheckConstraint(
                condition=Q(status__in=SubscriptionStatus.values), name="subscription_status_valid"
            ),
            models.UniqueConstraint(
                fields=["offering", "investor"],
                condition=Q(status__in=[SubscriptionStatus.FUNDING, SubscriptionStatus.ACTIVE]),
                name="one_live_subscription_per_investor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.units} units of {self.offering}"

    def payment_authorisation(self) -> PaymentAuthorisation:
        """What the investor agreed to pay into escrow for this subscription (the signer signs only this)."""
        token = self.offering.token
        wallet = self.investor.investor.wallet
        if token is None or not token.address or wallet is None:
            raise SigningRefused("The offering's token or the investor's wallet is missing.")
        settlement = platform_contract(ContractKind.SETTLEMENT)
        return PaymentAuthorisation(
            payer=wallet,
            payee=str(settlement.address),
            value=int(self.amount.scaleb(settings.PAYMENT_TOKEN_DECIMALS).to_integral_exact()),
            nonce=subscription_nonce(
                settlement=str(settlement.address),
                token=token.address,
                subscription_id=self.pk,
                units=self.units,
            ),
            valid_before=int(self.authorised_until.timestamp()),
        )


class Allotment(models.Model):
    """Units allotted to a subscription at close; its id is the on-chain settlement key."""

    subscription = models.OneToOneField(Subscription, on_delete=models.PROTECT, related_name="allotment")
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="allotments")
    units = models.PositiveBigIntegerField()
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    payment_base_units = models.DecimalField(
        max_digits=40, decimal_places=0, help_text="Payment token amount (6 decimals) moved at settlement."
    )
    status = models.CharField(max_length=16, choices=AllotmentStatus.choices, default=AllotmentStatus.PENDING)
    failure_reason = models.TextField(blank=True)
    write_off_reason = models.TextField(
        max_length=REASON_MAX_LENGTH,
        blank=True,
        validators=[visible_text],
        help_text="Why staff wrote off an allotment that could not settle (its escrow was refunded).",
    )
    chain_transaction = models.ForeignKey(
        "tokens.ChainTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(units__gt=0), name="allotment_units_positive"),
            models.CheckConstraint(
                condition=Q(status__in=AllotmentStatus.values), name="allotment_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Allotment {self.pk}: {self.units} units"


class OfferingCloseRetry(models.Model):
    """Why the scheduled close of a due offering last failed, and when it is tried again (back-off)."""

    offering = models.OneToOneField(
        Offering, primary_key=True, on_delete=models.CASCADE, related_name="close_retry"
    )
    attempts = models.PositiveIntegerField(help_text="Failed attempts in a row.")
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField()
    last_failed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Offering {self.offering_id}: {self.attempts} failed closes"


class OfferingPayment(models.Model):
    """One due payment of a settled offering's calendar, paid on chain to its holders at the record date.

    `amount` is the scheduled total for all `units` outstanding (the principal actually raised), to
    the cent; `per_unit` is that total per unit. What the issuer funds is `amount` plus any default
    interest (`default_interest`, fixed when the funding is authorised): `funded_amount`, in the
    payment token's base units `funded_base_units`, escrowed in the Settlement contract as one
    distribution (`distribution_id`, derived from the token and the sequence) and paid out pro rata.
    """

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=16, choices=PaymentKind.choices)
    sequence = models.PositiveIntegerField(help_text="1, 2, ... in due-date order within the offering.")
    due_date = models.DateField()
    record_date = models.DateField(help_text="Holders at this date are paid (see docs/architecture.md).")
    currency = models.CharField(max_length=3, choices=Currency.choices)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    principal = models.DecimalField(
        max_digits=18, decimal_places=2, default=Decimal("0"), help_text="The part that repays principal."
    )
    interest = models.DecimalField(
        max_digits=18, decimal_places=2, default=Decimal("0"), help_text="The part that pays interest."
    )
    units = models.PositiveBigIntegerField(help_text="Units outstanding the amount is paid on.")
    per_unit = models.DecimalField(max_digits=24, decimal_places=6)
    status = models.CharField(max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.SCHEDULED)
    default_interest = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    funded_amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    funded_base_units = models.DecimalField(max_digits=40, decimal_places=0, null=True, blank=True)
    authorised_until = models.DateTimeField(null=True, blank=True)
    record_block = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The indexed block the holders were read at (the snapshot)."
    )
    failure_reason = models.TextField(blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    funding_transaction = models.ForeignKey(
        "tokens.ChainTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_transaction = models.ForeignKey(
        "tokens.ChainTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    funding_requested_at = models.DateTimeField(null=True, blank=True)
    late_since = models.DateField(null=True, blank=True)
    funded_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["offering_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "sequence"], name="one_payment_per_sequence"),
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values), name="payment_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=PaymentKind.values), name="payment_kind_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(units__gt=0), name="payment_units_positive"),
            models.CheckConstraint(
                condition=Q(record_date__lte=F("due_date")), name="payment_record_not_after_due"
            ),
            models.CheckConstraint(
                condition=Q(funded_amount__isnull=True) | Q(funded_amount__gte=F("amount")),
                name="payment_funded_at_least_amount",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="payment_status_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sequence} of {self.offering}"

    @property
    def distribution_id(self) -> int:
        """The Settlement contract's distribution id: a hash of the offering's token and the sequence."""
        token = self.offering.token
        if token is None or not token.address:
            raise SigningRefused("The offering's token is not deployed.")
        return distribution_id_for(token=token.address, sequence=self.sequence)

    def payment_authorisation(self) -> PaymentAuthorisation:
        """What the issuer agreed to pay into the distribution's escrow (the signer signs only this)."""
        offering = self.offering
        token = offering.token
        wallet = offering.application.company.wallet
        if token is None or not token.address or wallet is None:
            raise SigningRefused("The offering's token or the issuer's wallet is missing.")
        if self.funded_base_units is None or self.authorised_until is None:
            raise SigningRefused("The payment has no recorded funding amount.")
        settlement = platform_contract(ContractKind.SETTLEMENT)
        value = int(self.funded_base_units)
        return PaymentAuthorisation(
            payer=wallet,
            payee=str(settlement.address),
            value=value,
            nonce=distribution_nonce(
                settlement=str(settlement.address),
                token=token.address,
                distribution_id=self.distribution_id,
                amount=value,
            ),
            valid_before=int(self.authorised_until.timestamp()),
        )


class PaymentHolder(models.Model):
    """One holder's share of one payment: units at the record date and what they are paid."""

    payment = models.ForeignKey(OfferingPayment, on_delete=models.CASCADE, related_name="holders")
    wallet = models.CharField(max_length=42)
    investor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    units = models.PositiveBigIntegerField()
    amount_base_units = models.DecimalField(
        max_digits=40, decimal_places=0, null=True, blank=True, help_text="Payment-token base units paid."
    )
    batch = models.PositiveIntegerField(null=True, blank=True)
    payout_transaction = models.ForeignKey(
        "tokens.ChainTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["payment_id", "wallet"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "wallet"], name="one_share_per_holder"),
            models.CheckConstraint(condition=Q(units__gt=0), name="payment_holder_units_positive"),
        ]
        indexes = [models.Index(fields=["wallet"], name="payment_holder_wallet")]

    def __str__(self) -> str:
        return f"{self.wallet}: {self.units} units of {self.payment}"

    @property
    def amount(self) -> Decimal | None:
        """What the holder is paid, in the payment's currency (None until the payout is computed)."""
        if self.amount_base_units is None:
            return None
        return Decimal(self.amount_base_units).scaleb(-settings.PAYMENT_TOKEN_DECIMALS)


class UnitRedemption(models.Model):
    """At maturity, one holder's units redeemed and burned through the platform timelock."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="redemptions")
    wallet = models.CharField(max_length=42)
    units = models.PositiveBigIntegerField()
    proposal_transaction = models.ForeignKey(
        "tokens.ChainTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    redeemed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["offering_id", "wallet"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "wallet"], name="one_redemption_per_holder"),
            models.CheckConstraint(condition=Q(units__gt=0), name="redemption_units_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.units} units of {self.offering} redeemed from {self.wallet}"


class Transfer(models.Model):
    """Units of one offering moved from one investor to another, free or against payment (delivery versus
    payment), or free to a self-custody wallet the investor linked; its id is the on-chain transfer key,
    each delivered once."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="transfers")
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transfers_out"
    )
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transfers_in")
    seller_wallet = models.CharField(
        max_length=42, help_text="The seller's wallet when the transfer was made."
    )
    buyer_wallet = models.CharField(max_length=42, help_text="The buyer's wallet when the transfer was made.")
    units = models.PositiveBigIntegerField()
    price = models.DecimalField(
        max_digits=18, decimal_places=2, default=Decimal("0"), help_text="Paid for all the units; 0: free."
    )
    status = models.CharField(max_length=16, choices=TransferStatus.choices)
    expires_at = models.DateTimeField(help_text="A sale not accepted by then expires.")
    authorised_until = models.DateTimeField(
        null=True, blank=True, help_text="The parties' signatures are valid until then (on chain)."
    )
    failure_reason = models.TextField(blank=True)
    chain_transaction = models.ForeignKey(
        "tokens.ChainTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(units__gt=0), name="transfer_units_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="transfer_price_not_negative"),
            # Between two investors, or an investor's units to another wallet of theirs (a linked one).
            models.CheckConstraint(
                condition=~Q(seller=F("buyer")) | ~Q(seller_wallet=F("buyer_wallet")),
                name="transfer_between_two_wallets",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TransferStatus.values), name="transfer_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["seller", "-id"], name="transfer_seller_newest"),
            models.Index(fields=["buyer", "-id"], name="transfer_buyer_newest"),
        ]

    def __str__(self) -> str:
        return f"Transfer {self.pk}: {self.units} units of {self.offering}"

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def price_base_units(self) -> int:
        return int(self.price.scaleb(settings.PAYMENT_TOKEN_DECIMALS).to_integral_exact())

    def _nonce(self) -> tuple[str, bytes]:
        token = self.offering.token
        if token is None or not token.address:
            raise SigningRefused("The offering's token is missing.")
        if self.status != TransferStatus.SENDING or self.authorised_until is None:
            raise SigningRefused("Only a transfer both parties agreed to is signed.")
        settlement = str(platform_contract(ContractKind.SETTLEMENT).address)
        return settlement, transfer_nonce(
            settlement=settlement,
            token=token.address,
            transfer_id=self.pk,
            seller=self.seller_wallet,
            buyer=self.buyer_wallet,
            units=self.units,
            price=self.price_base_units,
        )

    def unit_authorisation(self) -> UnitAuthorisation:
        """What the seller agreed to deliver (the signer signs only this), executed by Settlement only."""
        wallet = self.seller.investor.wallet
        if wallet is None or wallet.address != self.seller_wallet:
            raise SigningRefused("The seller's wallet is not the one the transfer records.")
        settlement, nonce = self._nonce()
        assert self.authorised_until is not None
        return UnitAuthorisation(
            holder=wallet,
            to=self.buyer_wallet,
            value=self.units,
            executor=settlement,
            nonce=nonce,
            valid_before=int(self.authorised_until.timestamp()),
        )

    def payment_authorisation(self) -> PaymentAuthorisation:
        """What the buyer agreed to pay for the units (the signer signs only this)."""
        wallet = self.buyer.investor.wallet
        if wallet is None or wallet.address != self.buyer_wallet:
            raise SigningRefused("The buyer's wallet is not the one the transfer records.")
        if self.is_free:
            raise SigningRefused("A free transfer has no payment to authorise.")
        settlement, nonce = self._nonce()
        assert self.authorised_until is not None
        return PaymentAuthorisation(
            payer=wallet,
            payee=settlement,
            value=self.price_base_units,
            nonce=nonce,
            valid_before=int(self.authorised_until.timestamp()),
        )


def offering_document_path(instance: OfferingDocument, filename: str) -> str:
    """Stored under the offering and the file's fingerprint, never the uploader's file name."""
    return f"offerings/{instance.offering_id}/{instance.kind}/{instance.sha256}"


class OfferingDocument(models.Model):
    """A document investors read before subscribing (term sheet, information memorandum, issuer
    financials); a new upload of the same kind is its next version and replaces the one shown."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=32, choices=OfferingDocumentKind.choices)
    title = models.CharField(max_length=NAME_MAX_LENGTH, validators=[visible_text])
    version = models.PositiveIntegerField(help_text="1, 2, ... per kind within the offering.")
    file = models.FileField(upload_to=offering_document_path, max_length=300)
    original_name = models.CharField(max_length=255, validators=[visible_text])
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["offering_id", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "kind", "version"], name="offering_document_version"),
            models.CheckConstraint(
                condition=Q(kind__in=OfferingDocumentKind.values), name="offering_document_kind_valid"
            ),
            models.CheckConstraint(condition=Q(version__gt=0), name="offering_document_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class OfferingDocumentOpen(models.Model):
    """An investor's first opening of one version of an offering document (required before subscribing)."""

    document = models.ForeignKey(OfferingDocument, on_delete=models.CASCADE, related_name="opens")
    investor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "investor"], name="offering_document_opened_once"),
        ]

    def __str__(self) -> str:
        return f"{self.document} opened by {self.investor_id}"


class SubscriptionAcceptance(models.Model):
    """One text the investor accepted (risk disclosure, subscription agreement) or document they had
    read, recorded with its version and the SHA-256 of exactly what was shown, when they subscribed."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="acceptances")
    kind = models.CharField(max_length=32, choices=AcceptanceKind.choices)
    title = models.CharField(max_length=NAME_MAX_LENGTH)
    version = models.CharField(max_length=SHORT_TEXT_MAX_LENGTH)
    sha256 = models.CharField(max_length=64, help_text="Of the exact text shown, or of the document's file.")
    language = models.CharField(max_length=16, blank=True, help_text="The language the text was shown in.")
    document = models.ForeignKey(
        OfferingDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(
        null=True, blank=True, help_text="Documents: when the investor opened it."
    )
    accepted_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AcceptanceKind.values), name="acceptance_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind=AcceptanceKind.DOCUMENT, document__isnull=False)
                | (~Q(kind=AcceptanceKind.DOCUMENT) & Q(document__isnull=True)),
                name="acceptance_document_only_for_documents",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version} accepted for subscription {self.subscription_id}"


class TradeDocument(models.Model):
    """An invoice or electronic bill of lading backing a trade-finance application.

    The fields are kept as the SME typed them (`raw_fields`) and in canonical form
    (`canonical_fields`, `financing.trade.normalise`); `fingerprint` is their hash
    (`financing.trade.fingerprint`), registered on the DocumentRegistry contract when the application
    is approved, so the same document cannot back a second financing here or anywhere the registry
    is read. A bill of lading stays on its eBL platform: we record which platform and its control
    reference, never the bill itself.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="trade_documents")
    kind = models.CharField(max_length=16, choices=TradeDocumentKind.choices)
    raw_fields = models.JSONField(help_text="The fields as entered.")
    canonical_fields = models.JSONField(help_text="The fields in canonical form (what is fingerprinted).")
    fingerprint = models.CharField(max_length=66, help_text="0x-hex keccak256 of the canonical encoding.")
    face_value = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        help_text="The invoice amount, or the value of the goods a bill of lading covers.",
    )
    currency = models.CharField(max_length=3, choices=Currency.choices)
    due_date = models.DateField(null=True, blank=True, help_text="An invoice's due date.")
    ebl_platform = models.CharField(
        max_length=16,
        blank=True,
        help_text=(
            "The approved eBL platform that holds the bill. The bill itself stays on that platform: "
            "we record only which platform and its control reference, never the bill."
        ),
    )
    control_reference = models.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        blank=True,
        help_text="The bill's control reference on its platform.",
    )
    status = models.CharField(
        max_length=16, choices=TradeDocumentStatus.choices, default=TradeDocumentStatus.DRAFT
    )
    registration_transaction = models.ForeignKey(
        "tokens.ChainTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(null=True, blank=True, help_text="When the chain confirmed it.")
    refusal_reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)
    release_transaction = models.ForeignKey(
        "tokens.ChainTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    withdrawal_transaction = models.ForeignKey(
        "tokens.ChainTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["application_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=Q(status__in=LIVE_TRADE_DOCUMENT_STATUSES),
                name="trade_document_fingerprint_live_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TradeDocumentStatus.values), name="trade_document_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=TradeDocumentKind.values), name="trade_document_kind_valid"
            ),
            models.CheckConstraint(condition=Q(face_value__gt=0), name="trade_document_value_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number} of {self.application}"

    @property
    def number(self) -> str:
        """The invoice or B/L number as entered."""
        key = "invoice_number" if self.kind == TradeDocumentKind.INVOICE else "bl_number"
        return str(self.raw_fields.get(key, ""))
