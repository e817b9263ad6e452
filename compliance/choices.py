"""Choices of compliance: KYC states, investor types and classes."""

from django.db import models


class KycStatus(models.TextChoices):
    DRAFT = "draft", "Not submitted"
    SUBMITTED = "submitted", "Awaiting review"
    APPROVED = "approved", "Verified"
    REJECTED = "rejected", "Rejected"
    BLOCKED = "blocked", "Blocked (confirmed sanctions match)"


KYC_TRANSITIONS = {
    KycStatus.DRAFT: {KycStatus.SUBMITTED},
    KycStatus.SUBMITTED: {KycStatus.APPROVED, KycStatus.REJECTED},
    KycStatus.REJECTED: {KycStatus.SUBMITTED},
    # An approved investor on whom a sanctions match is confirmed is blocked for good.
    KycStatus.APPROVED: {KycStatus.BLOCKED},
    KycStatus.BLOCKED: set(),
}


class InvestorType(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    CORPORATE = "corporate", "Corporation or partnership"


class InvestorClass(models.IntegerChoices):
    """Bits of the on-chain identity registry's investor class mask."""

    PROFESSIONAL = 1, "Professional investor"
    INSTITUTIONAL = 2, "Institutional"
    RETAIL = 4, "Retail"
    ISSUER = 8, "Issuer"


# How long an on-chain identity stays valid before re-verification (PI status is re-checked yearly).
IDENTITY_VALIDITY_DAYS = 365
