"""Financing applications, their instrument terms, offerings, subscriptions and allotments."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from financing.choices import (
    AllotmentStatus,
    ApplicationStatus,
    Currency,
    Frequency,
    Instrument,
    OfferingStatus,
    SubscriptionStatus,
)


class Application(models.Model):
    """An SME's request to raise money with one instrument; compliance approves it into an offering."""

    company = models.ForeignKey("issuers.Company", on_delete=models.PROTECT, related_name="applications")
    instrument = models.CharField(max_length=16, choices=Instrument.choices)
    title = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.HKD)
    target_amount = models.DecimalField(max_digits=18, decimal_places=2)
    minimum_amount = models.DecimalField(max_digits=18, decimal_places=2)
    use_of_proceeds = models.TextField()
    status = models.CharField(
        max_length=24, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    decision_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
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


class BondTerms(models.Model):
    """A bond's terms: whole units of `face_value`, fixed coupon."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="bond_terms")
    face_value = models.DecimalField(
        max_digits=18, decimal_places=2, help_text="Price and redemption value of one unit."
    )
    coupon_rate = models.DecimalField(max_digits=7, decimal_places=6, help_text="Annual rate, e.g. 0.065.")
    coupon_frequency = models.CharField(max_length=16, choices=Frequency.choices)
    issue_date = models.DateField()
    maturity_date = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(face_value__gt=0), name="bond_face_value_positive"),
            models.CheckConstraint(
                condition=Q(coupon_rate__gte=0) & Q(coupon_rate__lt=1), name="bond_coupon_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(maturity_date__gt=F("issue_date")), name="bond_matures_after_issue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coupon_rate:%} {self.get_coupon_frequency_display()} to {self.maturity_date}"


class Offering(models.Model):
    """An approved application offered to investors in whole units, backed by one security token."""

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
    closes_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OfferingStatus.values), name="offering_status_valid"
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
        ]

    def __str__(self) -> str:
        return str(self.application.title)

    @property
    def target_amount(self) -> Decimal:
        return self.unit_price * self.units_offered


class Subscription(models.Model):
    """An investor's order for units of an open offering."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="subscriptions")
    investor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subscriptions"
    )
    units = models.PositiveBigIntegerField()
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    status = models.CharField(
        max_length=16, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
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
                condition=Q(status=SubscriptionStatus.ACTIVE),
                name="one_active_subscription_per_investor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.units} units of {self.offering}"


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
